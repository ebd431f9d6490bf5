"""The compatibility matrix: the Kubernetes minors each pinned component supports, with the source.

`innovate config validate` (every load of platform.yaml) refuses a `versions.kubernetes` outside
any component's range, naming the component and its range. Entries are keyed by the pinned
version, so bumping a chart or add-on without adding its row is refused too (see
docs/runbooks/upgrade.md: "Bump a chart").
"""

from __future__ import annotations

from dataclasses import dataclass

AWS_FACTS = "../shared/reference/aws-facts.md"


@dataclass(frozen=True)
class Support:
    """One component at one version: the Kubernetes minors it supports and where that is stated."""

    component: str
    minimum: str
    maximum: str | None  # None: the source states no upper bound
    source: str

    def supports(self, minor: str) -> bool:
        low = _key(self.minimum) <= _key(minor)
        return low and (self.maximum is None or _key(minor) <= _key(self.maximum))

    @property
    def range(self) -> str:
        return f"{self.minimum}-{self.maximum}" if self.maximum else f"{self.minimum}+"


def _key(minor: str) -> tuple[int, int]:
    major, rest = minor.split(".")[:2]
    return int(major), int(rest)


# Cluster Autoscaler's image minor must equal the cluster's; one pinned image per minor. v1.35.0 is
# the image the cluster-autoscaler chart 9.59.0 ships by default (its appVersion 1.35.0); the chart
# prints repository:tag, so tag@digest pins it (docs/adr/0018-images-pinned-by-digest.md).
CLUSTER_AUTOSCALER_IMAGES = {"1.35": "v1.35.0@sha256:2fc9433dd3b47baef0e68d6b1110b770a3c93db10c7bead4c5bc6cb21c72b875"}

# Helm charts: (chart, chart version) -> what it installs and the minors that supports.
CHARTS: dict[tuple[str, str], Support] = {
    ("flux2", "2.17.0"): Support("Flux 2.7.2 (flux2 chart 2.17.0)", "1.30", "1.35",
                                 f"Flux 2.7 release page, fluxcd.control-plane.io ({AWS_FACTS})"),
    ("flux2", "2.18.3"): Support("Flux 2.8.5 (flux2 chart 2.18.3)", "1.30", "1.35",
                                 f"Flux 2.8 release page, fluxcd.control-plane.io ({AWS_FACTS})"),
    ("karpenter", "1.14.1"): Support("Karpenter 1.14.1", "1.30", "1.36", f"Karpenter compatibility matrix ({AWS_FACTS})"),
    ("karpenter-crd", "1.14.1"): Support("Karpenter CRDs 1.14.1", "1.30", "1.36", f"Karpenter compatibility matrix ({AWS_FACTS})"),
    ("aws-load-balancer-controller", "3.5.0"): Support(
        "AWS Load Balancer Controller 3.5.0 (chart 3.5.0)", "1.22", None,
        "chart README (aws/eks-charts aws-load-balancer-controller 3.5.0): chart v1.5.0+ requires Kubernetes 1.22+"),
    ("metrics-server", "3.13.1"): Support(
        "metrics-server 0.8.1 (chart 3.13.1)", "1.31", None,
        "kubernetes-sigs/metrics-server README compatibility matrix: 0.8.x supports Kubernetes 1.31+"),
    ("cluster-autoscaler", "9.59.0"): Support(
        "Cluster Autoscaler chart 9.59.0", "1.35", "1.35",
        "the image minor must equal the cluster minor (kubernetes/autoscaler README); pinned images: "
        "config/compatibility.CLUSTER_AUTOSCALER_IMAGES"),
    ("external-dns", "1.21.1"): Support(
        "external-dns 0.21.0 (chart 1.21.1)", "1.19", None,
        "kubernetes-sigs/external-dns README, Kubernetes version compatibility: ExternalDNS >= 0.10 supports Kubernetes >= 1.19"),
    ("keda", "2.20.2"): Support("KEDA 2.20.2", "1.33", "1.35", "keda.sh/docs/2.20/operate/cluster: v2.20 tested on 1.33-1.35"),
}

# EKS managed add-ons: (add-on, version) -> the minors AWS lists it for.
BLUEPRINTS = "@aws-quickstart/eks-blueprints 1.19.0 add-on version maps"
ADDONS: dict[tuple[str, str], Support] = {
    ("vpc-cni", "v1.21.1-eksbuild.1"): Support("vpc-cni v1.21.1-eksbuild.1", "1.35", "1.35", f"{BLUEPRINTS} ({AWS_FACTS})"),
    ("coredns", "v1.13.2-eksbuild.3"): Support("coredns v1.13.2-eksbuild.3", "1.35", "1.35", f"{BLUEPRINTS} ({AWS_FACTS})"),
    ("kube-proxy", "v1.35.0-eksbuild.2"): Support("kube-proxy v1.35.0-eksbuild.2", "1.35", "1.35", f"{BLUEPRINTS} ({AWS_FACTS})"),
    ("eks-pod-identity-agent", "v1.3.10-eksbuild.2"): Support(
        "eks-pod-identity-agent v1.3.10-eksbuild.2", "1.35", "1.35", f"{BLUEPRINTS} ({AWS_FACTS})"),
    ("aws-ebs-csi-driver", "v1.57.1-eksbuild.1"): Support(
        "aws-ebs-csi-driver v1.57.1-eksbuild.1", "1.35", "1.35", f"{BLUEPRINTS} ({AWS_FACTS})"),
    ("amazon-cloudwatch-observability", "v5.3.1-eksbuild.1"): Support(
        "amazon-cloudwatch-observability v5.3.1-eksbuild.1", "1.35", "1.35", f"{BLUEPRINTS} ({AWS_FACTS})"),
}

# What CDK itself needs: aws_eks_v2 must offer the version, and the kubectl layer (kubectl 1.36,
# aws-cdk.lambda-layer-kubectl-v36) must be within kubectl's one-minor skew of the API server.
TOOLING: tuple[Support, ...] = (
    Support("aws_eks_v2 KubernetesVersion", "1.35", "1.36",
            "aws-cdk-lib's aws_eks_v2.KubernetesVersion (V1_35, V1_36); aws/constructs/cluster.KUBERNETES_VERSIONS"),
    Support("kubectl layer v36 (kubectl 1.36)", "1.35", "1.37",
            "Kubernetes version skew policy: kubectl is supported within one minor of kube-apiserver"),
)


def incompatibilities(kubernetes: str, charts: dict[str, str], addons: dict[str, str]) -> list[str]:
    """One line per component that does not support `kubernetes` (or has no matrix row)."""
    problems = []
    for kind, pins, table in (("charts", charts, CHARTS), ("addons", addons, ADDONS)):
        for name, version in pins.items():
            support = table.get((name, version))
            if support is None:
                problems.append(f"versions.{kind}.{name}: {version} has no row in the compatibility matrix "
                                "(config/compatibility.py); add its supported Kubernetes minors with their source")
            elif not support.supports(kubernetes):
                problems.append(f"versions.kubernetes: {kubernetes} is outside {support.component}'s supported range "
                                f"{support.range} (source: {support.source})")
    for support in TOOLING:
        if not support.supports(kubernetes):
            problems.append(f"versions.kubernetes: {kubernetes} is outside {support.component}'s supported range "
                            f"{support.range} (source: {support.source})")
    if charts.get("cluster-autoscaler") and kubernetes not in CLUSTER_AUTOSCALER_IMAGES:
        problems.append(f"versions.kubernetes: no Cluster Autoscaler image pinned for {kubernetes} (its minor must match "
                        f"the cluster's; pinned: {', '.join(CLUSTER_AUTOSCALER_IMAGES)}); add one to "
                        "config/compatibility.CLUSTER_AUTOSCALER_IMAGES")
    return problems

