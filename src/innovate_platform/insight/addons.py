"""What the platform itself runs on every node and on the system node group.

Requests per pod (CPU millicores, memory MiB). Karpenter's figure is from aws-facts.md; the rest
are the upstream charts' / EKS add-ons' default requests, not in aws-facts.md (marked verify).
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
)
DAEMONSET_CPU_M = sum(d.cpu_m for d in DAEMONSETS)
DAEMONSET_MEMORY_MIB = sum(d.memory_mib for d in DAEMONSETS)
DAEMONSET_PODS = len(DAEMONSETS)

# Controllers that tolerate CriticalAddonsOnly and run on the system node group.
COMMON_SYSTEM_ADDONS: tuple[AddonPods, ...] = (
    AddonPods("coredns", 2, 100, 70, "EKS coredns add-on default (verify)"),
    AddonPods("aws-load-balancer-controller", 2, 100, 128, "eks-charts 3.5.0 typical requests (verify)"),
    AddonPods("metrics-server", 1, 100, 200, "metrics-server chart 3.13.1 default requests (verify)"),
    AddonPods("flux source-controller", 1, 50, 64, "flux2 chart default requests (verify)"),
    AddonPods("flux kustomize-controller", 1, 100, 64, "flux2 chart default requests (verify)"),
    AddonPods("flux helm-controller", 1, 100, 64, "flux2 chart default requests (verify)"),
    AddonPods("flux notification-controller", 1, 100, 64, "flux2 chart default requests (verify)"),
    AddonPods("keda-operator", 1, 100, 100, "keda chart 2.21 default requests (verify)"),
    AddonPods("keda-metrics-apiserver", 1, 100, 100, "keda chart 2.21 default requests (verify)"),
    AddonPods("ebs-csi-controller", 2, 60, 240, "aws-ebs-csi-driver add-on defaults, 6 containers (verify)"),
)
KARPENTER = AddonPods("karpenter", 2, 1000, 1024, "Karpenter 1.14.1 chart: requests = limits 1 CPU / 1Gi, 2 replicas (aws-facts.md)")
CLUSTER_AUTOSCALER = AddonPods("cluster-autoscaler", 1, 100, 600, "cluster-autoscaler chart 9.59 documented example requests (verify)")


def system_addons(env: Environment) -> tuple[AddonPods, ...]:
    """The controllers this environment runs on its system node group."""
    return COMMON_SYSTEM_ADDONS + ((KARPENTER,) if env.uses_karpenter else (CLUSTER_AUTOSCALER,))
