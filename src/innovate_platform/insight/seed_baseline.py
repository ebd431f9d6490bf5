"""The seed's design priced as the seed states it (../shared/seed/innovate-eks-platform.md,
"Node Group Types by Environment"), for a like-for-like comparison with this platform.

Each line names its assumption. The seed runs Cluster Autoscaler in every environment on one
application node group per environment; its baseline count is on reserved instances where it says
Reserved, bursts on-demand, dev on spot and off outside office hours. Everything the seed does not
size (the system node group, disks, the network, logs, the database and the items in
extra_costs.py) is priced exactly as this platform's: the same shared items on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Environment, NodeGroup
from .cost import LineItem, _group_monthly
from .prices import PriceTable

SEED_DOC = "seed/innovate-eks-platform.md"


@dataclass(frozen=True)
class SeedGroup:
    """One row of the seed's node group table."""

    env: str
    instance_type: str
    pricing: str  # reserved+on-demand | reserved | spot
    min_nodes: int
    max_nodes: int
    quote: str  # the seed's words


SEED_GROUPS = {
    "prod": SeedGroup("prod", "c6i.xlarge", "reserved+on-demand", 4, 6,
                      "`c6i.xlarge` (On-Demand + Reserved), 4-6 nodes, spread across AZs, buffer for traffic bursts"),
    "staging": SeedGroup("staging", "t3.large", "reserved", 2, 3, "`t3.large` (Reserved), 2-3 nodes, persistent 24/7 for test parity"),
    "dev": SeedGroup("dev", "t3.medium", "spot", 2, 2, "`t3.medium` (Spot), 2 nodes, scales down to 0 during off-hours"),
}


def _app_disk_gib(env: Environment) -> int:
    apps = [g for g in env.node_groups if g.role == "app"]
    return apps[0].disk_size_gib if apps else env.node_groups[0].disk_size_gib


def seed_items(env: Environment, prices: PriceTable, awake_hours: float) -> list[LineItem]:
    """The seed's node groups (min / desired / max); the caller adds the shared items."""
    seed = SEED_GROUPS[env.name]
    h = prices.hours_per_month
    ebs = prices.item("ebs_gp3_gb_month")
    price = prices.instance(seed.instance_type)
    items: list[LineItem] = []
    if seed.pricing == "spot":
        hours = awake_hours
        how = (f"{seed.max_nodes} x {seed.instance_type} spot ${price.spot:.4f}/h for {hours:.0f} h "
               f"(assumption: the seed's off-hours are this platform's sleep timeline)")
        sizes = {"min": seed.min_nodes, "desired": seed.min_nodes, "max": seed.max_nodes}
        monthly = {k: n * price.spot * hours for k, n in sizes.items()}
    else:
        hours = h
        rate = price.reserved.value if price.reserved else price.on_demand.value
        burst = price.on_demand.value
        sizes = {"min": seed.min_nodes, "desired": seed.min_nodes, "max": seed.max_nodes}
        monthly = {k: (seed.min_nodes * rate + (n - seed.min_nodes) * burst) * h for k, n in sizes.items()}
        how = (f"{seed.min_nodes} x {seed.instance_type} 1-yr reserved ${rate}/h 24/7 (the seed's baseline count), "
               f"bursts to {seed.max_nodes} on-demand ${burst}/h under Cluster Autoscaler (assumption: reserve the minimum)")
    items.append(LineItem("compute", "seed app node group", f"seed: {seed.quote}. Priced: {how}",
                          *(round(monthly[k], 2) for k in ("min", "desired", "max")), price.on_demand.cite()))
    disk = _app_disk_gib(env)
    items.append(LineItem("storage", "EBS root volumes (seed app group)",
                          f"{disk} GiB gp3 per node (assumption: as this platform's app group)",
                          *(round(sizes[k] * disk * ebs.value * hours / h, 2) for k in ("min", "desired", "max")), ebs.cite()))
    for g in env.node_groups:
        if g.role == "system":
            items.extend(_same_system_group(g, env, prices, awake_hours))
    return items


def _same_system_group(g: NodeGroup, env: Environment, prices: PriceTable, awake_hours: float) -> list[LineItem]:
    """The seed names a system node group but does not size it: priced as this platform's."""
    always_on = env.sleep is None
    ebs = prices.item("ebs_gp3_gb_month")
    h = prices.hours_per_month
    sizes = {"min": g.min_size, "desired": g.desired_size, "max": g.max_size}
    cost = {k: _group_monthly(g, n, awake_hours, prices, always_on)[0] for k, n in sizes.items()}
    detail = (f"seed: 'separate node groups for system/infra workloads', no size given. Priced as this platform's "
              f"group {g.name} ({g.min_size}/{g.desired_size}/{g.max_size} x {g.instance_types[0]}): a shared item")
    vol = {k: n * g.disk_size_gib * ebs.value * awake_hours / h for k, n in sizes.items()}
    return [LineItem("compute", f"node group {g.name} (as this platform)", detail,
                     *(round(cost[k], 2) for k in ("min", "desired", "max")), prices.instance(g.instance_types[0]).on_demand.cite()),
            LineItem("storage", f"EBS root volumes ({g.name}, as this platform)", f"{g.disk_size_gib} GiB gp3 per node",
                     *(round(vol[k], 2) for k in ("min", "desired", "max")), ebs.cite())]
