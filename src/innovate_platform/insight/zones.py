"""Availability zones in the simulator: which zone a node lands in, how a zone topology spread
limits where an app's pods may bind, and the NodePool zone requirement as Karpenter applies it.

The charts render two spread constraints on every Deployment (charts/innovate-lib
`_deployment.tpl`): `topology.kubernetes.io/zone` with the values' `maxSkew`,
`whenUnsatisfiable` and optional `minDomains`, and `kubernetes.io/hostname` (not modelled).
"""

from __future__ import annotations

import string

from ..config import NodePool
from .workloads import AppWorkload

KARPENTER_2999 = "kubernetes-sigs/karpenter#2999"


def zone_names(region: str, az_count: int) -> tuple[str, ...]:
    """The first `az_count` zones of the region, as the VPC construct picks them (a, b, c)."""
    return tuple(f"{region}{string.ascii_lowercase[i]}" for i in range(az_count))


def hard_spread(app: AppWorkload) -> bool:
    """The zone constraint is a scheduling filter (DoNotSchedule), not a preference."""
    return app.zone_spread == "DoNotSchedule"


def spread_room(app: AppWorkload, counts: dict[str, int], domains: set[str], zone: str) -> int:
    """How many more of the app's pods zone `zone` may take now under a DoNotSchedule zone
    spread (kube-scheduler PodTopologySpread): count + 1 - global minimum <= maxSkew, where the
    global minimum is 0 while fewer domains than `minDomains` exist. A large number when the
    constraint is only a preference."""
    if not hard_spread(app):
        return 1 << 30
    if zone not in domains:
        domains = domains | {zone}
    if app.zone_min_domains and len(domains) < app.zone_min_domains:
        floor = 0
    else:
        floor = min(counts.get(d, 0) for d in domains)
    return max(0, floor + app.zone_max_skew - counts.get(zone, 0))


def pool_rejects(pool: NodePool, app: AppWorkload) -> str | None:
    """Why Karpenter 1.14 cannot create a NodeClaim in this pool for the app's pods, or None.

    A zone requirement with `minValues` > 1 (platform.yaml `min_zones`) and a pod with any zone
    topology spread (the charts always render one, ScheduleAnyway included): Karpenter narrows
    the NodeClaim's zone requirement to the one zone it picked for the spread, keeps
    `minValues`, and the NodeClaim CRD's validation rejects it ("requirements with 'minValues'
    must have at least that many values"); BestEffort minValuesPolicy does not relax it
    (kubernetes-sigs/karpenter#2999, ../shared/reference/aws-facts.md)."""
    if pool.min_zones > 1 and app.zone_spread in ("DoNotSchedule", "ScheduleAnyway"):
        return (f"NodePool '{pool.name}' zone minValues {pool.min_zones} with the pod's zone topology spread: "
                f"the NodeClaim is narrowed to one zone and rejected ({KARPENTER_2999})")
    return None
