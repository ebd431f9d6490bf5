"""Monthly cost estimate per environment, and the saving against the seed's design as it states it.

Three columns: node groups at min, desired and max size (Karpenter pools at zero, at the
modelled usage, and at their limits). Everything that is not in platform.yaml or the templates
is a named assumption below, with its rationale; prices come from data/prices.yaml.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config import INSTANCE_CATALOG, Environment, NodeGroup, Platform
from .gitops_facts import karpenter_root_volume_gib
from .observability_cost import observability_items
from .prices import PriceTable, load_prices
from .templates import TemplateFacts
from .workloads import AppWorkload

# -- Named assumptions (documented in docs/insight.md) ------------------------------------
# Average share of each Karpenter pool's CPU limit in use while workloads are awake: bursts
# above the reserved baseline for a few hours a day. Replace it with the node-hours
# `innovate simulate` reports for a real trace.
KARPENTER_MODELLED_USAGE = 0.10
# GB/month through the NAT gateways (image layers not served by endpoints, OS updates, third
# party APIs). Replace with VPC Flow Logs figures once the environment runs.
NAT_DATA_GB_PER_MONTH = {"dev": 20, "staging": 50, "prod": 200}
# Average ALB LCUs per hour (an idle ALB bills close to 0; 1 LCU = 25 new conn/s or 1 GB/h).
ALB_LCU_PER_HOUR = {"dev": 0.2, "staging": 0.5, "prod": 2.0}
# Control-plane log volume with all five log types enabled, GB/month (audit dominates).
CONTROL_PLANE_LOG_GB_PER_MONTH = {"dev": 5, "staging": 10, "prod": 30}
# The ALB controller creates one ALB per ingress group; internet-facing ALBs hold one public
# IPv4 address per AZ (billed like any public IPv4 since 2024-02).
ALB_PUBLIC_IPS_PER_AZ = 1
# Million requests a month the WAF web ACL inspects (blocked ones included). Replace with the
# ACL's CloudWatch AllowedRequests + BlockedRequests once the environment runs.
WAF_MILLION_REQUESTS_PER_MONTH = {"dev": 1, "staging": 2, "prod": 30}

SCENARIOS = ("min", "desired", "max")


@dataclass(frozen=True)
class LineItem:
    """One priced thing, monthly USD at min, desired and max."""

    category: str
    name: str
    detail: str
    min: float
    desired: float
    max: float
    source: str

    @classmethod
    def flat(cls, category: str, name: str, detail: str, monthly: float, source: str) -> LineItem:
        return cls(category, name, detail, monthly, monthly, monthly, source)


@dataclass(frozen=True)
class EnvironmentCost:
    env: str
    items: tuple[LineItem, ...]
    static_items: tuple[LineItem, ...]
    notes: tuple[str, ...] = field(default=())

    def total(self, scenario: str = "desired") -> float:
        return round(sum(getattr(i, scenario) for i in self.items), 2)

    @property
    def static_total(self) -> float:
        return round(sum(i.desired for i in self.static_items), 2)

    @property
    def saving(self) -> float:
        """The seed's design minus this platform at desired size (positive = cheaper)."""
        return round(self.static_total - self.total("desired"), 2)

    def to_dict(self) -> dict:
        return {
            "env": self.env,
            "items": [asdict(i) for i in self.items],
            "totals": {s: self.total(s) for s in SCENARIOS},
            "seed_design": {"items": [asdict(i) for i in self.static_items], "total": self.static_total},
            "saving_vs_seed": self.saving,
            "saving_percent": round(100 * self.saving / self.static_total, 1) if self.static_total else 0.0,
            "notes": list(self.notes),
        }


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def awake_hours_per_month(env: Environment, prices: PriceTable, what: str = "node_groups") -> float:
    """Hours a month the node groups (or workloads) run: 730, or weekdays only between the
    sleep timeline's up and down steps."""
    if env.sleep is None:
        return float(prices.hours_per_month)
    t = env.sleep.timeline()
    up, down = _minutes(t[f"{what}_up"]), _minutes(t[f"{what}_down"])
    per_weekday = ((down - up) % (24 * 60)) / 60
    return per_weekday * 5 * prices.hours_per_month / (7 * 24)


def _group_monthly(group: NodeGroup, nodes: int, hours: float, prices: PriceTable, always_on: bool) -> tuple[float, str]:
    """Instance cost of `nodes` nodes: spot, or on-demand with the first min_size nodes on 1-year
    RIs when the group runs 24/7 (a reserved node that sleeps costs more than on-demand)."""
    price = prices.instance(group.instance_types[0])
    if group.capacity_type == "SPOT":
        return nodes * price.spot * hours, f"spot ${price.spot:.4f}/h"
    reserved = min(nodes, group.min_size) if always_on and price.reserved else 0
    cost = reserved * price.reserved.value * prices.hours_per_month if reserved else 0.0  # type: ignore[union-attr]
    cost += (nodes - reserved) * price.on_demand.value * hours
    how = f"{reserved} reserved ${price.reserved.value}/h + " if reserved else ""  # type: ignore[union-attr]
    return cost, f"{how}on-demand ${price.on_demand.value}/h"


def _cheapest_per_vcpu(types: tuple[str, ...], capacity: str, prices: PriceTable) -> str:
    return min(types, key=lambda t: prices.instance(t).hourly(capacity) / INSTANCE_CATALOG[t].vcpu)


def _common_items(env: Environment, facts: TemplateFacts, apps: tuple[AppWorkload, ...], prices: PriceTable) -> list[LineItem]:
    """Everything that costs the same in this platform and in the seed's design."""
    h = prices.hours_per_month
    p = prices.item
    items = []
    support = facts.support_type.upper()
    cp = p("eks_control_plane_extended" if support == "EXTENDED" else "eks_control_plane_standard")
    items.append(LineItem.flat("cluster", "EKS control plane", f"{support} support, {facts.source}", cp.value * h, cp.cite()))
    if facts.nat_gateways:
        gw = p("nat_gateway_hour")
        items.append(LineItem.flat("network", "NAT gateways", f"{facts.nat_gateways} x {h} h", facts.nat_gateways * gw.value * h, gw.cite()))
        gb = NAT_DATA_GB_PER_MONTH[env.name]
        data = p("nat_gateway_gb")
        items.append(LineItem.flat("network", "NAT data processed", f"{gb} GB/month (assumption NAT_DATA_GB_PER_MONTH)", gb * data.value, data.cite()))
    ip = p("public_ipv4_hour")
    if facts.elastic_ips:
        items.append(LineItem.flat("network", "Public IPv4 (NAT EIPs)", f"{facts.elastic_ips} x {h} h", facts.elastic_ips * ip.value * h, ip.cite()))
    albs = facts.load_balancers + len({a.ingress_group for a in apps if a.ingress_group})
    if albs:
        alb, lcu = p("alb_hour"), p("alb_lcu_hour")
        lcus = ALB_LCU_PER_HOUR[env.name]
        items.append(LineItem.flat("network", "Application Load Balancer", f"{albs} ALB (ingress groups + templates)", albs * alb.value * h, alb.cite()))
        items.append(LineItem.flat("network", "ALB LCUs", f"{lcus} LCU/h (assumption ALB_LCU_PER_HOUR)", albs * lcus * lcu.value * h, lcu.cite()))
        ips = albs * env.az_count * ALB_PUBLIC_IPS_PER_AZ
        items.append(LineItem.flat("network", "Public IPv4 (internet-facing ALB)", f"{ips} addresses (one per AZ)", ips * ip.value * h, ip.cite()))
    if facts.interface_endpoints:
        ep = p("vpc_interface_endpoint_hour")
        n = facts.interface_endpoints * env.az_count
        items.append(LineItem.flat("network", "VPC interface endpoints", f"{facts.interface_endpoints} endpoints x {env.az_count} AZs", n * ep.value * h, ep.cite()))
    if facts.log_types:
        gb = CONTROL_PLANE_LOG_GB_PER_MONTH[env.name] * facts.log_types / 5
        ingest, store = p("cloudwatch_logs_ingest_gb"), p("cloudwatch_logs_storage_gb_month")
        stored = gb * env.log_retention_days / 30
        items.append(LineItem.flat("logs", "Control-plane logs ingested", f"{facts.log_types} log types, {gb:g} GB/month (assumption)", gb * ingest.value, ingest.cite()))
        items.append(LineItem.flat("logs", "Control-plane logs stored", f"{stored:.1f} GB at {env.log_retention_days}-day retention", stored * store.value, store.cite()))
    db = env.database
    copies = 2 if db.multi_az else 1
    rds = prices.rds(db.instance_class)
    storage = prices.item(f"rds_{facts.rds_storage_type}_gb_month") if f"rds_{facts.rds_storage_type}_gb_month" in prices.items else p("rds_gp2_gb_month")
    az = "Multi-AZ (x2)" if db.multi_az else "Single-AZ"
    # A sleeping environment stops its database with the node groups (aws/constructs/database.py);
    # storage is billed while it is stopped.
    db_hours = awake_hours_per_month(env, prices) if env.sleep else h
    running = f"{az}, {db_hours:.0f} h/month" + (" (stopped at night and weekends)" if env.sleep else "")
    items.append(LineItem.flat("database", f"RDS PostgreSQL {db.instance_class}", running, copies * rds.value * db_hours, rds.cite()))
    items.append(LineItem.flat("database", "RDS storage", f"{db.allocated_storage_gib} GiB {facts.rds_storage_type} {az}", copies * db.allocated_storage_gib * storage.value, storage.cite()))
    return items


def waf_items(env: Environment, facts: TemplateFacts, prices: PriceTable) -> list[LineItem]:
    """The web ACLs the templates create (the seed's static design had none)."""
    if not facts.web_acls:
        return []
    p = prices.item
    acl, rule, requests = p("waf_web_acl_month"), p("waf_rule_month"), p("waf_million_requests")
    millions = WAF_MILLION_REQUESTS_PER_MONTH[env.name]
    return [
        LineItem.flat("network", "WAF web ACL and rules", f"{facts.web_acls} ACL, {facts.web_acl_rules} rules",
                      facts.web_acls * acl.value + facts.web_acl_rules * rule.value, acl.cite()),
        LineItem.flat("network", "WAF requests", f"{millions} M/month (assumption WAF_MILLION_REQUESTS_PER_MONTH)",
                      millions * requests.value, requests.cite()),
    ]


def estimate(platform: Platform, env_name: str, facts: TemplateFacts, apps: tuple[AppWorkload, ...] = (),
             prices: PriceTable | None = None, root: Path | None = None) -> EnvironmentCost:
    """The monthly estimate of one environment and the seed's design as it states it next to it."""
    prices = prices or load_prices()
    env = platform.env(env_name)
    h = prices.hours_per_month
    awake = awake_hours_per_month(env, prices)
    always_on = env.sleep is None
    ebs = prices.item("ebs_gp3_gb_month")
    from .extra_costs import environment_items  # these modules build on LineItem
    from .seed_baseline import seed_items

    common = _common_items(env, facts, apps, prices)
    common.extend(environment_items(env, facts, prices))
    items: list[LineItem] = []
    static: list[LineItem] = seed_items(env, prices, awake)
    for g in env.node_groups:
        itype = g.instance_types[0]
        sizes = {"min": g.min_size, "desired": g.desired_size, "max": g.max_size}
        cost = {s: _group_monthly(g, n, awake, prices, always_on) for s, n in sizes.items()}
        hours = "24/7" if always_on else f"{awake:.0f} h awake (sleep timeline, weekdays)"
        items.append(LineItem("compute", f"node group {g.name}", f"{g.min_size}/{g.desired_size}/{g.max_size} x {itype}, "
                              f"{cost['desired'][1]}, {hours}", *(round(cost[s][0], 2) for s in ("min", "desired", "max")),
                              prices.instance(itype).on_demand.cite()))
        vol = {s: n * g.disk_size_gib * ebs.value * awake / h for s, n in sizes.items()}
        items.append(LineItem("storage", f"EBS root volumes ({g.name})", f"{g.disk_size_gib} GiB gp3 per node",
                              vol["min"], vol["desired"], vol["max"], ebs.cite()))
    if env.karpenter:
        pool_hours = awake_hours_per_month(env, prices, "workloads") if env.sleep else h
        root_gib = karpenter_root_volume_gib(env, root)
        for pool in env.karpenter.node_pools:
            capacity = pool.capacity_types[0] if "spot" not in pool.capacity_types else "spot"
            itype = _cheapest_per_vcpu(pool.instance_types, capacity, prices)
            per_vcpu = prices.instance(itype).hourly(capacity) / INSTANCE_CATALOG[itype].vcpu
            used = pool.limit_cpu * KARPENTER_MODELLED_USAGE
            items.append(LineItem(
                "compute", f"Karpenter pool {pool.name}",
                f"{used:g} of {pool.limit_cpu} vCPU (KARPENTER_MODELLED_USAGE={KARPENTER_MODELLED_USAGE:g}) as {capacity} "
                f"{itype} ${per_vcpu:.4f}/vCPU-h, {pool_hours:.0f} h",
                0.0, round(used * per_vcpu * pool_hours, 2), round(pool.limit_cpu * per_vcpu * pool_hours, 2),
                prices.instance(itype).on_demand.cite()))
            nodes = used / INSTANCE_CATALOG[itype].vcpu
            max_nodes = pool.limit_cpu / INSTANCE_CATALOG[itype].vcpu
            per_node = root_gib * ebs.value * pool_hours / h
            items.append(LineItem("storage", f"EBS root volumes (pool {pool.name})", f"{root_gib} GiB gp3 per node (EC2NodeClass)",
                                  0.0, round(nodes * per_node, 2), round(max_nodes * per_node, 2), ebs.cite()))
    # Observability priced like the shared items: the static design would need it too.
    common += observability_items(platform, env, apps, prices)
    items.extend(common)
    items.extend(waf_items(env, facts, prices))
    static.extend(common)
    notes = [f"Template facts: {facts.source}."]
    if not always_on:
        steps = ", ".join(f"{step.replace('_', ' ')} {at}" for step, at in env.sleep.timeline().items())  # type: ignore[union-attr]
        notes.append(f"Node groups run {awake:.0f} h/month (sleep timeline: {steps} {env.sleep.timezone}, weekdays only); "
                     "reserved instances are not used for sleeping groups.")
    if facts.resource_counts.get("AWS::Cognito::UserPool"):
        notes.append("Not priced: the Cognito user pool the ALB signs users in with (Essentials plan, billed per "
                     "monthly active user); its price is not in reference/aws-facts.md.")
    notes.append("Seed's design as the seed states it (insight/seed_baseline.py): its app node group with Reserved, "
                 "Spot and Cluster Autoscaler where it says so, at its node counts; everything it does not size is "
                 "priced as this platform's (shared items identical).")
    return EnvironmentCost(env_name, tuple(_rounded(i) for i in items), tuple(_rounded(i) for i in static), tuple(notes))


def _rounded(item: LineItem) -> LineItem:
    return LineItem(item.category, item.name, item.detail, round(item.min, 2), round(item.desired, 2), round(item.max, 2), item.source)
