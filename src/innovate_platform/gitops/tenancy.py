"""Tenancy: namespaces with Pod Security labels, team RBAC, quotas, default-deny networking, priorities."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Environment, Platform, Team
from ..config.tenancy import namespace_quota
from ..network_layout import subnet_layout
from .admission import PLATFORM_PRIORITY_CLASSES, render_admission
from .edge_auth import render_oidc_secret_access
from .ingress_classes import render_ingress_classes
from .app_needs import READINESS_GATE_LABEL
from .objects import Obj, meta, namespace, pod_security_labels, role_with_binding, var
from .reconciler import render_reconciler

APP_PORT = 8080
PRIORITY_CLASSES = {"innovate-critical": 1_000_000, "innovate-app": 1_000}

# Explicit verbs only: a team edits its workloads and reads its Secrets in its own namespaces;
# NetworkPolicies, quotas and RBAC stay the platform's, and Ingresses too unless platform.yaml
# grants the team `ingress` (then through its own IngressClass only: gitops/ingress_classes.py).
READ = ["get", "list", "watch"]
WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"]
TEAM_RULES: list[Obj] = [
    {"apiGroups": [""], "resources": ["configmaps", "secrets", "services", "persistentvolumeclaims", "serviceaccounts"], "verbs": WRITE},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "delete"]},
    {"apiGroups": [""], "resources": ["pods/log", "events", "endpoints", "resourcequotas", "limitranges"], "verbs": READ},
    {"apiGroups": [""], "resources": ["pods/portforward"], "verbs": ["create"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": WRITE},
    {"apiGroups": ["apps"], "resources": ["deployments/scale", "statefulsets/scale"], "verbs": ["get", "update", "patch"]},
    {"apiGroups": ["apps"], "resources": ["replicasets"], "verbs": READ},
    {"apiGroups": ["batch"], "resources": ["jobs", "cronjobs"], "verbs": WRITE},
    {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": WRITE},
    {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets"], "verbs": WRITE},
    {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "networkpolicies"], "verbs": READ},
    {"apiGroups": ["keda.sh"], "resources": ["scaledobjects", "triggerauthentications"], "verbs": WRITE},
]
INGRESS_WRITE: Obj = {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses"], "verbs": WRITE}


def team_rules(team: Team) -> list[Obj]:
    """What platform.yaml grants a team in each of its namespaces."""
    return TEAM_RULES + ([INGRESS_WRITE] if team.ingress != "none" else [])


@dataclass(frozen=True)
class TenantNamespace:
    """A namespace the platform creates: its owning teams and the app (if any) living in it."""

    name: str
    teams: tuple[Team, ...]
    app_names: tuple[str, ...]
    https_egress: bool
    postgres_egress: bool


def tenant_namespaces(platform: Platform, env: Environment) -> list[TenantNamespace]:
    """Every team and app namespace, sorted by name."""
    names = {ns for t in env.teams for ns in t.namespaces} | {a.namespace for a in platform.apps}
    out = []
    for name in sorted(names):
        apps = [a for a in platform.apps if a.namespace == name]
        out.append(
            TenantNamespace(
                name=name,
                teams=tuple(t for t in env.teams if name in t.namespaces),
                app_names=tuple(a.name for a in apps),
                # STS (IRSA) and S3 are HTTPS endpoints; RDS listens on 5432 inside the VPC.
                https_egress=any(a.s3_bucket or a.database for a in apps),
                postgres_egress=any(a.database for a in apps),
            )
        )
    return out


def tenant_pod_security(platform: Platform, env: Environment) -> dict[str, str]:
    """restricted is enforced in prod; elsewhere baseline is enforced and restricted warned and audited."""
    return pod_security_labels(platform.versions.kubernetes, "restricted" if env.name == "prod" else "baseline")


def _team_access(ns: TenantNamespace) -> list[Obj]:
    out: list[Obj] = []
    for team in ns.teams:
        group = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": team.group}
        out += role_with_binding(f"innovate-team-{team.name}", ns.name, team_rules(team), group)
    return out


def _quota(env: Environment, ns: TenantNamespace) -> list[Obj]:
    """The namespace's share of the app capacity (config/tenancy.py), no pods at the platform's
    PriorityClasses, no load balancers or node ports outside the platform's Ingresses."""
    shares = [namespace_quota(env, team) for team in ns.teams]
    cpu = min((c for c, _ in shares), default=0)
    memory = min((m for _, m in shares), default=0)
    quota = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": meta("tenant-quota", ns.name),
        "spec": {
            "hard": {
                "requests.cpu": f"{cpu}m",
                "requests.memory": f"{memory}Mi",
                "pods": "100",
                "services.loadbalancers": "0",
                "services.nodeports": "0",
            }
        },
    }
    platform_priorities = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": meta("platform-priority-classes", ns.name),
        "spec": {
            "hard": {"pods": "0"},
            "scopeSelector": {
                "matchExpressions": [
                    {"scopeName": "PriorityClass", "operator": "In", "values": list(PLATFORM_PRIORITY_CLASSES)}
                ]
            },
        },
    }
    limits = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": meta("tenant-defaults", ns.name),
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    "default": {"cpu": "500m", "memory": "512Mi"},
                    "max": {"cpu": "4", "memory": "16Gi"},
                }
            ]
        },
    }
    return [quota, platform_priorities, limits]


def _policy(ns: str, name: str, spec: Obj) -> Obj:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name, ns), "spec": spec}


def network_policies(env: Environment, ns: TenantNamespace) -> list[Obj]:
    """Default-deny both ways, then DNS, ALB ingress to the app port and the egress the apps need."""
    everything: Obj = {}
    out = [
        _policy(ns.name, "default-deny", {"podSelector": everything, "policyTypes": ["Ingress", "Egress"]}),
        _policy(
            ns.name,
            "allow-dns",
            {
                "podSelector": everything,
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
        ),
    ]
    grants = {t.ingress for t in ns.teams}
    if ns.app_names or grants - {"none"}:
        # ALB target-type ip: the load balancer's nodes sit in the public subnets (internal ALBs
        # of a team granted `ingress: internal`: the private ones) and reach pods directly; other
        # pods in the VPC do not get in (kubelet probes from the node always do).
        layout = subnet_layout(env)
        cidrs = list(layout.public) if ns.app_names or "internet-facing" in grants else []
        cidrs += list(layout.private) if "internal" in grants else []
        alb_subnets = [{"ipBlock": {"cidr": cidr}} for cidr in cidrs]
        out.append(
            _policy(
                ns.name,
                "allow-alb-ingress",
                {
                    "podSelector": everything,
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": alb_subnets, "ports": [{"protocol": "TCP", "port": APP_PORT}]}],
                },
            )
        )
    if ns.https_egress:
        out.append(
            _policy(
                ns.name,
                "allow-https-egress",
                {"podSelector": everything, "policyTypes": ["Egress"], "egress": [{"ports": [{"protocol": "TCP", "port": 443}]}]},
            )
        )
    if ns.postgres_egress:
        out.append(
            _policy(
                ns.name,
                "allow-postgres-egress",
                {
                    "podSelector": everything,
                    "policyTypes": ["Egress"],
                    "egress": [{"to": [{"ipBlock": {"cidr": var("vpc_cidr")}}], "ports": [{"protocol": "TCP", "port": 5432}]}],
                },
            )
        )
    return out


def priority_classes() -> list[Obj]:
    return [
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": meta(name),
            "value": value,
            "globalDefault": False,
            "preemptionPolicy": "PreemptLowerPriority",
            "description": f"Innovate {name.removeprefix('innovate-')} workloads",
        }
        for name, value in PRIORITY_CLASSES.items()
    ]


def render_tenancy(platform: Platform, env: Environment, alb_targets: frozenset[str] = frozenset()) -> dict[str, list[Obj]]:
    """File name -> objects: one file per tenant namespace, plus the PriorityClasses, admission
    policies, IngressClasses and the apps' Flux reconcilers. Namespaces in `alb_targets` get ALB
    pod readiness gates injected (gitops/app_needs.py)."""
    labels = tenant_pod_security(platform, env)
    tenants = tenant_namespaces(platform, env)
    files = {"priority-classes.yaml": priority_classes()}
    files["admission-policies.yaml"] = render_admission(platform, env, [ns.name for ns in tenants])
    files["ingress-classes.yaml"] = render_ingress_classes(platform, env)
    files["oidc-secret-access.yaml"] = render_oidc_secret_access(platform, env)
    files["flux-reconcilers.yaml"] = [o for app in platform.apps for o in render_reconciler(app)]
    files = {name: objs for name, objs in files.items() if objs}
    for ns in tenants:
        ns_labels = {**labels, "innovate.io/tenant": "true"}
        if ns.name in alb_targets:
            ns_labels[READINESS_GATE_LABEL] = "enabled"
        files[f"namespace-{ns.name}.yaml"] = (
            [namespace(ns.name, ns_labels)] + _team_access(ns) + _quota(env, ns) + network_policies(env, ns)
        )
    return files
