"""Offline ValidatingAdmissionPolicy evaluation: the rendered policies' CEL, run by the engine the
CRD rules use (manifests._cel_program, cel-python), with the variables the API server provides
(object, oldObject, request, params, namespaceObject, variables).

A policy applies to an object when one of its matchConstraints.resourceRules names the object's
group, resource and operation and a binding's namespaceSelector selects the object's namespace.
It denies when a validation is false or cannot be evaluated (failurePolicy Fail).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .manifests import _cel_program

# kind -> (API group, resource) for what tenants and the platform's charts write.
RESOURCES = {
    "Pod": ("", "pods"), "Deployment": ("apps", "deployments"), "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"), "ReplicaSet": ("apps", "replicasets"), "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"), "Ingress": ("networking.k8s.io", "ingresses"),
    "Service": ("", "services"), "ConfigMap": ("", "configmaps"), "Secret": ("", "secrets"),
    "ServiceAccount": ("", "serviceaccounts"), "HorizontalPodAutoscaler": ("autoscaling", "horizontalpodautoscalers"),
    "PodDisruptionBudget": ("policy", "poddisruptionbudgets"), "NetworkPolicy": ("networking.k8s.io", "networkpolicies"),
    "ScaledObject": ("keda.sh", "scaledobjects"), "TriggerAuthentication": ("keda.sh", "triggerauthentications"),
}


@dataclass(frozen=True)
class BoundPolicy:
    """A ValidatingAdmissionPolicy with the namespace selectors of its Deny bindings."""

    name: str
    spec: dict
    selectors: tuple[dict, ...]
    text: str = field(default="", compare=False)  # the spec as JSON: the evaluation cache's key

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", json.dumps(self.spec, sort_keys=True))

    @property
    def reads_namespace(self) -> bool:
        return any(k in self.text for k in ("namespaceObject", "metadata.namespace", "request.namespace"))


def bound_policies(objects: list[dict]) -> list[BoundPolicy]:
    policies = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "ValidatingAdmissionPolicy"}
    selectors: dict[str, list[dict]] = {}
    for b in objects:
        if b.get("kind") != "ValidatingAdmissionPolicyBinding":
            continue
        spec = b.get("spec") or {}
        if "Deny" in (spec.get("validationActions") or []):
            selector = (spec.get("matchResources") or {}).get("namespaceSelector") or {}
            selectors.setdefault(str(spec.get("policyName")), []).append(selector)
    return [BoundPolicy(name, p.get("spec") or {}, tuple(selectors.get(name, ()))) for name, p in sorted(policies.items())]


def selects(selector: dict, labels: dict[str, str]) -> bool:
    """A LabelSelector against labels (an empty selector selects everything)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def namespace_labels(namespace_obj: dict) -> dict[str, str]:
    meta = namespace_obj.get("metadata") or {}
    return {**(meta.get("labels") or {}), "kubernetes.io/metadata.name": str(meta.get("name"))}


def _rule_matches(rule: dict, group: str, resource: str, operation: str) -> bool:
    return (
        (group in rule.get("apiGroups", []) or "*" in rule.get("apiGroups", []))
        and (resource in rule.get("resources", []) or "*" in rule.get("resources", []))
        and (operation in rule.get("operations", []) or "*" in rule.get("operations", []))
    )


def applies(policy: BoundPolicy, obj: dict, namespace_obj: dict, operation: str = "CREATE") -> bool:
    kind = str(obj.get("kind"))
    if kind not in RESOURCES:
        return False
    group, resource = RESOURCES[kind]
    rules = (policy.spec.get("matchConstraints") or {}).get("resourceRules") or []
    if not any(_rule_matches(r, group, resource, operation) for r in rules):
        return False
    labels = namespace_labels(namespace_obj)
    return any(selects(s, labels) for s in policy.selectors)


def _request(obj: dict, operation: str) -> dict:
    group, resource = RESOURCES[str(obj.get("kind"))]
    meta = obj.get("metadata") or {}
    version = str(obj.get("apiVersion", "v1")).rsplit("/", 1)[-1]
    return {"operation": operation, "namespace": meta.get("namespace", ""), "name": meta.get("name", ""),
            "kind": {"group": group, "version": version, "kind": obj.get("kind")},
            "resource": {"group": group, "version": version, "resource": resource},
            "userInfo": {"username": "tenant", "groups": ["system:authenticated"]}}


def _evaluate(expression: str, activation: dict) -> Any:
    from celpy.evaluation import CELEvalError

    try:
        return _cel_program(expression).evaluate(activation)
    except CELEvalError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a compile error is a broken policy, reported as a denial
        return exc


# (policy, object, namespace or None, operation, stop) -> denials: the same pod spec in three
# namespaces and three environments is evaluated once (cel-python interprets, ~10 ms a rule).
_CACHE: dict[tuple[str, str, str | None, str, str | None], list[str]] = {}


def denials(policy: BoundPolicy, obj: dict, namespace_obj: dict, operation: str = "CREATE", stop: str | None = None) -> list[str]:
    """Messages of the validations that deny the object (empty: admitted by this policy); with
    `stop`, evaluation ends at the first denial whose message contains it."""
    scoped = policy.reads_namespace
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if scoped or k != "namespace"}
    key = (policy.text, json.dumps({**obj, "metadata": meta}, sort_keys=True, default=str),
           json.dumps(namespace_obj, sort_keys=True, default=str) if scoped else None, operation, stop)
    if key not in _CACHE:
        _CACHE[key] = _denials(policy, obj, namespace_obj, operation, stop)
    return _CACHE[key]


def _denials(policy: BoundPolicy, obj: dict, namespace_obj: dict, operation: str, stop: str | None) -> list[str]:
    import celpy

    activation: dict[str, Any] = {
        "object": celpy.json_to_cel(obj),
        "oldObject": celpy.json_to_cel(None),
        "params": celpy.json_to_cel(None),
        "request": celpy.json_to_cel(_request(obj, operation)),
        "namespaceObject": celpy.json_to_cel(namespace_obj),
    }
    variables: dict[str, Any] = {}
    for v in policy.spec.get("variables") or []:
        activation["variables"] = _variables_map(variables)
        variables[v["name"]] = _evaluate(v["expression"], activation)
    activation["variables"] = _variables_map(variables)
    out = []
    for rule in policy.spec.get("validations") or []:
        result = _evaluate(rule["expression"], activation)
        if isinstance(result, Exception):
            out.append(f"{rule.get('message', rule['expression'])} (could not be evaluated: {result})")
        elif not bool(result):
            out.append(str(rule.get("message") or rule["expression"]))
        if stop and out and stop in out[-1]:
            break
    return out


def _variables_map(values: dict[str, Any]) -> Any:
    from celpy import celtypes

    return celtypes.MapType({celtypes.StringType(k): v for k, v in values.items() if not isinstance(v, Exception)})


def admission_denials(policies: list[BoundPolicy], obj: dict, namespace_obj: dict, operation: str = "CREATE",
                      stop: str | None = None) -> list[str]:
    """`policy: message` for every denial of the object by any applicable policy (see `denials` for `stop`)."""
    return [f"{p.name}: {m}" for p in policies if applies(p, obj, namespace_obj, operation)
            for m in denials(p, obj, namespace_obj, operation, stop)]
