"""Flux as a tenant: each app's HelmRelease reconciles as its own ServiceAccount, bound by a Role
in the app's namespace only, so a chart change cannot create cluster-scoped objects (ClusterRoles,
webhooks, CRDs, Namespaces) or touch another namespace.

The ServiceAccount lives in flux-system next to the HelmRelease (helm-controller impersonates
`spec.serviceAccountName` from the HelmRelease's namespace); teams have no access there, so they
cannot mount its token. checks/rbac_reach.py proves the Role covers every kind the chart renders.
"""

from __future__ import annotations

from ..config import App
from .bootstrap import FLUX_NAMESPACE
from .objects import Obj, meta, role_with_binding

READ = ["get", "list", "watch"]
WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"]

# What the app charts render (and Helm stores: release Secrets), plus what helm-controller reads
# to wait for health.
RECONCILER_RULES: list[Obj] = [
    {"apiGroups": [""], "resources": ["configmaps", "secrets", "services", "serviceaccounts"], "verbs": WRITE},
    {"apiGroups": [""], "resources": ["pods", "events", "endpoints"], "verbs": READ},
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": WRITE},
    {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": READ},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": WRITE},
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": WRITE},  # the API's migration hook Job
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": WRITE},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": WRITE},
    {"apiGroups": ["keda.sh"], "resources": ["scaledobjects", "triggerauthentications"], "verbs": WRITE},
]


def reconciler_name(app: App) -> str:
    return f"{app.name}-reconciler"


def render_reconciler(app: App) -> list[Obj]:
    """The app's reconciler ServiceAccount (flux-system) and its Role and binding in the app's namespace."""
    name = reconciler_name(app)
    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, FLUX_NAMESPACE)}
    subject = {"kind": "ServiceAccount", "name": name, "namespace": FLUX_NAMESPACE}
    return [account] + role_with_binding(f"flux-{name}", app.namespace, RECONCILER_RULES, subject)
