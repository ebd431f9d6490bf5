"""What Karpenter 1.14.1 would launch for one pod from one NodePool: the NodeClaim it creates, or
why the pool cannot take the pod. Follows kubernetes-sigs/karpenter v1.14.1:

- `NewNodeClaimTemplate`: the pool's requirements, plus its template labels, `karpenter.sh/nodepool`
  and `karpenter.k8s.aws/ec2nodeclass` as `In` requirements;
- `NodeClaim.CanAdd`: the pool's taints tolerated, `Compatible(pod, AllowUndefinedWellKnownLabels)`,
  then the pod's requirements added (intersected: the larger `minValues` wins);
- `Topology.AddRequirements`: each topology spread constraint (DoNotSchedule, and ScheduleAnyway
  unless `settings.preferencePolicy: Ignore`) narrows its key to the one domain with the fewest
  pods (`nextDomainTopologySpread`); hostname is dropped before launch (`FinalizeScheduling`);
- instance types: those the requirements allow whose allocatable fits the pod and whose capacity
  fits the pool's limits; `minValues` (Strict) on the instance type counts them, and on other keys
  counts the instance types' raw offerings: the 1.14.1 behaviour of kubernetes-sigs/karpenter#2999;
- `ToNodeClaim`: instance types and capacity types written back as `In`, every requirement with
  its `minValues`.

Approximations, all on the side of finding fewer problems: DaemonSet overhead is not added to
the pod's requests; every catalog type is assumed offered as spot and on-demand in every zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..config.catalog import INSTANCE_CATALOG, InstanceType
from .karpenter_requirements import (CAPACITY_TYPE, HOSTNAME, INSTANCE_TYPE, NODEPOOL, ZONE, Requirement, Requirements,
                                     pod_requirement_terms, tolerates)

CAPACITY_TYPES = ("on-demand", "spot")
NODECLASS_LABEL = "karpenter.k8s.aws/ec2nodeclass"
_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


def quantity(value) -> float:
    """A Kubernetes quantity as a number (cores or bytes)."""
    match = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(value).strip())
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"'{value}' is not a Kubernetes quantity")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Requests:
    cpu: float  # cores
    memory: float  # bytes

    @classmethod
    def of_pod(cls, spec: dict) -> Requests:
        """max(sum of containers, largest init container), as the scheduler counts a pod."""
        def total(containers, key):
            return [quantity(((c.get("resources") or {}).get("requests") or {}).get(key, 0)) for c in containers or ()]
        return cls(*(max(sum(total(spec.get("containers"), k)), max(total(spec.get("initContainers"), k), default=0))
                     for k in ("cpu", "memory")))

    def __str__(self) -> str:
        return f"{self.cpu * 1000:.0f}m CPU, {self.memory / 2**20:.0f}Mi memory"


def allocatable(t: InstanceType) -> Requests:
    """Karpenter's allocatable estimate: its memory figure from the catalog; CPU minus the EKS AMI's
    kube-reserved (6% of the first core, 1% of the second, 0.5% of the next two, 0.25% above)."""
    shares = [0.06, 0.01, 0.005, 0.005] + [0.0025] * max(0, t.vcpu - 4)
    return Requests(t.vcpu - sum(shares[: t.vcpu]), t.karpenter_allocatable_memory_mib * 2**20)


def fits(t: InstanceType, pod: Requests) -> bool:
    room = allocatable(t)
    return pod.cpu <= room.cpu and pod.memory <= room.memory


@dataclass(frozen=True)
class Outcome:
    """A pool's answer for a pod: the NodeClaim Karpenter would create, or why it would not."""

    pool: str
    nodeclaim: dict | None = None
    reason: str = ""


def pool_requirements(pool: dict) -> Requirements:
    spec = (pool.get("spec") or {}).get("template") or {}
    reqs = Requirements.from_selectors((spec.get("spec") or {}).get("requirements") or ())
    labels = dict((spec.get("metadata") or {}).get("labels") or {})
    labels[NODEPOOL] = pool["metadata"]["name"]
    labels[NODECLASS_LABEL] = ((spec.get("spec") or {}).get("nodeClassRef") or {}).get("name", "default")
    return reqs.add(*Requirements.from_labels(labels).values())


def spread_keys(spec: dict, preference_policy: str) -> list[str]:
    """Topology keys Karpenter narrows to one domain for this pod (hostname aside)."""
    out = []
    for tsc in spec.get("topologySpreadConstraints") or ():
        if tsc.get("whenUnsatisfiable", "DoNotSchedule") != "DoNotSchedule" and preference_policy == "Ignore":
            continue
        if tsc.get("topologyKey") and tsc["topologyKey"] != HOSTNAME:
            out.append(tsc["topologyKey"])
    return out


def simulate(pool: dict, spec: dict, zones: tuple[str, ...], preference_policy: str = "Respect") -> Outcome:
    """The NodeClaim `pool` would get for a pod with this spec (the first affinity term that fits)."""
    name = pool["metadata"]["name"]
    template = ((pool.get("spec") or {}).get("template") or {}).get("spec") or {}
    taint = tolerates(template.get("taints"), spec.get("tolerations"))
    if taint:
        return Outcome(name, reason=f"the pod does not tolerate the taint {taint.get('key')}={taint.get('value', '')}:{taint.get('effect')}")
    base = pool_requirements(pool)
    reasons = []
    for term in pod_requirement_terms(spec):
        problem = base.incompatibility(term)
        if problem:
            reasons.append(problem)
            continue
        outcome = _launch(pool, template, base.copy().add(*term.values()), spec, zones, preference_policy)
        if outcome.nodeclaim is not None:
            return outcome
        reasons.append(outcome.reason)
    return Outcome(name, reason="; ".join(dict.fromkeys(reasons)))


def _launch(pool: dict, template: dict, reqs: Requirements, spec: dict, zones: tuple[str, ...], policy: str) -> Outcome:
    name = pool["metadata"]["name"]
    domains = {ZONE: zones, CAPACITY_TYPE: CAPACITY_TYPES}
    for key in spread_keys(spec, policy):
        current = reqs.get(key, Requirement.of(key, "Exists"))
        allowed = [d for d in (domains.get(key) or sorted(current.values)) if current.has(d)]
        if not allowed:
            return Outcome(name, reason=f"no {key} domain is left for the topology spread ({current})")
        reqs.add(Requirement.of(key, "In", [allowed[0]]))
    pod = Requests.of_pod(spec)
    limits = (pool.get("spec") or {}).get("limits") or {}
    types, why = _instance_types(reqs, pod, limits)
    if not types:
        return Outcome(name, reason=why)
    for key, req in reqs.items():
        offered = {INSTANCE_TYPE: types, ZONE: zones, CAPACITY_TYPE: CAPACITY_TYPES}.get(key)
        count = len([v for v in offered if key != INSTANCE_TYPE or req.has(v)]) if offered is not None else len(req.values)
        if req.min_values and count < req.min_values:  # minValuesPolicy Strict: the pod stays pending
            return Outcome(name, reason=f"{key} has minValues {req.min_values} but only {count} values are offered")
    capacity = [c for c in CAPACITY_TYPES if reqs.get(CAPACITY_TYPE, Requirement.of(CAPACITY_TYPE, "Exists")).has(c)]
    if not capacity or not any(reqs.get(ZONE, Requirement.of(ZONE, "Exists")).has(z) for z in zones):
        return Outcome(name, reason=f"no offering matches {reqs.get(CAPACITY_TYPE)} and {reqs.get(ZONE)}")
    reqs[INSTANCE_TYPE] = Requirement(INSTANCE_TYPE, frozenset(types), False, reqs[INSTANCE_TYPE].min_values if INSTANCE_TYPE in reqs else None)
    reqs.add(Requirement.of(CAPACITY_TYPE, "In", capacity))
    reqs.pop(HOSTNAME, None)
    return Outcome(name, nodeclaim=_nodeclaim(pool, template, reqs, pod))


def _instance_types(reqs: Requirements, pod: Requests, limits: dict) -> tuple[list[str], str]:
    allowed = [t for n, t in sorted(INSTANCE_CATALOG.items())
               if reqs.get(INSTANCE_TYPE, Requirement.of(INSTANCE_TYPE, "Exists")).has(n)
               and reqs.get("kubernetes.io/arch", Requirement.of("", "Exists")).has("amd64")
               and reqs.get("kubernetes.io/os", Requirement.of("", "Exists")).has("linux")]
    if not allowed:
        return [], f"no instance type matches {reqs.get(INSTANCE_TYPE)}"
    big_enough = [t for t in allowed if fits(t, pod)]
    if not big_enough:
        return [], f"the pod requests {pod}, more than any of {', '.join(t.name for t in allowed)} can allocate"
    cpu, memory = (quantity(limits[k]) if k in limits else float("inf") for k in ("cpu", "memory"))
    within = [t.name for t in big_enough if t.vcpu <= cpu and t.memory_gib * 2**30 <= memory]
    if not within:
        return [], f"the pool's limits (cpu {limits.get('cpu')}, memory {limits.get('memory')}) are below the smallest instance that fits the pod"
    return within, ""


def _nodeclaim(pool: dict, template: dict, reqs: Requirements, pod: Requests) -> dict:
    name = pool["metadata"]["name"]
    labels = dict(((pool["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {})
    spec: dict = {
        "nodeClassRef": template.get("nodeClassRef"),
        "requirements": [r.selector() for _, r in sorted(reqs.items())],
        "resources": {"requests": {"cpu": f"{round(pod.cpu * 1000)}m", "memory": f"{round(pod.memory / 2**20)}Mi", "pods": "1"}},
    }
    for key in ("taints", "startupTaints", "expireAfter", "terminationGracePeriod"):
        if template.get(key) is not None:
            spec[key] = template[key]
    return {"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
            "metadata": {"name": f"{name}-(generated)", "labels": {**labels, NODEPOOL: name}}, "spec": spec}
