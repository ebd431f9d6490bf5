"""Simulator benchmark: wall time on a 7-day, 15-second trace with three apps up to ~1,000 pods,
then cost and pending time per strategy on the reference traces (python bench/simulate.py)."""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path

from innovate_platform.config import load_platform
from innovate_platform.insight.simulate import simulate
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
    pools = tuple(p.model_copy(update={"limit_cpu": 600, "limit_memory_gib": 2400}) for p in env.karpenter.node_pools)
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
        t0 = time.perf_counter()
        r = simulate(env, workloads, trace, strategy)
        wall = time.perf_counter() - t0
        p95 = "-" if r.p95_step_to_capacity_s is None else f"{r.p95_step_to_capacity_s:.0f} s"
        print(f"  {strategy:<19} wall {wall:5.2f} s  peak pods {r.peak_pods:>5}  node launches {r.node_launches:>4}  "
              f"cost ${r.cost_usd:,.2f}  CPU alloc {r.mean_cpu_allocation:.1%}  pending {r.pending_pod_seconds:,.0f} pod-s  p95 {p95}")
    # The same run without prod's business-hours "no consolidation" budget: what that budget costs.
    pools = tuple(p.model_copy(update={"budgets": tuple(b for b in p.budgets if not b.schedule)}) for p in env.karpenter.node_pools)
    free = env.model_copy(update={"karpenter": env.karpenter.model_copy(update={"node_pools": pools})})
    r = simulate(free, workloads, trace, "karpenter")
    print(f"  karpenter, no business-hours budget: cost ${r.cost_usd:,.2f}  CPU alloc {r.mean_cpu_allocation:.1%}  "
          f"pending {r.pending_pod_seconds:,.0f} pod-s")


def reference(platform) -> None:
    cases = [("prod", "prod-weekday-diurnal.csv", None), ("prod", "prod-flash-crowd.csv", None),
             ("dev", "dev-office-hours.csv", None), ("prod", "prod-flash-crowd.csv", "what-if")]
    apps = tuple(a.name for a in platform.apps)
    print("\nReference traces (shipped platform.yaml and chart values unless marked what-if):")
    print(f"  {'env':<5} {'trace':<26} {'strategy':<19} {'cost $':>9} {'$/month':>9} {'node-h':>8} {'CPU alloc':>9} "
          f"{'pending pod-s':>13} {'p95 step->cap s':>15}")
    for env_name, name, variant in cases:
        env = platform.env(env_name)
        workloads = load_workloads(platform, env_name)
        label = name
        if variant == "what-if":
            # prod with a 1-node app baseline and HPA maxima of 60/30: the pools must absorb the crowd
            group = env.node_group("app").model_copy(update={"min_size": 1, "desired_size": 1})
            env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups)})
            workloads = (dataclasses.replace(workloads[0], max_replicas=60), dataclasses.replace(workloads[1], max_replicas=30))
            label = "flash-crowd what-if*"
        trace = load_trace(ROOT / "traces" / name, apps)
        for strategy in STRATEGIES:
            r = simulate(env, workloads, trace, strategy)
            p95 = "-" if r.p95_step_to_capacity_s is None else f"{r.p95_step_to_capacity_s:.0f}"
            print(f"  {env_name:<5} {label:<26} {strategy:<19} {r.cost_usd:>9.2f} {r.monthly_cost_usd:>9.2f} "
                  f"{r.node_hours:>8.1f} {r.mean_cpu_allocation:>9.1%} {r.pending_pod_seconds:>13,.0f} {p95:>15}")
    print("  * what-if: prod app node group at 1 node, api maxReplicas 60, web maxReplicas 30 (not the shipped values)")


def main() -> int:
    platform = load_platform(ROOT / "platform.yaml")
    bench_wall_time(platform)
    reference(platform)
    return 0


if __name__ == "__main__":
    sys.exit(main())
