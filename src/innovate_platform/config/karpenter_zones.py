"""Which `min_zones` a Karpenter NodePool can have: the combinations that cannot work are refused.

`min_zones: N` renders `topology.kubernetes.io/zone Exists minValues: N` on the pool. Two things
break it:

- the VPC has only `az_count` zones with subnets, so N above `az_count` never launches;
- every app pod spreads across zones (charts/innovate-lib renders a zone topology spread on every
  Deployment). Karpenter narrows each NodeClaim's zone to the one domain the spread picks and keeps
  the pool's `minValues`, so the API server rejects every NodeClaim with `minValues` above 1
  (kubernetes-sigs/karpenter#2999; the fix, #3170, is in no release up to Karpenter 1.14.1, which
  `minValuesPolicy: BestEffort` does not avoid either). The `scheduling` check proves it on the
  rendered charts; this rule stops the configuration before anything is rendered.
"""

from __future__ import annotations

ISSUE = "kubernetes-sigs/karpenter#2999"


def min_zones_problem(env) -> str | None:
    """One line naming the field and the fix, or None."""
    if env.karpenter is None:
        return None
    for i, pool in enumerate(env.karpenter.node_pools):
        where = f"karpenter.node_pools.{i}.min_zones (pool {pool.name})"
        if pool.min_zones > env.az_count:
            return (f"{where}: {pool.min_zones} zones, but the VPC has only az_count {env.az_count}; "
                    f"set min_zones to at most {env.az_count}")
        if pool.min_zones > 1:
            return (f"{where}: {pool.min_zones} cannot work: every app pod spreads across zones, so Karpenter narrows "
                    f"each NodeClaim to one zone and the API server rejects minValues {pool.min_zones} ({ISSUE}); "
                    "remove min_zones (the pods' zone spread already spreads the nodes)")
    return None
