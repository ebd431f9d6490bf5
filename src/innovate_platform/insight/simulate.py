"""Replay a request-rate trace through each app's HPA, the scheduler and a capacity strategy.

Fixed-step (5 s) loop with event checks: HPA syncs every 15 s, nodes become ready or get
interrupted when their time comes, the provisioner scans on its own interval. Pods are counts
per node, not objects, so a week of 15-second samples with 1,000 pods runs in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ..config import Environment
from .cluster import AppState, Cluster
from .demand import DemandLedger, servable_per_pod, step_limit
from .hpa import HpaDefaults, metric_replicas
from .prices import PriceTable, load_prices
from .provisioners import STRATEGIES, SimulationParameters
from .trace import Trace
from .windows import awake_intervals
from .workloads import AppWorkload


@dataclass(frozen=True)
class StrategyResult:
    strategy: str
    hours: float
    cost_usd: float  # all nodes over the trace, system node group included
    app_capacity_cost_usd: float  # app node groups and pools only
    monthly_cost_usd: float  # cost_usd scaled to 730 h
    node_hours: float
    mean_cpu_allocation: float  # requests / allocatable on app-capacity nodes, time-weighted
    pending_pod_seconds: float
    p95_step_to_capacity_s: float | None  # demand step (HPA adds pods) to all of them bound
    demand_steps: int
    steps_withdrawn: int  # steps the HPA took back before they got capacity
    peak_pods: int
    node_launches: int
    spot_interruptions: int
    notes: tuple[str, ...] = field(default=())
    demand: dict = field(default_factory=dict, compare=False)  # DemandLedger.summary()
    zone_outage: dict | None = None
    timeline: dict = field(default_factory=dict, compare=False, repr=False)  # for --plot and --steps

    @property
    def request_seconds_unserved(self) -> float:
        return self.demand.get("request_seconds_unserved", 0.0)

    @property
    def served_share(self) -> float:
        return self.demand.get("served_share", 1.0)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("timeline")
        return out


@dataclass(frozen=True)
class ZoneOutage:
    """What-if: `zone` fails at `at` (epoch seconds) and stays down to the end of the trace."""

    zone: str
    at: float


def rank(results: list[StrategyResult]) -> list[StrategyResult]:
    """Best first: a strategy that leaves demand unserved never ranks above one that serves it
    (whole request-seconds unserved first, then cost)."""
    return sorted(results, key=lambda r: (round(r.request_seconds_unserved), r.cost_usd))


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _proposal(app: AppState) -> int:
    """What the app's metrics ask for: CPU utilisation (capped at the limit) and, in rps mode, rps per pod."""
    w = app.w
    current, ready = app.replicas, app.ready
    if ready <= 0:
        return current
    usage = app.rps * w.cpu_m_per_rps
    per_pod = min(w.cpu_limit_m, usage / ready)
    cpu_ratio = per_pod / w.cpu_request_m / (w.cpu_target_percent / 100)
    proposal = metric_replicas(current, ready, cpu_ratio, app.hpa.defaults.tolerance)
    if w.autoscaling_mode == "rps":
        rps_ratio = app.rps / ready / w.rps_target_per_pod
        proposal = max(proposal, metric_replicas(current, ready, rps_ratio, app.hpa.defaults.tolerance))
    return proposal


def _steady_replicas(w: AppWorkload, rps: float) -> int:
    if w.autoscaling_mode == "off":
        return w.min_replicas
    need = math.ceil(rps * w.cpu_m_per_rps / (w.cpu_request_m * w.cpu_target_percent / 100) - 1e-9)
    if w.autoscaling_mode == "rps":
        need = max(need, math.ceil(rps / w.rps_target_per_pod - 1e-9))
    return max(w.min_replicas, min(w.max_replicas, need))


class _Intervals:
    """Is a time inside one of a sorted list of intervals (a forward-only pointer)."""

    def __init__(self, intervals: list[tuple[float, float]] | None):
        self.intervals = intervals
        self.i = 0

    def inside(self, t: float) -> bool:
        if self.intervals is None:
            return True
        iv = self.intervals
        while self.i < len(iv) and iv[self.i][1] <= t:
            self.i += 1
        return self.i < len(iv) and iv[self.i][0] <= t


def _timeline_step(span: float, tick: int) -> int:
    """Record at most ~2,000 points per run (for plots and --steps)."""
    return max(tick, math.ceil(span / 2000 / tick) * tick)


def simulate(env: Environment, workloads: tuple[AppWorkload, ...], trace: Trace, strategy: str,
             params: SimulationParameters = SimulationParameters(), prices: PriceTable | None = None,
             hpa: HpaDefaults = HpaDefaults(), outage: ZoneOutage | None = None,
             progress: Callable[[float], None] | None = None) -> StrategyResult:
    """Run one strategy over the trace (optionally with a zone outage); `progress` gets the
    share of the trace done, about every 5%."""
    prices = prices or load_prices()
    apps = [AppState(w, i, hpa) for i, w in enumerate(workloads)]
    series = [trace.series.get(a.w.name, ()) for a in apps]
    cursor = [0] * len(apps)
    cluster = Cluster(apps, params.pod_startup_s)
    provisioner = STRATEGIES[strategy](env, cluster, prices, params)
    start, end, tick = trace.start, trace.end, params.tick_s
    sleeps = env.sleep is not None and strategy != "static"
    workloads_awake = _Intervals(awake_intervals(env.sleep, start, end, "workloads") if sleeps else None)  # type: ignore[arg-type]
    nodes_awake = _Intervals(awake_intervals(env.sleep, start, end, "node_groups") if sleeps else None)  # type: ignore[arg-type]

    def update_rps(t: float) -> None:
        for i, app in enumerate(apps):
            s, c = series[i], cursor[i]
            while c + 1 < len(s) and s[c + 1][0] <= t:
                c += 1
            cursor[i] = c
            app.rps = s[c][1] if s and s[c][0] <= t else 0.0

    # warm start: the trace begins in a steady state
    now = start
    update_rps(now)
    provisioner.start(now)
    wl_up, ng_up = workloads_awake.inside(now), nodes_awake.inside(now)
    if not ng_up:
        provisioner.sleep_nodes(True, now)
    for app in apps:
        n = _steady_replicas(app.w, app.rps) if wl_up else 0
        app.replicas = n
        cluster.add_pods(app, n, now, demand_step=False)
    cluster.schedule(now)
    if ng_up:
        provisioner.warm_start(now)
    for app in apps:
        app.ready, app.starting_n = app.bound, 0
        app.starting.clear()
    next_hpa = now + hpa.sync_s
    pending_ps = used_int = cap_int = 0.0
    pending_total = sum(a.pending for a in apps)
    ledger = DemandLedger(apps, start)
    every = _timeline_step(end - start, tick)
    next_sample = start
    timeline: dict = {"t": [], "apps": [a.w.name for a in apps], "demand": [[] for _ in apps],
                      "servable": [[] for _ in apps], "on_demand": [], "spot": [], "system": [], "cost": [], "limit": []}
    outage_info: dict | None = None
    next_progress = start + (end - start) / 20

    while now < end:
        now += tick
        update_rps(now)
        awake = workloads_awake.inside(now)
        if awake != wl_up:
            wl_up = awake
            for app in apps:
                app.hpa.reset()
                cluster.set_replicas(app, app.w.min_replicas if awake else 0, now)
        awake = nodes_awake.inside(now)
        if awake != ng_up:
            ng_up = awake
            provisioner.sleep_nodes(not awake, now)
        if cluster.events and cluster.events[0][0] <= now:
            for kind, node in cluster.due(now):
                if kind == "ready" and not node.cordoned:
                    cluster.mark_ready(node, now)
                elif kind == "notice" and not node.cordoned:
                    provisioner.on_notice(node, now)
                elif kind == "gone":
                    cluster.remove(node, now)
        for app in apps:
            if app.starting:
                cluster.promote_ready(app, now)
        if now >= next_hpa:
            next_hpa += hpa.sync_s
            for app in apps:
                if app.w.autoscaling_mode != "off" and app.replicas:
                    desired = app.hpa.decide(now, app.replicas, _proposal(app))
                    if desired != app.replicas:
                        cluster.set_replicas(app, desired, now)
        if outage is not None and outage_info is None and now >= outage.at:
            nodes_lost, pods_lost = cluster.zone_outage(outage.zone, now)
            provisioner.on_zone_outage(now)
            outage_info = {"zone": outage.zone, "at": outage.at, "nodes_lost": nodes_lost, "pods_lost": pods_lost,
                           "recovery_s": None, "last_shortfall_after_s": None, "_unserved_before": ledger.unserved}
        cluster.schedule(now)
        provisioner.step(now)
        pending_total = 0
        for app in apps:
            pending_total += app.pending
        pending_ps += pending_total * tick
        used_int += cluster.used_cpu * tick
        cap_int += cluster.cap_cpu * tick
        short = ledger.record(now, tick, provisioner.blocked, wl_up)
        if outage_info is not None:
            waited = now - outage_info["at"]
            if outage_info["recovery_s"] is None and pending_total == 0 and short <= 0:
                outage_info["recovery_s"] = round(waited, 1)  # every pod placed again and demand served
            if short > 0:
                outage_info["last_shortfall_after_s"] = round(waited, 1)
        if now >= next_sample:
            next_sample += every
            _sample(timeline, now, apps, cluster, provisioner.blocked, wl_up)
        if progress is not None and now >= next_progress:
            next_progress += (end - start) / 20
            progress(min(1.0, (now - start) / (end - start)))

    ledger.close()
    cluster.close(end)
    for app in apps:  # steps still waiting at the end count with their waiting time so far
        for created, count, is_step in app.steps:
            if is_step and count:
                cluster.latencies.append(end - created)
    hours = (end - start) / 3600
    notes = []
    if strategy == "karpenter" and not (env.karpenter and env.karpenter.node_pools):
        notes.append("no Karpenter pools in this environment: only its node groups at desired size")
    summary = ledger.summary()
    if outage_info is not None:
        outage_info["unserved_request_seconds_after"] = round(ledger.unserved - outage_info.pop("_unserved_before"), 1)
    if summary["limit"]:
        notes.append(f"{100 * (1 - summary['served_share']):.2f}% of requests unserved; mostly by: {summary['limit']}")
    return StrategyResult(
        strategy=strategy,
        hours=round(hours, 2),
        cost_usd=round(cluster.cost, 2),
        app_capacity_cost_usd=round(cluster.app_cost, 2),
        monthly_cost_usd=round(cluster.cost * prices.hours_per_month / hours, 2) if hours else 0.0,
        node_hours=round(cluster.node_seconds / 3600, 1),
        mean_cpu_allocation=round(used_int / cap_int, 3) if cap_int else 0.0,
        pending_pod_seconds=round(pending_ps, 1),
        p95_step_to_capacity_s=_p95(cluster.latencies),
        demand_steps=len(cluster.latencies),
        steps_withdrawn=cluster.unserved_steps,
        peak_pods=cluster.peak_pods,
        node_launches=cluster.launches,
        spot_interruptions=cluster.interruptions,
        notes=tuple(notes),
        demand=summary,
        zone_outage=outage_info,
        timeline=timeline,
    )


def _sample(timeline: dict, now: float, apps: list[AppState], cluster: Cluster, blocked: dict[int, str], awake: bool) -> None:
    timeline["t"].append(now)
    for app in apps:
        timeline["demand"][app.index].append(app.rps)
        timeline["servable"][app.index].append(app.ready * servable_per_pod(app))
    od = spot = system = 0
    for n in cluster.nodes:
        if not n.is_app:
            system += 1
        elif n.capacity == "spot":
            spot += 1
        else:
            od += 1
    timeline["on_demand"].append(od)
    timeline["spot"].append(spot)
    timeline["system"].append(system)
    timeline["cost"].append(cluster.running_cost(now))
    timeline["limit"].append([step_limit(a, blocked, awake) for a in apps])


def simulate_all(env: Environment, workloads: tuple[AppWorkload, ...], trace: Trace, strategies: tuple[str, ...],
                 params: SimulationParameters = SimulationParameters(), outage: ZoneOutage | None = None) -> list[StrategyResult]:
    return [simulate(env, workloads, trace, s, params, outage=outage) for s in strategies]
