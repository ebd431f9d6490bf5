"""What the EKS managed add-ons run on every node and on the system node group.

Requests per pod (CPU millicores, memory MiB): the EKS add-ons' default requests, not in
aws-facts.md (marked verify). The Helm-installed controllers are not typed here: their footprint
comes from the rendered charts (insight/addon_footprint.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Environment


@dataclass(frozen=True)
class AddonPods:
    name: str
    replicas: int
    cpu_m: int
    memory_mib: int
    source: str


# One pod of each on every node (DaemonSets of the EKS managed add-ons).
DAEMONSETS: tuple[AddonPods, ...] = (
    AddonPods("aws-node (vpc-cni)", 1, 25, 0, "vpc-cni add-on default request (verify)"),
    AddonPods("kube-proxy", 1, 100, 0, "kube-proxy add-on default request (verify)"),
    AddonPods("ebs-csi-node", 1, 30, 120, "aws-ebs-csi-driver add-on defaults, 3 containers (verify)"),
    AddonPods("eks-pod-identity-agent", 1, 0, 0, "add-on sets no requests (verify)"),
    # amazon-cloudwatch-observability: its chart's defaults (aws-observability/helm-charts,
    # charts/amazon-cloudwatch-observability/values.yaml: agent and containerLogs.fluentBit requests);
    # both DaemonSets tolerate every taint, so they run on system nodes too (verify per add-on version).
    AddonPods("cloudwatch-agent", 1, 250, 128, "amazon-cloudwatch-observability chart default (verify)"),
    AddonPods("fluent-bit", 1, 50, 25, "amazon-cloudwatch-observability chart default (verify)"),
)
DAEMONSET_CPU_M = sum(d.cpu_m for d in DAEMONSETS)
DAEMONSET_MEMORY_MIB = sum(d.memory_mib for d in DAEMONSETS)
DAEMONSET_PODS = len(DAEMONSETS)

# EKS managed add-ons on the system node group (not Helm charts, so not rendered: typed from the
# add-ons' defaults). Every chart-installed controller (Flux, Karpenter or Cluster Autoscaler, the
# Load Balancer Controller, metrics-server, KEDA where used) is derived from its rendered chart:
# insight/addon_footprint.py.
EKS_SYSTEM_ADDONS: tuple[AddonPods, ...] = (
    AddonPods("coredns", 2, 100, 70, "EKS coredns add-on default (verify)"),
    AddonPods("ebs-csi-controller", 2, 60, 240, "aws-ebs-csi-driver add-on defaults, 6 containers (verify)"),
    # Placed with the controllers (it may land on an app node; counted here to be safe).
    AddonPods("amazon-cloudwatch-observability operator", 1, 100, 64,
              "amazon-cloudwatch-observability chart default manager.resources (verify)"),
)


def system_addons(env: Environment) -> tuple[AddonPods, ...]:
    """The EKS managed add-ons this environment runs on its system node group."""
    return EKS_SYSTEM_ADDONS
