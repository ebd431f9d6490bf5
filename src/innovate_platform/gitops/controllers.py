"""infra-controllers: one file per controller (namespace, chart source and HelmRelease together)."""

from __future__ import annotations

from ..config import Environment, Platform
from ..config.compatibility import CLUSTER_AUTOSCALER_IMAGES
from ..naming import CLUSTER_AUTOSCALER, CLUSTER_AUTOSCALER_GROUP_TAG, KARPENTER, KEDA, LOAD_BALANCER_CONTROLLER
from ..upstream.cache import KARPENTER_OCI, REPOSITORIES
from .external_dns import external_dns
from .objects import (
    SYSTEM_NODE_SELECTOR,
    SYSTEM_TOLERATIONS,
    Obj,
    chart_from_oci,
    chart_from_repository,
    helm_release,
    helm_repository,
    irsa_annotation,
    oci_chart_repository,
    var,
)
from .platform_namespaces import controller_namespace, flux_namespace, keda_network_policies

EKS_CHARTS = REPOSITORIES["aws-load-balancer-controller"]
METRICS_SERVER_CHARTS = REPOSITORIES["metrics-server"]
AUTOSCALER_CHARTS = REPOSITORIES["cluster-autoscaler"]
KEDA_CHARTS = REPOSITORIES["keda"]


class UnsupportedKubernetesVersion(ValueError):
    """No pinned Cluster Autoscaler image for the cluster's Kubernetes minor."""


def _system(values: Obj) -> Obj:
    """Chart values placing every pod of the chart on the system node group."""
    return {**values, "tolerations": SYSTEM_TOLERATIONS, "nodeSelector": SYSTEM_NODE_SELECTOR}


def spread(labels: dict[str, str]) -> list[Obj]:
    """Replicas on different nodes (hard) and spread over zones (best effort: the system group
    may have fewer zones than replicas at night or in dev)."""
    selector = {"matchLabels": dict(labels)}
    return [
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": selector},
        {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector},
    ]


def _selector(chart_name: str, release: str) -> dict[str, str]:
    """The selector labels the upstream charts put on their pods (app.kubernetes.io name/instance)."""
    return {"app.kubernetes.io/name": chart_name, "app.kubernetes.io/instance": release}


def karpenter(platform: Platform, env: Environment) -> list[Obj]:
    """Karpenter's CRD chart, then the controller: IRSA, the interruption queue name, off its own nodes."""
    version = platform.versions.charts["karpenter"]
    crd_version = platform.versions.charts["karpenter-crd"]
    ns = KARPENTER.namespace
    values = _system(
        {
            "replicas": 2,
            "settings": {"clusterName": var("cluster_name"), "interruptionQueue": var("karpenter_interruption_queue")},
            "serviceAccount": {"name": KARPENTER.service_account, "annotations": irsa_annotation(KARPENTER.var)},
            "controller": {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}},
            # Never on a node Karpenter launched: it would be disrupting its own host.
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": "karpenter.sh/nodepool", "operator": "DoesNotExist"}]}
                        ]
                    }
                }
            },
        }
    )
    return [
        oci_chart_repository("karpenter-crd", ns, f"{KARPENTER_OCI}/karpenter-crd", crd_version),
        helm_release("karpenter-crd", ns, chart=chart_from_oci("karpenter-crd"), values={}, crds="CreateReplace"),
        oci_chart_repository("karpenter", ns, f"{KARPENTER_OCI}/karpenter", version),
        # CRDs belong to karpenter-crd (Helm never upgrades a chart's crds/ directory).
        helm_release("karpenter", ns, chart=chart_from_oci("karpenter"), values=values, depends_on=["karpenter-crd"]),
    ]


def load_balancer_controller(platform: Platform, env: Environment) -> list[Obj]:
    """AWS Load Balancer Controller: region and VPC set explicitly (IMDS hop limit 1 hides them)."""
    role = LOAD_BALANCER_CONTROLLER
    values = _system(
        {
            "replicaCount": 2,
            "clusterName": var("cluster_name"),
            "region": var("aws_region"),
            "vpcId": var("vpc_id"),
            "serviceAccount": {"create": True, "name": role.service_account, "annotations": irsa_annotation(role.var)},
            # IngressClasses and their params come from the configs layer (ingress_classes.py); the
            # legacy annotations would bypass them.
            "createIngressClassResource": False,
            "disableIngressClassAnnotation": True,
            "disableIngressGroupNameAnnotation": True,
            # The platform creates no LoadBalancer Service; the fail-closed Service webhook would
            # make every Service create fail while the controller is not ready.
            "enableServiceMutatorWebhook": False,
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
            "podDisruptionBudget": {"maxUnavailable": 1},
            "topologySpreadConstraints": spread(_selector("aws-load-balancer-controller", role.key)),
        }
    )
    chart = chart_from_repository("aws-load-balancer-controller", platform.versions.charts[role.key], "eks-charts")
    return [
        helm_repository("eks-charts", role.namespace, EKS_CHARTS),
        helm_release(role.key, role.namespace, chart=chart, values=values, crds="CreateReplace"),
    ]


def metrics_server(platform: Platform, env: Environment) -> list[Obj]:
    """metrics-server: the CPU metrics the charts' HPAs scale on."""
    chart = chart_from_repository("metrics-server", platform.versions.charts["metrics-server"], "metrics-server")
    return [
        helm_repository("metrics-server", "kube-system", METRICS_SERVER_CHARTS),
        helm_release("metrics-server", "kube-system", chart=chart, values=_system({
            "replicas": 2,
            "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
            "topologySpreadConstraints": spread(_selector("metrics-server", "metrics-server")),
        })),
    ]


def cluster_autoscaler(platform: Platform, env: Environment) -> list[Obj]:
    """Cluster Autoscaler for node groups tagged for auto-discovery (staging's `app` group)."""
    minor = platform.versions.kubernetes
    if minor not in CLUSTER_AUTOSCALER_IMAGES:
        raise UnsupportedKubernetesVersion(
            f"versions.kubernetes: no Cluster Autoscaler image pinned for {minor}; "
            "add one to CLUSTER_AUTOSCALER_IMAGES in innovate_platform/config/compatibility.py"
        )
    role = CLUSTER_AUTOSCALER
    values = _system(
        {
            "cloudProvider": "aws",
            "awsRegion": var("aws_region"),
            "autoDiscovery": {
                "clusterName": var("cluster_name"),
                # EKS tags every managed group's ASG with the first two; only the group marked
                # cluster_autoscaler in platform.yaml also carries the third (set by CDK).
                "tags": ["k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/" + var("cluster_name"),
                         CLUSTER_AUTOSCALER_GROUP_TAG],
            },
            "image": {"repository": "registry.k8s.io/autoscaling/cluster-autoscaler", "tag": CLUSTER_AUTOSCALER_IMAGES[minor]},
            "rbac": {"serviceAccount": {"create": True, "name": role.service_account, "annotations": irsa_annotation(role.var)}},
            # The chart requests nothing by default; these are the example figures in its values.yaml.
            "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}, "limits": {"memory": "300Mi"}},
            "extraArgs": {
                "balance-similar-node-groups": True,
                "skip-nodes-with-system-pods": False,
                "expander": "least-waste",
            },
        }
    )
    chart = chart_from_repository("cluster-autoscaler", platform.versions.charts[role.key], "autoscaler")
    return [
        helm_repository("autoscaler", role.namespace, AUTOSCALER_CHARTS),
        helm_release(role.key, role.namespace, chart=chart, values=values),
    ]


def keda(platform: Platform, env: Environment) -> list[Obj]:
    """KEDA: its operator reads CloudWatch for the apps' ScaledObjects through its own IRSA role.

    Two replicas of each component: the metrics server backs the aggregated external metrics API,
    whose unavailability stalls API discovery (and namespace deletion) cluster-wide. Secrets are
    readable only in KEDA's own namespace."""
    pdb = {"maxUnavailable": 1}
    values = _system(
        {
            "serviceAccount": {"operator": {"create": True, "name": KEDA.service_account}},
            "podIdentity": {"aws": {"irsa": {"enabled": True, "roleArn": var(KEDA.var)}}},
            "operator": {"replicaCount": 2},
            "metricsServer": {"replicaCount": 2},
            "webhooks": {"replicaCount": 2},
            "podDisruptionBudget": {"operator": pdb, "metricServer": pdb, "webhooks": pdb},
            "permissions": {"operator": {"restrict": {"secret": True}}, "metricServer": {"restrict": {"secret": True}}},
        }
    )
    chart = chart_from_repository("keda", platform.versions.charts["keda"], "kedacore")
    return [
        controller_namespace(platform, KEDA.namespace),
        helm_repository("kedacore", KEDA.namespace, KEDA_CHARTS),
        helm_release("keda", KEDA.namespace, chart=chart, values=values, crds="CreateReplace"),
    ]


def render_controllers(platform: Platform, env: Environment) -> dict[str, list[Obj]]:
    """File name -> objects of the controllers NodePools and apps need (infra-controllers)."""
    files: dict[str, list[Obj]] = {}
    if env.uses_karpenter:
        files["karpenter.yaml"] = karpenter(platform, env)
    else:
        files["cluster-autoscaler.yaml"] = cluster_autoscaler(platform, env)
    files["aws-load-balancer-controller.yaml"] = load_balancer_controller(platform, env)
    files["flux-system.yaml"] = flux_namespace(platform)
    return files


def render_addons(platform: Platform, env: Environment, uses_keda: bool) -> dict[str, list[Obj]]:
    """File name -> objects of the optional controllers (infra-addons, which nothing waits for):
    metrics-server, external-dns (the apps' records), and KEDA only where an app scales with it."""
    files = {"metrics-server.yaml": metrics_server(platform, env), "external-dns.yaml": external_dns(platform, env)}
    if uses_keda:
        files["keda.yaml"] = keda(platform, env) + keda_network_policies(env)
    return files
