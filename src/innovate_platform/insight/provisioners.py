"""How capacity follows pending pods: Karpenter, Cluster Autoscaler, or nothing (static)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from ..config import INSTANCE_CATALOG, Environment, NodePool
from .cluster import AppState, Cluster, Node
from .fleet import CapacitySource, admits, node_room, sources
from .prices import PriceTable
from .windows import CronWindow, parse_duration
from .zone_placement import ZonePlacement
from .zones import pool_rejects, zone_names

# Why pods that need capacity do not get it (the demand ledger names the limit behind unserved demand)
NODE_GROUP_MAX = "node group max"
NODEPOOL_LIMIT = "NodePool limit"
ZONE_MIN_VALUES = "NodePool zone minValues (karpenter#2999)"
ZONE_SPREAD = "zone spread"
NO_CAPACITY = "no capacity admits the pods"


@dataclass(frozen=True)
class SimulationParameters:
    """Every modelling assumption of the simulator, with its source (aws-facts.md section)."""

    tick_s: int = 5  # simulation step; events land on it (model resolution)
    pod_startup_s: int = 10  # container start to Ready (assumption; the charts' startup probes poll every 2 s)
    karpenter_batch_idle_s: int = 1  # Autoscaler behaviour: batches pending pods 1 s idle / 10 s max
    karpenter_launch_s: int = 45  # Autoscaler behaviour: node ready typically 30-60 s
    karpenter_consolidation_poll_s: int = 10  # Autoscaler behaviour: consolidation polls every 10 s
    karpenter_consolidation_validation_s: int = 15  # Autoscaler behaviour: re-validates 15 s before acting
    spot_notice_s: int = 120  # Autoscaler behaviour: spot interruption notice 2 min
    spot_interruptions_per_month: float | None = None  # None: the Spot Advisor band mid-point per type (Prices)
    ca_scan_s: int = 10  # Autoscaler behaviour: Cluster Autoscaler scans every 10 s
    ca_launch_s: int = 120  # Autoscaler behaviour: node launch to Ready on EKS about 1-3 min
    ca_unneeded_s: int = 600  # Autoscaler behaviour: node removed after 10 min unneeded
    ca_delay_after_add_s: int = 600  # Autoscaler behaviour: 10 min scale-down delay after a scale-up
    ca_utilization_threshold: float = 0.5  # Autoscaler behaviour: utilisation threshold 0.5
    ca_max_empty_bulk_delete: int = 10  # Autoscaler behaviour: at most 10 empty nodes deleted at once
    ca_scale_down_eval_s: int = 60  # model simplification: unneeded-ness re-evaluated every 60 s, not every scan
    node_group_launch_s: int = 120  # managed node group scale-up (dev wake), as ca_launch_s
    seed: int = 7  # spot interruption draws
    region: str = "us-east-1"  # names the zones (platform.yaml region)


class Provisioner(ZonePlacement):
    """Base: fixed capacity. Strategies override `step` and `start`."""

    name = "static"

    def __init__(self, env: Environment, cluster: Cluster, prices: PriceTable, params: SimulationParameters):
        self.env = env
        self.cluster = cluster
        self.prices = prices
        self.params = params
        self.rng = random.Random(params.seed)
        self.groups = [s for s in sources(env) if s.kind == "group"]
        self.group_target: dict[str, int] = {}
        self.nodes_asleep = False
        self.zones = zone_names(params.region, env.az_count)
        self.blocked: dict[int, str] = {}  # app index -> why its unplaced pods get no capacity

    # capacity helpers ----------------------------------------------------------------
    def price(self, itype: str, capacity: str) -> float:
        return self.prices.instance(itype).hourly(capacity)

    def launch(self, source: CapacitySource, itype: str, capacity: str, now: float, delay: float,
               packed: list[int] | None = None) -> Node | None:
        zone = self.pick_zone(source, packed)
        if zone is None:
            return None
        node = self.cluster.launch(source, itype, capacity, self.price(itype, capacity), now, now + delay, zone)
        if capacity == "spot":
            rate = self.params.spot_interruptions_per_month
            if rate is None:
                rate = self.prices.instance(itype).interruptions_per_month
            per_second = rate / (self.prices.hours_per_month * 3600)
            if per_second > 0:
                node.notice_at = now + delay + self.rng.expovariate(per_second)
                self.cluster.at(node.notice_at, "notice", node)
        if delay <= 0:
            self.cluster.mark_ready(node, now)
        return node

    def group_nodes(self, name: str) -> list[Node]:
        return [n for n in self.cluster.nodes if n.source.kind == "group" and n.source.name == name and not n.cordoned]

    def fill_groups(self, now: float, delay: float) -> None:
        """Bring every node group up to its target size."""
        for g in self.groups:
            missing = self.group_target.get(g.name, 0) - len(self.group_nodes(g.name))
            for _ in range(max(0, missing)):
                self.launch(g, g.instance_types[0], g.capacity_types[0], now, delay)

    def start(self, now: float) -> None:
        """Static capacity: every node group at max_size, always on, in its own capacity type."""
        for g in self.groups:
            self.group_target[g.name] = g.max_nodes
        self.fill_groups(now, 0)

    def sleep_nodes(self, asleep: bool, now: float) -> None:
        """The dev sleep timeline: node groups to zero, and back to desired."""
        self.nodes_asleep = asleep
        if asleep:
            for node in [n for n in self.cluster.nodes if n.source.kind == "group"]:
                self.cluster.remove(node, now)
        else:
            for g in self.groups:
                self.group_target[g.name] = g.desired_nodes
            self.fill_groups(now, self.params.node_group_launch_s)

    def on_notice(self, node: Node, now: float) -> None:
        """Spot interruption notice: cordon and drain; the node goes 2 min later."""
        node.cordoned = True
        self.cluster.interruptions += 1
        self.cluster.at(now + self.params.spot_notice_s, "gone", node)
        self.cluster.evict(node, now)
        if node.source.kind == "group" and not self.nodes_asleep:
            self.launch(node.source, node.itype, node.capacity, now, self.params.ca_launch_s)

    def on_zone_outage(self, now: float) -> None:
        """The node groups' ASGs replace the lost nodes in the zones that are up."""
        if not self.nodes_asleep:
            self.fill_groups(now, self.params.node_group_launch_s)

    def step(self, now: float) -> None:
        """Called every tick after scheduling. Static capacity never grows."""
        if self.blocked or any(a.pending for a in self.cluster.apps):
            self.blocked = {a.index: (ZONE_SPREAD if a.index in self.cluster.spread_blocked else NODE_GROUP_MAX)
                            for a in self.cluster.apps if a.unplaced}

    def warm_start(self, now: float) -> None:
        """Give the initial pods capacity instantly (the trace starts in a steady state)."""


class ClusterAutoscaler(Provisioner):
    """Fixed node groups between min and max: the app groups, plus one group per Karpenter pool
    (its first instance type, spot when the pool allows it) so the comparison has the same reach."""

    name = "cluster-autoscaler"

    def start(self, now: float) -> None:
        extra = []
        for p in self.env.karpenter.node_pools if self.env.karpenter else ():
            itype = p.instance_types[0]
            cap = "spot" if "spot" in p.capacity_types else "on-demand"
            src = next(s for s in sources(self.env) if s.kind == "pool" and s.name == p.name)
            extra.append(CapacitySource("group", f"ca-{p.name}", "app", (itype,), (cap,), src.labels, src.taints,
                                        0, 0, p.limit_cpu // _vcpu(itype)))
        self.groups = self.groups + extra
        for g in self.groups:
            self.group_target[g.name] = g.desired_nodes
        self.scalable = [g for g in self.groups if g.role == "app"]
        self.last_scale_up = -math.inf
        self.next_scan = now
        self.next_down_eval = now
        self.fill_groups(now, 0)

    def warm_start(self, now: float) -> None:
        self._scale_up(now, delay=0)
        self.cluster.schedule(now)

    def _scale_up(self, now: float, delay: float) -> None:
        apps = self.cluster.apps
        remaining = [a.unplaced for a in apps]
        self.blocked = {}
        if not any(remaining):
            return
        for a in apps:
            if remaining[a.index] and self.spread_room(a) <= 0:
                remaining[a.index] = 0
                self.blocked[a.index] = ZONE_SPREAD
        share = self.zone_share(remaining)
        for g in self.scalable:
            size = len(self.group_nodes(g.name))
            room = g.max_nodes - size
            if room <= 0:
                continue
            allowed = [a for a in apps if remaining[a.index] and admits(g, a.w) is None
                       and not (a.w.on_demand_only and g.capacity_types[0] == "spot")]
            if not allowed:
                continue
            itype = g.instance_types[0]
            while room > 0 and any(remaining[a.index] for a in allowed):
                packed = _pack(node_room(itype), allowed, self.spread_cap(remaining, share))
                if not any(packed):
                    break
                node = self.launch(g, itype, g.capacity_types[0], now, delay, packed)
                if node is None:
                    break
                for a in allowed:
                    node.nominated[a.index] = packed[a.index]
                    a.nominated += packed[a.index]
                    remaining[a.index] -= packed[a.index]
                room -= 1
                self.group_target[g.name] = size = size + 1
                self.last_scale_up = now
                if delay <= 0:
                    self.cluster.mark_ready(node, now)
        for a in apps:
            if remaining[a.index]:
                self.blocked[a.index] = NODE_GROUP_MAX

    def step(self, now: float) -> None:
        if now < self.next_scan:
            return
        self.next_scan = now + self.params.ca_scan_s
        if not self.nodes_asleep:
            self._scale_up(now, self.params.ca_launch_s)
        if now >= self.next_down_eval:
            self.next_down_eval = now + self.params.ca_scale_down_eval_s
            self._scale_down(now)

    def _scale_down(self, now: float) -> None:
        p = self.params
        cluster = self.cluster
        empty_removed = 0
        drained = False
        for g in self.scalable:
            nodes = [n for n in self.group_nodes(g.name) if n.ready]
            size = len(nodes) + len([n for n in self.group_nodes(g.name) if not n.ready])
            for node in nodes:
                used = max((node.cpu - node.free_cpu) / node.cpu, (node.mem - node.free_mem) / node.mem)
                empty = node.pods == 0
                if used < p.ca_utilization_threshold and (empty or cluster.fits_elsewhere(node)):
                    if node.unneeded_since is None:
                        node.unneeded_since = now
                else:
                    node.unneeded_since = None
            if now - self.last_scale_up < p.ca_delay_after_add_s:
                continue
            for node in sorted(nodes, key=lambda n: n.pods):
                if size <= g.min_nodes:
                    break
                if node.unneeded_since is None or now - node.unneeded_since < p.ca_unneeded_s:
                    continue
                if node.pods == 0 and empty_removed < p.ca_max_empty_bulk_delete:
                    empty_removed += 1
                elif node.pods and not drained and cluster.fits_elsewhere(node):
                    drained = True
                else:
                    continue
                cluster.remove(node, now)
                cluster.schedule(now)
                size -= 1
                self.group_target[g.name] = size


class Karpenter(Provisioner):
    """The environment's managed node groups stay at desired; NodePools follow pending pods."""

    name = "karpenter"

    def start(self, now: float) -> None:
        for g in self.groups:
            self.group_target[g.name] = g.desired_nodes
        pools = self.env.karpenter.node_pools if self.env.karpenter else ()
        self.pools: list[tuple[NodePool, CapacitySource]] = []
        by_name = {s.name: s for s in sources(self.env) if s.kind == "pool"}
        for p in sorted(pools, key=lambda p: (-(p.weight or 0), p.name)):
            self.pools.append((p, by_name[p.name]))
        self.windows = {
            p.name: [(b, CronWindow(b.schedule, b.duration) if b.schedule else None) for b in p.budgets] for p, _ in self.pools
        }
        self.consolidate_after = {p.name: parse_duration(p.consolidate_after) if p.consolidate_after != "Never" else math.inf
                                  for p, _ in self.pools}
        self.next_action = {p.name: now for p, _ in self.pools}
        # a poll that found nothing is repeated only after a change or when a node's consolidateAfter ends
        self.idle_until: dict[str, tuple[int, float]] = {}
        self.next_poll = now
        self.batch_since: float | None = None
        self.fill_groups(now, 0)

    def warm_start(self, now: float) -> None:
        self._provision(now, delay=0)
        self.cluster.schedule(now)

    def pool_nodes(self, name: str) -> list[Node]:
        return [n for n in self.cluster.nodes if n.source.kind == "pool" and n.source.name == name]

    def _provision(self, now: float, delay: float) -> None:
        """Pack unplaced pods onto new nodes: per pool, the instance type with the lowest price
        per packed CPU request (spot first where the pool allows it), within the pool's limits."""
        apps = self.cluster.apps
        remaining = [a.unplaced for a in apps]
        self.blocked = {}
        why: dict[int, set[str]] = {a.index: set() for a in apps}
        for a in apps:
            if remaining[a.index] and self.spread_room(a) <= 0:
                remaining[a.index] = 0
                self.blocked[a.index] = ZONE_SPREAD
        share = self.zone_share(remaining)
        for pool, src in self.pools:
            nodes = self.pool_nodes(pool.name)
            used_cpu = sum(n.vcpu for n in nodes)
            used_mem = sum(n.mem_gib for n in nodes)
            for capacity in src.capacity_types:
                allowed = []
                for a in apps:
                    if not remaining[a.index] or admits(src, a.w) is not None or (a.w.on_demand_only and capacity == "spot"):
                        continue
                    if pool_rejects(pool, a.w):
                        why[a.index].add(ZONE_MIN_VALUES)
                        continue
                    allowed.append(a)
                while allowed and any(remaining[a.index] for a in allowed):
                    best = None
                    for itype in pool.instance_types:
                        vcpu, mem = _vcpu(itype), _mem(itype)
                        if used_cpu + vcpu > pool.limit_cpu or used_mem + mem > pool.limit_memory_gib:
                            continue
                        packed = _pack(node_room(itype), allowed, self.spread_cap(remaining, share))
                        packed_cpu = sum(packed[a.index] * a.w.cpu_request_m for a in allowed)
                        if not packed_cpu and not any(packed):
                            continue
                        price = self.price(itype, capacity)
                        score = (price / max(packed_cpu, 1), price)
                        if best is None or score < best[0]:
                            best = (score, itype, packed)
                    if best is None:
                        for a in allowed:
                            if remaining[a.index]:
                                why[a.index].add(NODEPOOL_LIMIT)
                        break
                    _, itype, packed = best
                    node = self.launch(src, itype, capacity, now, delay, packed)
                    if node is None:
                        break
                    used_cpu += _vcpu(itype)
                    used_mem += _mem(itype)
                    for a in allowed:
                        node.nominated[a.index] = packed[a.index]
                        a.nominated += packed[a.index]
                        remaining[a.index] -= packed[a.index]
                    if delay <= 0:
                        self.cluster.mark_ready(node, now)
        for a in apps:
            if remaining[a.index]:
                reasons = why[a.index]
                self.blocked[a.index] = next((r for r in (NODEPOOL_LIMIT, ZONE_MIN_VALUES) if r in reasons),
                                             NODE_GROUP_MAX if not self.pools else NO_CAPACITY)

    def step(self, now: float) -> None:
        if any(a.unplaced for a in self.cluster.apps):
            if self.batch_since is None:
                self.batch_since = now
            if now - self.batch_since >= self.params.karpenter_batch_idle_s:
                self._provision(now, self.params.karpenter_launch_s)
                self.batch_since = None
        else:
            self.batch_since = None
        if now >= self.next_poll:
            self.next_poll = now + self.params.karpenter_consolidation_poll_s
            self._consolidate(now)

    def _allowed(self, pool: NodePool, reason: str, count: int, now: float) -> int:
        allowed = count
        for budget, window in self.windows[pool.name]:
            if budget.reasons and reason not in budget.reasons:
                continue
            if window is not None and not window.active(now):
                continue
            if budget.nodes.endswith("%"):
                value = math.ceil(int(budget.nodes[:-1]) * count / 100)
            else:
                value = int(budget.nodes)
            allowed = min(allowed, value)
        return allowed

    def _consolidate(self, now: float) -> None:
        cluster = self.cluster
        for pool, _ in self.pools:
            if now < self.next_action[pool.name]:
                continue
            idle = self.idle_until.get(pool.name)
            if idle and idle[0] == cluster.version and now < idle[1]:
                continue
            nodes = [n for n in self.pool_nodes(pool.name) if n.ready and not n.cordoned]
            if not nodes:
                continue
            wait = self.consolidate_after[pool.name]
            candidates = [n for n in nodes if now - n.last_change >= wait]
            later = min((n.last_change + wait for n in nodes if now - n.last_change < wait), default=math.inf)
            if not candidates:
                self.idle_until[pool.name] = (cluster.version, later)
                continue
            acted = False
            empty = [n for n in candidates if n.pods == 0]
            if empty:
                for node in empty[: self._allowed(pool, "Empty", len(nodes), now)]:
                    cluster.remove(node, now)
                    acted = True
            if not acted and pool.consolidation_policy == "WhenEmptyOrUnderutilized":
                budget = self._allowed(pool, "Underutilized", len(nodes), now)
                if budget > 0:
                    busy = sorted((n for n in candidates if n.pods), key=lambda n: (n.cpu - n.free_cpu, n.price))
                    for node in busy[:5]:
                        if cluster.fits_elsewhere(node):
                            cluster.remove(node, now)
                            cluster.schedule(now)
                            acted = True
                            break
            if acted:
                self.next_action[pool.name] = now + self.params.karpenter_consolidation_validation_s
            else:
                # budgets open on the minute: look again then at the latest
                self.idle_until[pool.name] = (cluster.version, min(later, now + 60 - now % 60))


def _vcpu(itype: str) -> int:
    return INSTANCE_CATALOG[itype].vcpu


def _mem(itype: str) -> int:
    return INSTANCE_CATALOG[itype].memory_gib


def _pack(room, apps: list[AppState], remaining: list[int]) -> list[int]:
    """How many pending pods of each app one empty node of this room takes (largest first)."""
    packed = [0] * len(remaining)
    cpu, mem, pods = room.cpu_m, room.memory_mib, room.pods
    for a in sorted(apps, key=lambda a: -a.w.cpu_request_m):
        n = remaining[a.index]
        rc, rm = a.w.cpu_request_m, a.w.memory_request_mib
        k = min(n, cpu // rc if rc else n, mem // rm if rm else n, pods)
        if k > 0:
            packed[a.index] = k
            cpu -= k * rc
            mem -= k * rm
            pods -= k
    return packed


STRATEGIES = {"karpenter": Karpenter, "cluster-autoscaler": ClusterAutoscaler, "static": Provisioner}
