"""ValidatingAdmissionPolicies (and their bindings) that keep tenants off the platform's capacity and traffic.

The API server enforces them in every tenant namespace, whoever writes the object (a team member,
a team's pod, the app's Flux release): no controller to run, and checks/admission.py evaluates the
same CEL offline against hostile objects and the platform's own charts.

- Pods and pod templates: only the tenant PriorityClasses; no toleration of the system nodes'
  taint (nor a key-less toleration, which tolerates every taint); no `role: system` node selector
  or affinity; no nodeName; no host namespaces, hostPath volumes or privileged containers, even
  where Pod Security enforces only baseline.
- Ingresses: on an internet-facing class only with sign-in at the ALB (auth-type cognito or
  oidc, never `allow` for unauthenticated requests); no IngressGroup, `actions.*` or
  `conditions.*` annotations, no legacy class
  annotation, no internet-facing scheme annotation outside namespaces of teams granted one, and
  only the IngressClasses platform.yaml gives the namespace; no `load-balancer-name` annotation
  (the shared ALB's name is the signer the API trusts; a team's ALB is named by its class).
- Services: no `alb.ingress.kubernetes.io/auth-*` annotation. The controller merges the backend
  Service's annotations over its Ingress's when it builds the authenticate action
  (pkg/ingress/enhanced_backend_builder.go buildAuthConfig, the Service winning), so
  `auth-type: none` on a Service would serve the app without sign-in. The target-group
  annotations a Service may also carry (healthcheck-*, success-codes, backend-protocol,
  target-group-attributes, tags) shape only that Service's own target group and stay allowed.
"""

from __future__ import annotations

from ..config import Environment, Platform
from .edge import CATCH_ALL_GROUP_ORDER
from .ingress_classes import internet_facing_classes, namespace_ingress_classes
from .objects import Obj, meta

ADMISSION_API = "admissionregistration.k8s.io/v1"
SYSTEM_TAINT_KEY = "CriticalAddonsOnly"
SYSTEM_ROLE = "system"
TENANT_PRIORITY_CLASSES = ("innovate-app",)
PLATFORM_PRIORITY_CLASSES = ("innovate-critical", "system-cluster-critical", "system-node-critical")
WRITES = ["CREATE", "UPDATE"]

POD_RULES: list[Obj] = [
    {"apiGroups": [""], "apiVersions": ["v1"], "operations": WRITES, "resources": ["pods", "pods/ephemeralcontainers"]},
    {"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": WRITES,
     "resources": ["deployments", "statefulsets", "daemonsets", "replicasets"]},
    {"apiGroups": ["batch"], "apiVersions": ["v1"], "operations": WRITES, "resources": ["jobs", "cronjobs"]},
]
INGRESS_RULES: list[Obj] = [
    {"apiGroups": ["networking.k8s.io"], "apiVersions": ["v1"], "operations": WRITES, "resources": ["ingresses"]},
]
SERVICE_RULES: list[Obj] = [
    {"apiGroups": [""], "apiVersions": ["v1"], "operations": WRITES, "resources": ["services"]},
]
ALB_PREFIX = "alb.ingress.kubernetes.io/"
# Annotation keys a tenant may not set (also checked on rendered objects by checks/edge_ingress.py).
SERVICE_AUTH_PREFIX = ALB_PREFIX + "auth-"
LOAD_BALANCER_NAME = ALB_PREFIX + "load-balancer-name"


def _cel_list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def _cel_map(values: dict[str, list[str]]) -> str:
    return "{" + ", ".join(f"'{k}': {_cel_list(v)}" for k, v in sorted(values.items())) + "}"


def _opt(path: str, default: str) -> str:
    """`path` if its last field is set, else `default` (CEL has no optional chaining in v1 rules)."""
    return f"(has({path}) ? {path} : {default})"


POD_VARIABLES: list[Obj] = [
    {"name": "spec", "expression": "object.kind == 'Pod' ? object.spec : "
                                   "(object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)"},
    {"name": "containers", "expression": " + ".join(_opt(f"variables.spec.{f}", "[]")
                                                    for f in ("containers", "initContainers", "ephemeralContainers"))},
]


def _term_ok(term: str) -> str:
    return (f"(!has({term}.matchExpressions) || {term}.matchExpressions.all(e, e.key != 'role' || e.operator == 'NotIn' "
            f"|| e.operator == 'DoesNotExist' || (e.operator == 'In' && !('{SYSTEM_ROLE}' in e.values))))")


def _node_affinity_rule() -> str:
    """Required and preferred node affinity terms stay off role: system (no object-typed ternaries:
    the API server type-checks each branch)."""
    affinity = "variables.spec.affinity.nodeAffinity"
    required = f"{affinity}.requiredDuringSchedulingIgnoredDuringExecution"
    preferred = f"{affinity}.preferredDuringSchedulingIgnoredDuringExecution"
    return (f"!has(variables.spec.affinity) || !has({affinity}) || ("
            f"(!has({required}) || {required}.nodeSelectorTerms.all(term, {_term_ok('term')})) && "
            f"(!has({preferred}) || {preferred}.all(p, {_term_ok('p.preference')})))")


def pod_validations() -> list[Obj]:
    allowed = _cel_list(TENANT_PRIORITY_CLASSES)
    spec = "variables.spec"
    return [
        {"expression": f"!has({spec}.priorityClassName) || {spec}.priorityClassName in {allowed}",
         "message": f"priorityClassName must be one of {', '.join(TENANT_PRIORITY_CLASSES)}: the platform's "
                    "PriorityClasses would let a tenant pod preempt the platform's controllers and CoreDNS"},
        {"expression": f"!has({spec}.tolerations) || {spec}.tolerations.all(t, has(t.key) && t.key != '' && t.key != '{SYSTEM_TAINT_KEY}')",
         "message": f"a toleration of the system nodes' taint ({SYSTEM_TAINT_KEY}) or of every taint (no key) is "
                    "reserved to the platform; tenant pods run on the app nodes"},
        {"expression": f"!has({spec}.nodeSelector) || !('role' in {spec}.nodeSelector) || {spec}.nodeSelector['role'] != '{SYSTEM_ROLE}'",
         "message": f"nodeSelector role: {SYSTEM_ROLE} selects the platform's system nodes; remove it"},
        {"expression": _node_affinity_rule(),
         "message": f"node affinity on role {SYSTEM_ROLE} (In or Exists) selects the platform's system nodes; remove it"},
        {"expression": f"request.operation != 'CREATE' || !has({spec}.nodeName)",
         "message": "spec.nodeName bypasses the scheduler and the nodes' taints; let the scheduler place the pod"},
        {"expression": " && ".join(f"!({_opt(f'{spec}.{f}', 'false')})" for f in ("hostNetwork", "hostPID", "hostIPC")),
         "message": "hostNetwork, hostPID and hostIPC share the node's namespaces; tenants never get them"},
        {"expression": f"!has({spec}.volumes) || {spec}.volumes.all(v, !has(v.hostPath))",
         "message": "hostPath volumes expose the node's filesystem; use an emptyDir or a PersistentVolumeClaim"},
        {"expression": "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || "
                       "!c.securityContext.privileged)",
         "message": "privileged containers own the node; set securityContext.privileged to false"},
    ]


def ingress_validations(platform: Platform, env: Environment) -> list[Obj]:
    internet_facing = sorted(ns for t in env.teams if t.ingress == "internet-facing" for ns in t.namespaces)
    classes = namespace_ingress_classes(platform, env)
    prefix = ALB_PREFIX
    return [
        {"expression": f"!variables.annotations.exists(k, k.startsWith('{prefix}group.') && "
                       f"!(k == '{prefix}group.order' && variables.annotations[k] == '{CATCH_ALL_GROUP_ORDER}'))",
         "message": "IngressGroup annotations (alb.ingress.kubernetes.io/group.*) are the platform's: the shared group "
                    "is pinned by its IngressClassParams and a tenant may not join or reorder it (group.order "
                    f"'{CATCH_ALL_GROUP_ORDER}', last, is the catch-all's place and the only order allowed)"},
        {"expression": f"!variables.annotations.exists(k, k.startsWith('{prefix}actions.') || k.startsWith('{prefix}conditions.'))",
         "message": "custom ALB actions and conditions (alb.ingress.kubernetes.io/actions.*, conditions.*) can redirect "
                    "other tenants' traffic; route with spec.rules only"},
        {"expression": f"!('{LOAD_BALANCER_NAME}' in variables.annotations)",
         "message": f"{LOAD_BALANCER_NAME} is the platform's: the shared ALB's name is the only signer the API trusts "
                    "and a team's ALB takes its name from its IngressClassParams; remove the annotation"},
        {"expression": "!('kubernetes.io/ingress.class' in variables.annotations)",
         "message": "the legacy kubernetes.io/ingress.class annotation is disabled; set spec.ingressClassName"},
        {"expression": f"!('{prefix}scheme' in variables.annotations) || variables.annotations['{prefix}scheme'] != "
                       f"'internet-facing' || namespaceObject.metadata.name in {_cel_list(internet_facing)}",
         "message": "an internet-facing ALB needs `ingress: internet-facing` for the team in platform.yaml (docs/tenancy.md)"},
        {"expression": f"variables.ingressClass in (namespaceObject.metadata.name in variables.classes ? "
                       f"variables.classes[namespaceObject.metadata.name] : [])",
         "message": "spec.ingressClassName is not a class platform.yaml gives this namespace: the shared class is for "
                    "exposed apps only, a team's own class for the teams granted `ingress` (docs/tenancy.md)"},
        {"expression": f"!(variables.ingressClass in {_cel_list(internet_facing_classes(env))}) || "
                       f"variables.annotations.exists(k, k == '{prefix}auth-type' && "
                       f"variables.annotations[k] in ['cognito', 'oidc'])",
         "message": "an Ingress on an internet-facing class must authenticate users: set alb.ingress.kubernetes.io/"
                    "auth-type to cognito or oidc with its auth-idp-* configuration (docs/network-security.md)"},
        {"expression": f"!variables.annotations.exists(k, k == '{prefix}auth-on-unauthenticated-request' && "
                       "variables.annotations[k] == 'allow')",
         "message": "auth-on-unauthenticated-request: allow forwards anonymous requests; use authenticate or deny"},
    ], [
        {"name": "annotations", "expression": _opt("object.metadata.annotations", "{}")},
        {"name": "ingressClass", "expression": _opt("object.spec.ingressClassName", "''")},
        {"name": "classes", "expression": _cel_map(classes)},
    ]


def service_validations() -> list[Obj]:
    return [
        {"expression": f"!variables.annotations.exists(k, k.startsWith('{SERVICE_AUTH_PREFIX}'))",
         "message": f"{SERVICE_AUTH_PREFIX}* annotations on a Service override its Ingress's sign-in (the AWS Load "
                    "Balancer Controller merges them over the Ingress's): sign-in is set on the Ingress only; remove them"},
    ]


SERVICE_VARIABLES: list[Obj] = [{"name": "annotations", "expression": _opt("object.metadata.annotations", "{}")}]


def tenant_namespace_selector(namespaces: list[str]) -> Obj:
    """The namespaces by their API-server-set name label (nobody can add it to another namespace)."""
    return {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": sorted(namespaces)}]}


def _policy(name: str, rules: list[Obj], variables: list[Obj], validations: list[Obj]) -> Obj:
    return {
        "apiVersion": ADMISSION_API,
        "kind": "ValidatingAdmissionPolicy",
        "metadata": meta(name),
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules},
            "variables": variables,
            "validations": [{**v, "reason": "Forbidden"} for v in validations],
        },
    }


def _binding(policy: str, namespaces: list[str]) -> Obj:
    return {
        "apiVersion": ADMISSION_API,
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": meta(policy),
        "spec": {
            "policyName": policy,
            "validationActions": ["Deny"],
            "matchResources": {"namespaceSelector": tenant_namespace_selector(namespaces)},
        },
    }


def render_admission(platform: Platform, env: Environment, namespaces: list[str]) -> list[Obj]:
    """The policies and their bindings to the tenant namespaces (nothing when there are none)."""
    if not namespaces:
        return []
    validations, variables = ingress_validations(platform, env)
    policies = [
        _policy("innovate-tenant-pods", POD_RULES, POD_VARIABLES, pod_validations()),
        _policy("innovate-tenant-ingresses", INGRESS_RULES, variables, validations),
        _policy("innovate-tenant-services", SERVICE_RULES, SERVICE_VARIABLES, service_validations()),
    ]
    return policies + [_binding(p["metadata"]["name"], namespaces) for p in policies]
