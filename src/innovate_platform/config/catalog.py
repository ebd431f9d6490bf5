"""The instance catalog: the EC2 types the platform may use, with the facts sizing depends on.

Figures from ../shared/reference/aws-facts.md (vCPU, memory, max pods with the VPC CNI without
prefix delegation, trunk-ENI support for pod security groups, and Karpenter's allocatable
memory estimates).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceType:
    """One EC2 instance type as the platform sizes it."""

    name: str
    vcpu: int
    memory_gib: int
    max_pods: int
    supports_pod_security_groups: bool
    karpenter_allocatable_memory_mib: int
    burstable: bool


INSTANCE_CATALOG: dict[str, InstanceType] = {
    t.name: t
    for t in (
        InstanceType("t3.medium", 2, 4, 17, False, 3246, True),
        InstanceType("t3.large", 2, 8, 35, False, 6837, True),
        InstanceType("m6i.large", 2, 8, 29, True, 6903, False),
        InstanceType("m6a.large", 2, 8, 29, True, 6903, False),
        InstanceType("r6a.large", 2, 16, 29, True, 14481, False),
        InstanceType("c6i.xlarge", 4, 8, 58, True, 6584, False),
    )
}


# Every EKS managed add-on and Helm chart the platform installs needs a pinned version.
REQUIRED_ADDONS = ("vpc-cni", "coredns", "kube-proxy", "eks-pod-identity-agent", "aws-ebs-csi-driver",
                   "amazon-cloudwatch-observability")
REQUIRED_CHARTS = ("flux2", "karpenter", "karpenter-crd", "aws-load-balancer-controller", "metrics-server",
                   "cluster-autoscaler", "keda", "external-dns")
