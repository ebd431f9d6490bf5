"""The ALB's trust boundary: IngressClasses whose IngressClassParams the controller enforces.

- `alb`, the shared class: its IngressClassParams pin the IngressGroup (one internet-facing ALB
  for the platform's apps), the ALB's name (naming.alb_name: the API trusts identities signed by
  that ALB only, so its ARN must be known before it exists) and admit only the namespaces of apps
  platform.yaml marks `exposed`.
  The controller's legacy class and group-name annotations are off (gitops/controllers.py), so
  the params are the only way into the group.
- `team-<name>`, for each team platform.yaml grants `ingress`: no group (each Ingress gets its own
  ALB), the granted scheme, only the team's namespaces. No loadBalancerName: without a group each
  Ingress is its own ALB, so one name on the class would make every Ingress of the team claim the
  same ALB. The controller names such ALBs `k8s-<namespace:8>-<ingress:8>-<hash:10>`
  (model_build_load_balancer.go buildLoadBalancerName), never `<organisation>-<env>`, and tenant
  admission refuses the `load-balancer-name` annotation (the params' name would win on the shared
  class anyway), so no team ALB can take the name of the signer the API trusts.

Field names from the IngressClassParams CRD (elbv2.k8s.aws/v1beta1) of the AWS Load Balancer
Controller chart 3.5.0: spec.group.name, spec.loadBalancerName, spec.scheme, spec.namespaceSelector,
spec.targetType.
The chart recommends creating IngressClassParams after the controller runs: they live in the
infra-configs layer, which waits for the controllers.
"""

from __future__ import annotations

from ..config import Environment, Platform, Team
from ..naming import alb_name
from .objects import Obj, meta

SHARED_CLASS = "alb"
CONTROLLER = "ingress.k8s.aws/alb"
PARAMS_API = "elbv2.k8s.aws/v1beta1"


def team_class(team: Team) -> str:
    return f"team-{team.name}"


def exposed_namespaces(platform: Platform) -> list[str]:
    return sorted({a.namespace for a in platform.apps if a.exposed})


def namespace_ingress_classes(platform: Platform, env: Environment) -> dict[str, list[str]]:
    """Tenant namespace -> the IngressClasses its Ingresses may use (absent: none)."""
    out: dict[str, list[str]] = {ns: [SHARED_CLASS] for ns in exposed_namespaces(platform)}
    for team in env.teams:
        if team.ingress != "none":
            for ns in team.namespaces:
                out.setdefault(ns, []).append(team_class(team))
    return out


def internet_facing_classes(env: Environment) -> list[str]:
    """The classes whose ALBs face the internet: the shared one and each team class granted it.
    Their Ingresses must authenticate users (tenant admission, platform-security)."""
    return [SHARED_CLASS] + [team_class(t) for t in env.teams if t.ingress == "internet-facing"]


def _by_name(namespaces: list[str]) -> Obj:
    return {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": sorted(namespaces)}]}


def _ingress_class(name: str, params: str) -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": meta(name),
        "spec": {"controller": CONTROLLER, "parameters": {"apiGroup": "elbv2.k8s.aws", "kind": "IngressClassParams", "name": params}},
    }


def _params(name: str, spec: Obj) -> Obj:
    return {"apiVersion": PARAMS_API, "kind": "IngressClassParams", "metadata": meta(name), "spec": spec}


def render_ingress_classes(platform: Platform, env: Environment) -> list[Obj]:
    out: list[Obj] = []
    exposed = exposed_namespaces(platform)
    if exposed:
        out += [
            _params(SHARED_CLASS, {"namespaceSelector": _by_name(exposed), "group": {"name": platform.organisation},
                                   "loadBalancerName": alb_name(platform, env), "scheme": "internet-facing", "targetType": "ip"}),
            _ingress_class(SHARED_CLASS, SHARED_CLASS),
        ]
    for team in env.teams:
        if team.ingress == "none":
            continue
        name = team_class(team)
        out += [
            _params(name, {"namespaceSelector": _by_name(list(team.namespaces)), "scheme": team.ingress, "targetType": "ip"}),
            _ingress_class(name, name),
        ]
    return out
