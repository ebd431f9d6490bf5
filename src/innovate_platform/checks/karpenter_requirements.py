"""Karpenter's node requirement algebra, as kubernetes-sigs/karpenter v1.14.1 implements it
(`pkg/scheduling/requirement.go`, `requirements.go`), for the `scheduling` check.

A requirement is a set of values or its complement, with an optional `minValues`:
`In [a b]` is {a, b}; `NotIn [a]` is everything but a; `Exists` is the complement of nothing;
`DoesNotExist` is nothing. Intersection keeps the larger `minValues` (Karpenter's `maxIntPtr`),
which is how a pool's `minValues: 2` on the zone survives a pod's narrowing to one zone
(kubernetes-sigs/karpenter#2999). `Gt`/`Lt`/`Gte`/`Lte` are treated as `Exists` (this platform
uses none; the check says so if it meets one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

ZONE = "topology.kubernetes.io/zone"
HOSTNAME = "kubernetes.io/hostname"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
NODEPOOL = "karpenter.sh/nodepool"
# v1.WellKnownLabels (core) plus the AWS provider's instance labels: a pod may require them
# although the pool does not list them, because every instance type carries them.
WELL_KNOWN = frozenset({NODEPOOL, ZONE, "topology.kubernetes.io/region", INSTANCE_TYPE, "kubernetes.io/arch",
                        "kubernetes.io/os", CAPACITY_TYPE, "node.kubernetes.io/windows-build"})
WELL_KNOWN_PREFIXES = ("karpenter.k8s.aws/",)
NEGATIVE = ("NotIn", "DoesNotExist")
BOUNDS = ("Gt", "Lt", "Gte", "Lte")


@dataclass(frozen=True)
class Requirement:
    key: str
    values: frozenset[str]
    complement: bool
    min_values: int | None = None

    @classmethod
    def of(cls, key: str, operator: str, values: Iterable[Any] = (), min_values: int | None = None) -> Requirement:
        vals = frozenset(str(v) for v in values or ())
        if operator == "In":
            return cls(key, vals, False, min_values)
        if operator == "NotIn":
            return cls(key, vals, True, min_values)
        if operator == "DoesNotExist":
            return cls(key, frozenset(), False, min_values)
        return cls(key, frozenset(), True, min_values)  # Exists, and bounds as Exists

    @property
    def operator(self) -> str:
        if self.complement:
            return "NotIn" if self.values else "Exists"
        return "In" if self.values else "DoesNotExist"

    def has(self, value: str) -> bool:
        return (value not in self.values) if self.complement else (value in self.values)

    def intersection(self, other: Requirement) -> Requirement:
        if self.complement and other.complement:
            values = self.values | other.values
        elif self.complement:
            values = other.values - self.values
        elif other.complement:
            values = self.values - other.values
        else:
            values = self.values & other.values
        mins = [m for m in (self.min_values, other.min_values) if m is not None]
        return Requirement(self.key, frozenset(values), self.complement and other.complement, max(mins) if mins else None)

    def intersects(self, other: Requirement) -> bool:
        if self.complement and other.complement:
            return True
        if self.complement:
            return bool(other.values - self.values)
        if other.complement:
            return bool(self.values - other.values)
        return bool(self.values & other.values)

    def selector(self) -> dict:
        """The NodeSelectorRequirementWithMinValues Karpenter writes into a NodeClaim."""
        out: dict[str, Any] = {"key": self.key, "operator": self.operator}
        if self.operator in ("In", "NotIn"):
            out["values"] = sorted(self.values)
        if self.min_values is not None:
            out["minValues"] = self.min_values
        return out

    def __str__(self) -> str:
        shown = f" ({', '.join(sorted(self.values))})" if self.values else ""
        return f"{self.key} {self.operator}{shown}" + (f" minValues {self.min_values}" if self.min_values else "")


class Requirements(dict):
    """key -> Requirement; adding a requirement intersects it with the one already there."""

    def add(self, *reqs: Requirement) -> Requirements:
        for req in reqs:
            self[req.key] = self[req.key].intersection(req) if req.key in self else req
        return self

    def copy(self) -> Requirements:
        return Requirements(self)

    @classmethod
    def from_selectors(cls, selectors: Iterable[dict]) -> Requirements:
        out = cls()
        for s in selectors or ():
            out.add(Requirement.of(str(s["key"]), str(s.get("operator", "In")), s.get("values") or (), s.get("minValues")))
        return out

    @classmethod
    def from_labels(cls, labels: dict) -> Requirements:
        return cls().add(*(Requirement.of(str(k), "In", [v]) for k, v in (labels or {}).items()))

    def incompatibility(self, pod: Requirements) -> str | None:
        """Why a node with these requirements cannot take a pod with `pod`'s, as Karpenter's
        `Compatible(..., AllowUndefinedWellKnownLabels)` decides; None when it can."""
        for key, req in pod.items():
            if key in self or req.operator in NEGATIVE or key in WELL_KNOWN or key.startswith(WELL_KNOWN_PREFIXES):
                continue
            return f'label "{key}" does not have known values (the pod requires {req})'
        for key in pod.keys() & self.keys():
            mine, theirs = self[key], pod[key]
            if not mine.intersects(theirs) and not (theirs.operator in NEGATIVE and mine.operator in NEGATIVE):
                return f"the pod requires {theirs}, the node offers {mine}"
        return None


def pod_requirement_terms(spec: dict) -> list[Requirements]:
    """One Requirements per required node affinity term (ORed), each with the nodeSelector added,
    in the order Karpenter tries them (it relaxes a failing term by dropping it)."""
    base = Requirements.from_labels(spec.get("nodeSelector") or {})
    affinity = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = affinity.get("nodeSelectorTerms") or [{}]
    return [base.copy().add(*Requirements.from_selectors(t.get("matchExpressions") or ()).values()) for t in terms]


def tolerates(taints: Iterable[dict], tolerations: Iterable[dict]) -> dict | None:
    """The first NoSchedule/NoExecute taint no toleration matches, or None."""
    for taint in taints or ():
        if taint.get("effect") == "PreferNoSchedule":
            continue
        if not any(_tolerates(taint, t) for t in tolerations or ()):
            return taint
    return None


def _tolerates(taint: dict, toleration: dict) -> bool:
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if not toleration.get("key"):
        return toleration.get("operator") == "Exists"
    if toleration["key"] != taint.get("key"):
        return False
    if toleration.get("operator") == "Exists":
        return True
    return str(toleration.get("value", "")) == str(taint.get("value", ""))
