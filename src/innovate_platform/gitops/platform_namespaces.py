"""The platform's own namespaces: Pod Security labels at the strictest level their pods pass, and
default-deny networking with the precise egress each one needs.

Levels are proven by rendering the upstream charts with the values the tree sets
(tests/gitops/test_tenant_isolation.py): KEDA and Flux pass restricted. kube-system is EKS's
(aws-node, kube-proxy and the EBS CSI node plugin are privileged) and stays unlabelled: the tree
never owns it, so pruning can never touch it.
"""

from __future__ import annotations

from ..config import Environment, Platform
from ..network_layout import subnet_layout
from ..naming import KEDA
from .bootstrap import FLUX_NAMESPACE
from .objects import Obj, meta, namespace, pod_security_labels

# The ports the EKS control plane calls in KEDA (its chart 2.20's defaults, checked against the
# rendered chart's APIService and webhook Services by tests/gitops/test_tenant_isolation.py):
# the external metrics APIService (6443) and the admission webhooks (9443).
KEDA_CONTROL_PLANE_PORTS = (6443, 9443)

# Namespace -> the strictest Pod Security level every pod the tree puts there passes.
CONTROLLER_POD_SECURITY = {"keda": "restricted", FLUX_NAMESPACE: "restricted", "innovate-sleep": "restricted"}


def controller_namespace(platform: Platform, name: str, prune: bool = True) -> Obj:
    """A controller namespace with its Pod Security labels; `prune=False` for one the tree adopts
    (Flux never deletes it when it leaves the tree)."""
    obj = namespace(name, pod_security_labels(platform.versions.kubernetes, CONTROLLER_POD_SECURITY[name]))
    if not prune:
        obj["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/prune": "disabled"}
    return obj


def flux_namespace(platform: Platform) -> list[Obj]:
    """flux-system is created by CDK's Flux release; the tree adopts it for its labels only."""
    return [controller_namespace(platform, FLUX_NAMESPACE, prune=False)]


def _policy(ns: str, name: str, spec: Obj) -> Obj:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name, ns), "spec": spec}


def api_server_egress(env: Environment, ns: str) -> list[Obj]:
    """Default-deny both ways, then only the Kubernetes API: the EKS control plane's ENIs sit in
    the cluster's (private) subnets, port 443. kubectl in a pod reaches the API by the service's
    IP from its environment (KUBERNETES_SERVICE_HOST), so no DNS is needed."""
    everything: Obj = {}
    return [
        _policy(ns, "default-deny", {"podSelector": everything, "policyTypes": ["Ingress", "Egress"]}),
        _policy(ns, "allow-api-server", {
            "podSelector": everything,
            "policyTypes": ["Egress"],
            "egress": [{"to": [{"ipBlock": {"cidr": c}} for c in subnet_layout(env).private],
                        "ports": [{"protocol": "TCP", "port": 443}]}],
        }),
    ]


def _dns_egress(ns: str) -> Obj:
    return _policy(ns, "allow-dns", {
        "podSelector": {},
        "policyTypes": ["Egress"],
        "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}],
    })


def keda_network_policies(env: Environment) -> list[Obj]:
    """KEDA: default-deny; its pods talk to each other (operator gRPC 9666 to the metrics server);
    the control plane (ENIs in the private subnets) calls the metrics APIService and the webhooks;
    egress DNS and HTTPS (the API server, CloudWatch and STS for the aws-cloudwatch scaler, whose
    addresses are AWS's and not fixed)."""
    ns = KEDA.namespace
    private = [{"ipBlock": {"cidr": c}} for c in subnet_layout(env).private]
    same_namespace = [{"podSelector": {}}]
    return [
        _policy(ns, "default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}),
        _dns_egress(ns),
        _policy(ns, "allow-keda-pods", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"],
                                        "ingress": [{"from": same_namespace}], "egress": [{"to": same_namespace}]}),
        _policy(ns, "allow-control-plane", {
            "podSelector": {}, "policyTypes": ["Ingress"],
            "ingress": [{"from": private, "ports": [{"protocol": "TCP", "port": p} for p in KEDA_CONTROL_PLANE_PORTS]}]}),
        _policy(ns, "allow-https-egress", {"podSelector": {}, "policyTypes": ["Egress"],
                                           "egress": [{"ports": [{"protocol": "TCP", "port": 443}]}]}),
    ]
