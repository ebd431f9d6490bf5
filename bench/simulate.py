"""Simulator benchmark: wall time on a 7-day, 15-second trace with three apps up to ~1,000 pods,
then cost, served demand and the limit behind unserved demand per strategy on the reference
traces, a launch-latency sensitivity (latencies doubled) and a zone outage (python bench/simulate.py)."""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path

from innovate_platform.config import load_platform
from innovate_platform.insight.provisioners import SimulationParameters
from innovate_platform.insight.simulate import ZoneOutage, simulate
from innovate_platform.insight.trace import load_trace
from innovate_platform.insight.workloads import load_workloads

ROOT = Path(__file__).resolve().parents[1]
STRATEGIES = ("karpenter", "cluster-autoscaler", "static")


def _generator():
    spec = importlib.util.spec_from_file_location("trace_generate", ROOT / "traces" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def big_scenario(platform):
    """prod with a third app and pools large enough for ~1,000 pods (benchmark only)."""
    env = platform.env("prod")
    # min_zones 1: with a zone minValues Karpenter 1.14 cannot place zone-spread pods (karpenter#2999)
    pools = tuple(p.model_copy(update={"limit_cpu": 600, "limit_memory_gib": 2400, "min_zones": 1}) for p in env.karpenter.node_pools)
    env = env.model_copy(update={"karpenter": env.karpenter.model_copy(update={"node_pools": pools})})
    api, web = load_workloads(platform, "prod")
    api = dataclasses.replace(api, max_replicas=500)
    web = dataclasses.replace(web, max_replicas=300)
    worker = dataclasses.replace(web, name="worker", cpu_request_m=500, memory_request_mib=512, cpu_limit_m=1000,
                                 min_replicas=2, max_replicas=200, rps_target_per_pod=100.0, on_demand_only=False,
                                 zone_spread="ScheduleAnyway", zone_min_domains=None)
    return env, (api, web, worker)


def bench_wall_time(platform) -> None:
    gen = _generator()
    env, workloads = big_scenario(platform)
    peaks = {"api": 500 * 150.0, "web": 300 * 500.0, "worker": 200 * 100.0}
    rows = gen.prod_diurnal(random.Random(11), days=7, step_s=15, peaks=peaks)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        with path.open("w") as handle:
            handle.write("timestamp,app,rps\n")
            handle.writelines(f"{t},{a},{r:.1f}\n" for t, a, r in rows)
        t0 = time.perf_counter()
        trace = load_trace(path, ("api", "web", "worker"))
        parse_s = time.perf_counter() - t0
    print(f"Benchmark trace: 7 days x 15 s x 3 apps = {len(rows):,} samples (parse {parse_s:.2f} s)")
    for strategy in STRATEGIES:
        t0, c0 = time.perf_counter(), time.process_time()
        r = simulate(env, workloads, trace, strategy)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        p95 = "-" if r.p95_step_to_capacity_s is None else f"{r.p95_step_to_capacity_s:.0f} s"
        print(f"  {strategy:<19} wall {wall:5.2f} s (CPU {cpu:5.2f} s)  peak pods {r.peak_pods:>5}  node launches {r.node_launches:>4}  "
              f"cost ${r.cost_usd:,.2f}  CPU alloc {r.mean_cpu_allocation:.1%}  pending {r.pending_pod_seconds:,.0f} pod-s  p95 {p95}  "
              f"served {r.served_share:.2%}")
    # The same run without prod's business-hours "no consolidation" budget: what that budget costs.
    pools = tuple(p.model_copy(update={"budgets": tuple(b for b in p.budgets if not b.schedule)}) for p in env.karpenter.node_pools)
    free = env.model_copy(update={"karpenter": env.karpenter.model_copy(update={"node_pools": pools})})
    r = simulate(free, workloads, trace, "karpenter")
    print(f"  karpenter, no business-hours budget: cost ${r.cost_usd:,.2f}  CPU alloc {r.mean_cpu_allocation:.1%}  "
          f"pending {r.pending_pod_seconds:,.0f} pod-s")


def what_if(platform):
    """prod with a 1-node app baseline, HPA maxima of 120/60 and pools without a zone minValues:
    the pools must absorb the crowd (not the shipped values)."""
    env = platform.env("prod")
    group = env.node_group("app").model_copy(update={"min_size": 1, "desired_size": 1})
    pools = tuple(p.model_copy(update={"min_zones": 1}) for p in env.karpenter.node_pools)
    env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups),
                                 "karpenter": env.karpenter.model_copy(update={"node_pools": pools})})
    workloads = load_workloads(platform, "prod")
    return env, (dataclasses.replace(workloads[0], max_replicas=120), dataclasses.replace(workloads[1], max_replicas=60))


def tripled(trace):
    return dataclasses.replace(trace, series={a: tuple((t, r * 3) for t, r in s) for a, s in trace.series.items()})


def _row(env_name, label, r) -> None:
    p95 = "-" if r.p95_step_to_capacity_s is None else f"{r.p95_step_to_capacity_s:.0f}"
    d = r.demand
    print(f"  {env_name:<5} {label:<24} {r.strategy:<19} {r.cost_usd:>8.2f} {r.monthly_cost_usd:>9.2f} {r.node_hours:>7.1f} "
          f"{r.pending_pod_seconds:>9,.0f} {p95:>7} {d['served_share']:>8.2%} {d['request_seconds_unserved']:>12,.0f} "
          f"{d['slo_minutes_breached']:>5}  {d['limit'] or '-'}")


def reference(platform) -> None:
    cases = [("prod", "prod-weekday-diurnal.csv", None), ("prod", "prod-flash-crowd.csv", None),
             ("dev", "dev-office-hours.csv", None), ("prod", "prod-flash-crowd.csv", "what-if"),
             ("prod", "prod-flash-crowd.csv", "what-if, latency x2")]
    apps = tuple(a.name for a in platform.apps)
    print("\nReference traces (shipped platform.yaml and chart values unless marked what-if):")
    print(f"  {'env':<5} {'trace':<24} {'strategy':<19} {'cost $':>8} {'$/month':>9} {'node-h':>7} {'pend pod-s':>9} "
          f"{'p95 s':>7} {'served':>8} {'unserved rq-s':>12} {'SLO m':>5}  limit")
    base = SimulationParameters()
    doubled = dataclasses.replace(base, karpenter_launch_s=2 * base.karpenter_launch_s, ca_launch_s=2 * base.ca_launch_s,
                                  node_group_launch_s=2 * base.node_group_launch_s)
    for env_name, name, variant in cases:
        env = platform.env(env_name)
        workloads = load_workloads(platform, env_name)
        label, params = name.removesuffix(".csv").removeprefix("prod-").removeprefix("dev-"), base
        if variant:
            env, workloads = what_if(platform)
            label = f"crowd x3 {variant}*"
            params = doubled if "x2" in variant else base
        trace = load_trace(ROOT / "traces" / name, apps)
        if variant:
            trace = tripled(trace)
        for strategy in STRATEGIES:
            _row(env_name, label, simulate(env, workloads, trace, strategy, params))
    print("  * what-if: the flash crowd at 3x its rate; prod app node group at 1 node, api maxReplicas 120, web maxReplicas 60,")
    print("    pools without zone minValues")
    print("    (not the shipped values); 'latency x2': Karpenter 90 s, Cluster Autoscaler and node groups 240 s (sensitivity)")
    trace = load_trace(ROOT / "traces" / "prod-flash-crowd.csv", apps)
    outage = ZoneOutage("us-east-1a", trace.start + 2 * 3600 + 600)
    print("\nZone outage: us-east-1a fails 10 min into the crowd (+2h10m), shipped prod (DoNotSchedule, minDomains 3):")
    for strategy in STRATEGIES:
        r = simulate(platform.env("prod"), load_workloads(platform, "prod"), trace, strategy, outage=outage)
        o = r.zone_outage
        back = "never" if o["recovery_s"] is None else f"{o['recovery_s']:.0f} s"
        print(f"  {strategy:<19} lost {o['nodes_lost']} nodes / {o['pods_lost']} pods, recovery {back}, served {r.served_share:.2%}, "
              f"unserved after {o['unserved_request_seconds_after']:,.0f} req-s, limits {r.demand['unserved_by_limit']}")


def main() -> int:
    platform = load_platform(ROOT / "platform.yaml")
    bench_wall_time(platform)
    reference(platform)
    return 0


if __name__ == "__main__":
    sys.exit(main())
