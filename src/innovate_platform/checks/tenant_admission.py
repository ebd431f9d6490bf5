"""Tenant admission, proven offline: the rendered ValidatingAdmissionPolicies must deny every
object of a hostile corpus in every tenant namespace, each for the reason it was built for, and
admit every object the platform's own charts and tree put in tenant namespaces.

The corpus: pods at each platform PriorityClass, tolerating the system taint (or every taint),
selecting or preferring `role: system`, bound to a node, sharing the host's namespaces, mounting
a hostPath, privileged (also as an init container and in a Deployment's and a CronJob's template,
as a baseline namespace would otherwise admit them); Ingresses joining or reordering the shared
group, with a redirect action or a condition, on the legacy class annotation, internet-facing
without the team's grant, on a class the namespace is not given, and on an internet-facing class
without sign-in, with auth-type none or letting unauthenticated requests through, naming the ALB
(the trusted shared ALB's name); Services whose auth-* annotations would override their Ingress's
sign-in (auth-type none, auth-on-unauthenticated-request allow).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..config import Environment, Platform
from ..gitops.admission import PLATFORM_PRIORITY_CLASSES, SYSTEM_ROLE, SYSTEM_TAINT_KEY
from ..gitops.ingress_classes import SHARED_CLASS, internet_facing_classes, namespace_ingress_classes
from ..naming import alb_name
from .admission import RESOURCES, BoundPolicy, admission_denials, bound_policies
from .model import Finding

ALB = "alb.ingress.kubernetes.io/"


@dataclass(frozen=True)
class Hostile:
    """One hostile object and a word its denial must name."""

    case: str
    obj: dict
    expect: str


def _pod(ns: str, **spec: object) -> dict:
    base = {"containers": [{"name": "app", "image": "public.ecr.aws/docker/library/busybox:1.37.0",
                            "securityContext": {"allowPrivilegeEscalation": False, "runAsNonRoot": True,
                                                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hostile", "namespace": ns}, "spec": {**base, **spec}}


def _privileged(ns: str, field: str = "containers") -> dict:
    """A pod whose `field` (containers or initContainers) holds a privileged container."""
    pod = _pod(ns)
    pod["spec"][field] = [{"name": "root", "image": "public.ecr.aws/docker/library/busybox:1.37.0",
                           "securityContext": {"privileged": True}}]
    return pod


def _template(kind: str, pod: dict) -> dict:
    meta = {"name": "hostile", "namespace": pod["metadata"]["namespace"]}
    template = {"metadata": {"labels": {"app": "hostile"}}, "spec": pod["spec"]}
    if kind == "CronJob":
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": meta,
                "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta,
            "spec": {"selector": {"matchLabels": {"app": "hostile"}}, "template": template}}


def _affinity(kind: str, expression: dict) -> dict:
    terms = [{"matchExpressions": [expression]}]
    if kind == "required":
        return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}
    return {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": terms[0]}]}}


def _ingress(ns: str, ingress_class: str | None, annotations: dict[str, str]) -> dict:
    spec: dict = {"rules": [{"host": "app.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
        "service": {"name": "hostile", "port": {"number": 80}}}}]}}]}
    if ingress_class:
        spec["ingressClassName"] = ingress_class
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "hostile", "namespace": ns, "annotations": annotations}, "spec": spec}


def _service(ns: str, annotations: dict[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "hostile", "namespace": ns, "annotations": annotations},
            "spec": {"selector": {"app": "hostile"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}


def hostile_corpus(platform: Platform, env: Environment, ns: str) -> list[Hostile]:
    """Every hostile object for one tenant namespace."""
    out = [Hostile(f"a pod at PriorityClass {pc}", _pod(ns, priorityClassName=pc), "priorityClassName")
           for pc in PLATFORM_PRIORITY_CLASSES]
    out += [
        Hostile("a pod tolerating the system taint", _pod(ns, tolerations=[{"key": SYSTEM_TAINT_KEY, "operator": "Exists"}]), "toleration"),
        Hostile("a pod tolerating every taint", _pod(ns, tolerations=[{"operator": "Exists"}]), "toleration"),
        Hostile("a pod selecting role: system", _pod(ns, nodeSelector={"role": SYSTEM_ROLE}), "nodeSelector"),
        Hostile("a pod requiring role In [system]", _pod(ns, affinity=_affinity(
            "required", {"key": "role", "operator": "In", "values": [SYSTEM_ROLE]})), "affinity"),
        Hostile("a pod preferring any role (Exists)", _pod(ns, affinity=_affinity(
            "preferred", {"key": "role", "operator": "Exists"})), "affinity"),
        Hostile("a pod bound to a node by nodeName", _pod(ns, nodeName="ip-10-0-0-1.ec2.internal"), "nodeName"),
        Hostile("a pod on the host network", _pod(ns, hostNetwork=True), "hostNetwork"),
        Hostile("a pod in the host PID namespace", _pod(ns, hostPID=True), "hostPID"),
        Hostile("a pod in the host IPC namespace", _pod(ns, hostIPC=True), "hostIPC"),
        Hostile("a pod mounting a hostPath", _pod(ns, volumes=[{"name": "root", "hostPath": {"path": "/"}}]), "hostPath"),
        Hostile("a privileged pod", _privileged(ns), "privileged"),
        Hostile("a privileged init container", _privileged(ns, "initContainers"), "privileged"),
        Hostile("a Deployment with a privileged template", _template("Deployment", _privileged(ns)), "privileged"),
        Hostile("a CronJob at system-node-critical", _template("CronJob", _pod(ns, priorityClassName="system-node-critical")),
                "priorityClassName"),
    ]
    allowed = namespace_ingress_classes(platform, env).get(ns, [])
    own = allowed[0] if allowed else SHARED_CLASS
    group = {f"{ALB}group.name": platform.organisation}
    out += [
        Hostile("an Ingress joining the shared group", _ingress(ns, own, group), "IngressGroup"),
        Hostile("an Ingress reordering the shared group", _ingress(ns, own, {f"{ALB}group.order": "-1000"}), "IngressGroup"),
        Hostile("an Ingress with a redirect action", _ingress(ns, own, {f"{ALB}actions.hijack": (
            '{"type":"redirect","redirectConfig":{"host":"evil.example.com","statusCode":"HTTP_302"}}')}), "actions"),
        Hostile("an Ingress with a custom condition", _ingress(ns, own, {f"{ALB}conditions.hostile": "[]"}), "conditions"),
        Hostile("an Ingress on the legacy class annotation", _ingress(ns, None, {"kubernetes.io/ingress.class": "alb"}),
                "ingress.class"),
        Hostile("an Ingress naming its ALB", _ingress(ns, own, {f"{ALB}load-balancer-name": alb_name(platform, env)}),
                "load-balancer-name"),
        Hostile("a Service with auth-type none", _service(ns, {f"{ALB}auth-type": "none"}), "override its Ingress's sign-in"),
        Hostile("a Service letting unauthenticated requests through",
                _service(ns, {f"{ALB}auth-on-unauthenticated-request": "allow"}), "override its Ingress's sign-in"),
    ]
    if own in allowed and own in internet_facing_classes(env):
        signed = {f"{ALB}auth-type": "cognito", f"{ALB}auth-idp-cognito": '{"userPoolARN":"x"}'}
        out += [
            Hostile("an internet-facing Ingress without sign-in", _ingress(ns, own, {}), "authenticate users"),
            Hostile("an internet-facing Ingress with auth-type none", _ingress(ns, own, {f"{ALB}auth-type": "none"}),
                    "authenticate users"),
            Hostile("an Ingress letting unauthenticated requests through", _ingress(ns, own, {
                **signed, f"{ALB}auth-on-unauthenticated-request": "allow"}), "anonymous"),
        ]
    if not any(t.ingress == "internet-facing" and ns in t.namespaces for t in env.teams):
        out.append(Hostile("an internet-facing Ingress without the team's grant",
                           _ingress(ns, own, {f"{ALB}scheme": "internet-facing"}), "internet-facing"))
    if SHARED_CLASS not in allowed:
        out.append(Hostile("an Ingress on the shared class outside an exposed app's namespace",
                           _ingress(ns, SHARED_CLASS, {}), "ingressClassName"))
    return out


def hostile_findings(env_name: str, policies: list[BoundPolicy], corpus: dict[str, list[Hostile]],
                     namespaces: dict[str, dict]) -> Iterator[Finding]:
    for ns, cases in sorted(corpus.items()):
        namespace_obj = namespaces.get(ns) or {"metadata": {"name": ns}}
        for h in cases:
            denied = admission_denials(policies, h.obj, namespace_obj, stop=h.expect)
            where = f"admission: {h.case} in namespace {ns}"
            if not denied:
                yield Finding(env_name, where, "ValidatingAdmissionPolicy", "is admitted: no rendered policy denies it",
                              "render the tenant policies (gitops/admission.py) and bind them to every tenant namespace")
            elif not any(h.expect in d for d in denied):
                yield Finding(env_name, where, "ValidatingAdmissionPolicy",
                              f"is denied only for other reasons ({'; '.join(denied)}), not by a rule on {h.expect}",
                              f"add the {h.expect} rule to the tenant policies (gitops/admission.py)")


def platform_findings(env_name: str, policies: list[BoundPolicy], objects: list, namespaces: dict[str, dict]) -> Iterator[Finding]:
    """The platform's own objects (charts and tree) in tenant namespaces pass the same policies."""
    for o in objects:
        if o.namespace not in namespaces or o.kind not in RESOURCES:
            continue
        denied = admission_denials(policies, o.obj, namespaces[o.namespace])
        if denied:
            yield Finding(env_name, o.where, "ValidatingAdmissionPolicy", f"the platform's own object is denied: {'; '.join(denied)}",
                          "fix the chart or the tree so it passes the tenant policies, or fix the policy (gitops/admission.py)")


def admission_findings(platform: Platform, env_name: str, objects: list, tenants: set[str]) -> list[Finding]:
    """`objects` are Located objects of the tree and charts; `tenants` the tenant namespaces of platform.yaml."""
    env = platform.env(env_name)
    policies = bound_policies([o.obj for o in objects])
    namespaces = {o.name: o.obj for o in objects if o.kind == "Namespace" and o.name in tenants}
    corpus = {ns: hostile_corpus(platform, env, ns) for ns in sorted(tenants)}
    return [*hostile_findings(env_name, policies, corpus, namespaces),
            *platform_findings(env_name, policies, objects, {ns: namespaces.get(ns, {"metadata": {"name": ns}}) for ns in tenants})]
