"""`tenancy`: RBAC and isolation over the GitOps tree and charts of one environment.

- each team's bindings only in its own namespaces (platform.yaml teams), and no team can read
  Secrets outside them (via any Role, ClusterRole or ClusterRoleBinding);
- nothing is bound to cluster-admin in the tree (platform admins get it from EKS access entries);
- no rule grants wildcard verbs or resources on Secrets;
- a default-deny NetworkPolicy in every app and team namespace, which enforces Pod Security
  (restricted in prod, at least baseline elsewhere);
- CPU and memory requests and limits on every container of every workload;
- the rendered ValidatingAdmissionPolicies deny a hostile corpus in every tenant namespace and
  admit the platform's own objects (tenant_admission.py);
- each team reaches no more than platform.yaml grants, and app releases reconcile as their own
  namespace-bound ServiceAccount, never as cluster-admin (rbac_reach.py);
- the apps fit their namespace's quota at maximum scale plus a rollout's surge (quota_fit.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from ..config import Environment, Platform
from .inputs import CheckInputs, ManifestFile
from .kubernetes import describe
from .model import Check, Finding
from .pod_security import pod_spec_of

READ_VERBS = {"get", "list", "watch", "*"}
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
# Built-in ClusterRoles a binding may reference without the tree defining them, and whether they read Secrets.
BUILTIN_CLUSTER_ROLES = {"cluster-admin": True, "admin": True, "edit": True, "view": False}


@dataclass(frozen=True)
class Located:
    """An object with the file it comes from."""

    path: str
    obj: dict
    default_namespace: str | None = None

    @property
    def where(self) -> str:
        return f"{self.path}: {describe(self.obj)}"

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind"))

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name"))

    @property
    def namespace(self) -> str | None:
        return (self.obj.get("metadata") or {}).get("namespace") or self.default_namespace


def locate(files: Iterable[ManifestFile]) -> list[Located]:
    return [Located(f.path, o, f.namespace) for f in files for o in f.objects()]


def team_groups(env: Environment) -> dict[str, set[str]]:
    """Kubernetes group of each team -> its namespaces."""
    return {team.group: set(team.namespaces) for team in env.teams}


def role_rules(objects: list[Located], kind: str, name: str, namespace: str | None) -> list[dict] | None:
    for o in objects:
        if o.kind == kind and o.name == name and (kind == "ClusterRole" or o.namespace == namespace):
            return [r for r in (o.obj.get("rules") or []) if isinstance(r, dict)]
    return None


def reads_secrets(rules: list[dict]) -> bool:
    for rule in rules:
        groups = set(rule.get("apiGroups") or [])
        resources = set(rule.get("resources") or [])
        if groups & {"", "*"} and resources & {"secrets", "*"} and set(rule.get("verbs") or []) & READ_VERBS:
            return True
    return False


def _binding_reads_secrets(objects: list[Located], binding: Located) -> bool | None:
    ref = binding.obj.get("roleRef") or {}
    kind, name = ref.get("kind"), ref.get("name")
    rules = role_rules(objects, str(kind), str(name), binding.namespace)
    if rules is not None:
        return reads_secrets(rules)
    if kind == "ClusterRole" and name in BUILTIN_CLUSTER_ROLES:
        return BUILTIN_CLUSTER_ROLES[name]
    return None  # unknown role: cannot be proven


def binding_findings(env: str, platform_env: Environment, objects: list[Located]) -> Iterator[Finding]:
    groups = team_groups(platform_env)
    for b in objects:
        if b.kind not in ("RoleBinding", "ClusterRoleBinding"):
            continue
        ref = b.obj.get("roleRef") or {}
        if ref.get("name") == "cluster-admin":
            yield Finding(env, b.where, "roleRef.name", "binds cluster-admin inside the cluster",
                          "remove it: platform admins get cluster admin from EKS access entries (admin_role_arns) only")
        for i, subject in enumerate(b.obj.get("subjects") or []):
            group = (subject or {}).get("name")
            if (subject or {}).get("kind") != "Group" or group not in groups:
                continue
            own = groups[group]
            secrets = _binding_reads_secrets(objects, b)
            if b.kind == "ClusterRoleBinding":
                yield Finding(env, b.where, f"subjects[{i}]", f"team group {group} is bound cluster-wide",
                              f"bind the team with RoleBindings in its namespaces ({', '.join(sorted(own))}) only")
                if secrets is not False:
                    yield Finding(env, b.where, "roleRef", f"team group {group} can read Secrets in every namespace",
                                  "use a Role without secrets, bound in the team's own namespaces")
            elif b.namespace not in own:
                yield Finding(env, b.where, f"subjects[{i}]",
                              f"team group {group} is bound in namespace {b.namespace}, outside its namespaces ({', '.join(sorted(own))})",
                              f"move the binding to one of the team's namespaces or add {b.namespace} to the team in platform.yaml")
                if secrets is not False:
                    yield Finding(env, b.where, "roleRef", f"team group {group} can read Secrets in {b.namespace}",
                                  "remove the binding; teams read Secrets only in their own namespaces")
            if secrets is None:
                yield Finding(env, b.where, "roleRef", f"{ref.get('kind')} {ref.get('name')} is not in the tree, so what it grants cannot be proven",
                              "render the Role/ClusterRole in the tree next to the binding")


def wildcard_secret_rules(env: str, objects: list[Located]) -> Iterator[Finding]:
    for o in objects:
        if o.kind not in ("Role", "ClusterRole"):
            continue
        for i, rule in enumerate(o.obj.get("rules") or []):
            rule = rule or {}
            groups, resources, verbs = (set(rule.get(k) or []) for k in ("apiGroups", "resources", "verbs"))
            core = groups & {"", "*"}
            if core and "*" in resources:
                yield Finding(env, o.where, f"rules[{i}].resources", "grants every resource (*), Secrets included",
                              "list the resources the role needs")
            elif core and "secrets" in resources and "*" in verbs:
                yield Finding(env, o.where, f"rules[{i}].verbs", "grants every verb (*) on Secrets", "list the verbs it needs")


def is_default_deny(policy: dict) -> bool:
    spec = policy.get("spec") or {}
    selector = spec.get("podSelector")
    empty_selector = selector is not None and not (selector or {}).get("matchLabels") and not (selector or {}).get("matchExpressions")
    types = set(spec.get("policyTypes") or [])
    return empty_selector and types >= {"Ingress", "Egress"} and not spec.get("ingress") and not spec.get("egress")


def tenant_namespaces(platform: Platform, env: Environment) -> set[str]:
    return {a.namespace for a in platform.apps} | {ns for team in env.teams for ns in team.namespaces}


def default_deny_findings(env: str, namespaces: set[str], objects: list[Located]) -> Iterator[Finding]:
    defined = {o.name for o in objects if o.kind == "Namespace"}
    for ns in sorted(namespaces):
        if any(o.kind == "NetworkPolicy" and o.namespace == ns and is_default_deny(o.obj) for o in objects):
            continue
        where = f"Namespace {ns}" + ("" if ns in defined else " (not in the tree)")
        yield Finding(env, where, "NetworkPolicy", "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)",
                      "add the default-deny policy (gitops/tenancy.py renders one per tenant namespace)")


ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
STRICTNESS = {"privileged": 0, "baseline": 1, "restricted": 2}


def namespace_pod_security(env: str, namespaces: set[str], objects: list[Located]) -> Iterator[Finding]:
    """Tenant namespaces enforce Pod Security: restricted in prod, at least baseline elsewhere."""
    wanted = "restricted" if env == "prod" else "baseline"
    for o in objects:
        if o.kind != "Namespace" or o.name not in namespaces:
            continue
        level = str(((o.obj.get("metadata") or {}).get("labels") or {}).get(ENFORCE_LABEL, "privileged"))
        if STRICTNESS.get(level, 0) < STRICTNESS[wanted]:
            yield Finding(env, o.where, f"metadata.labels['{ENFORCE_LABEL}']", f"enforces {level}, not {wanted}",
                          f"label the namespace {ENFORCE_LABEL}: {wanted} (gitops/tenancy.py)")


def _containers(obj: dict) -> Iterator[tuple[str, dict]]:
    spec = pod_spec_of(obj) or {}
    prefix = {"CronJob": "spec.jobTemplate.spec.template.spec", "Pod": "spec"}.get(str(obj.get("kind")), "spec.template.spec")
    for field in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(field) or []):
            if isinstance(c, dict):
                yield f"{prefix}.{field}[{i}]", c


def resource_findings(env: str, objects: list[Located]) -> Iterator[Finding]:
    for o in objects:
        if o.kind not in WORKLOAD_KINDS:
            continue
        for path, c in _containers(o.obj):
            resources = c.get("resources") or {}
            missing = [f"{part}.{r}" for part in ("requests", "limits") for r in ("cpu", "memory")
                       if not (resources.get(part) or {}).get(r)]
            if missing:
                yield Finding(env, o.where, f"{path}.resources", f"container {c.get('name')!r} has no {', '.join(missing)}",
                              "set CPU and memory requests and limits (the chart's resources values)")


def tenancy_findings(platform: Platform, env: str, objects: list[Located]) -> list[Finding]:
    platform_env = platform.env(env)
    return [*binding_findings(env, platform_env, objects), *wildcard_secret_rules(env, objects),
            *default_deny_findings(env, tenant_namespaces(platform, platform_env), objects),
            *namespace_pod_security(env, tenant_namespaces(platform, platform_env), objects),
            *resource_findings(env, objects)]


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    from .quota_fit import quota_findings
    from .rbac_reach import release_findings, team_findings
    from .tenant_admission import admission_findings

    objects = locate(inputs.gitops().for_env(env) + inputs.charts().for_env(env))
    tenants = tenant_namespaces(inputs.platform, inputs.platform.env(env))
    return (tenancy_findings(inputs.platform, env, objects) + admission_findings(inputs.platform, env, objects, tenants)
            + list(team_findings(inputs.platform, env, objects)) + list(release_findings(inputs.platform, env, objects))
            + list(quota_findings(env, objects, tenants)))


CHECK = Check("tenancy", "team RBAC reach, admission policies vs hostile objects, no cluster-admin releases, default-deny, requests and limits", run,
              needs=("gitops", "charts"), envs=("dev", "staging", "prod"))
