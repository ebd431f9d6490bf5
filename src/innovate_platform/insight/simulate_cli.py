"""`innovate simulate`: replay a trace; tables, JSON, a per-step CSV and a picture."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..cli_common import fail, parse_env
from ..config import ConfigError, config_path, load_platform
from .provisioners import STRATEGIES, SimulationParameters
from .simulate import StrategyResult, ZoneOutage, rank, simulate
from .trace import TraceError, load_trace, parse_timestamp
from .windows import parse_duration
from .workloads import load_workloads
from .zones import zone_names

ENVS = ("dev", "staging", "prod")
LONG_RUN_TICKS = 40_000  # progress on stderr above this many simulation steps per strategy (about 2.3 days)

console = Console()
if not console.is_terminal:
    console = Console(width=200)
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    return fail(message, 2)


def _outage_time(text: str, start: float, end: float) -> float:
    """ISO 8601, epoch seconds, or +<duration> after the trace's start (+2h30m)."""
    text = text.strip()
    try:
        at = start + parse_duration(text[1:]) if text.startswith("+") else parse_timestamp(text)
    except (ValueError, KeyError, AttributeError):
        raise _fail(f"--at '{text}' is not a time: give ISO 8601 (2026-11-02T18:00:00Z), epoch seconds "
                    "or +<duration> after the trace's start (+2h30m)") from None
    if not start <= at < end:
        raise _fail(f"--at '{text}' is outside the trace ({start:.0f} to {end:.0f} epoch seconds)")
    return at


def simulate_command(
    env: Annotated[str, typer.Option("--env", "-e", help="dev, staging or prod.")],
    trace: Annotated[Path, typer.Option("--trace", "-t", help="CSV timestamp,app,rps; ISO 8601 or epoch seconds (see traces/).")],
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="karpenter, cluster-autoscaler, static or all.")] = "all",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the spot interruption draws.")] = 7,
    spot_interruptions: Annotated[Optional[float], typer.Option(
        "--spot-interruptions-per-month", help="Fraction of spot nodes interrupted per month (default: Spot Advisor band per type).")] = None,
    zone_outage: Annotated[Optional[str], typer.Option("--zone-outage", help="What-if: this zone (us-east-1a) fails at --at.")] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="When the zone fails: ISO 8601, epoch seconds or +2h after the trace's start.")] = None,
    plot: Annotated[Optional[Path], typer.Option("--plot", help="Write a PNG: demand vs servable, nodes by capacity type, cost; one column per strategy.")] = None,
    steps: Annotated[Optional[Path], typer.Option("--steps", help="Write a CSV per strategy, app and step: demanded, servable, shortfall RPS and the limit.")] = None,
    launch_scale: Annotated[float, typer.Option("--launch-latency-scale", help="Sensitivity: multiply the Karpenter, Cluster Autoscaler and node group launch latencies.")] = 1.0,
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")] = None,
) -> None:
    """Replay a request-rate trace through the HPA, the scheduler and each capacity strategy."""
    try:
        platform, root = load_platform(config), config_path(config).resolve().parent
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    parse_env(env, ENVS, allow_all=False)
    strategies = tuple(STRATEGIES) if strategy == "all" else (strategy,)
    if strategy != "all" and strategy not in STRATEGIES:
        raise _fail(f"--strategy '{strategy}' is not one of: {', '.join(STRATEGIES)}, all")
    if spot_interruptions is not None and not 0 <= spot_interruptions <= 100:
        raise _fail("--spot-interruptions-per-month must be between 0 and 100")
    if not 0 < launch_scale <= 20:
        raise _fail("--launch-latency-scale must be above 0 and at most 20")
    if (zone_outage is None) != (at is None):
        raise _fail("--zone-outage and --at go together: name the zone and when it fails")
    e = platform.env(env)
    zones = zone_names(platform.region, e.az_count)
    if zone_outage is not None and zone_outage not in zones:
        raise _fail(f"--zone-outage '{zone_outage}' is not a zone of {env} ({', '.join(zones)})")
    if plot is not None and plot.suffix.lower() != ".png":
        raise _fail(f"--plot '{plot}' must end in .png")
    try:
        apps = load_workloads(platform, env, root)
        data = load_trace(trace, tuple(a.name for a in platform.apps))
    except (ConfigError, TraceError) as exc:
        raise _fail(str(exc)) from None
    outage = ZoneOutage(zone_outage, _outage_time(at, data.start, data.end)) if zone_outage and at else None
    p = SimulationParameters(seed=seed, spot_interruptions_per_month=spot_interruptions, region=platform.region)
    if launch_scale != 1.0:
        p = _scaled_latency(p, launch_scale)
    long_run = (data.end - data.start) / p.tick_s > LONG_RUN_TICKS
    results = []
    for s in strategies:
        progress = (lambda share, s=s: err.print(f"{s}: {share:.0%} of the trace", highlight=False, markup=False, emoji=False)) if long_run else None
        results.append(simulate(e, apps, data, s, p, outage=outage, progress=progress))
    order = {r.strategy: i + 1 for i, r in enumerate(rank(results))}
    if steps is not None:
        _write_steps(results, steps)
    if plot is not None:
        from .plot import simulation_png

        what = f" - {zone_outage} fails at +{(outage.at - data.start) / 3600:g} h" if outage else ""
        simulation_png(results, f"{env}: {trace.name}{what}", plot)
    if json_out:
        typer.echo(json.dumps({"env": env, "trace": str(trace), "launch_latency_scale": launch_scale,
                               "results": [dict(r.to_dict(), rank=order[r.strategy]) for r in results]}, indent=2))
        return
    _print(env, trace, results, order, plot, steps)


def _scaled_latency(p: SimulationParameters, k: float) -> SimulationParameters:
    from dataclasses import replace

    tick = p.tick_s
    return replace(p, karpenter_launch_s=round(p.karpenter_launch_s * k / tick) * tick,
                   ca_launch_s=round(p.ca_launch_s * k / tick) * tick,
                   node_group_launch_s=round(p.node_group_launch_s * k / tick) * tick)


def _write_steps(results: list[StrategyResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("time", "strategy", "app", "demanded_rps", "servable_rps", "shortfall_rps", "limit"))
        for r in results:
            tl = r.timeline
            for k, t in enumerate(tl["t"]):
                for i, app in enumerate(tl["apps"]):
                    d, s = tl["demand"][i][k], tl["servable"][i][k]
                    short = max(0.0, d - s)
                    out.writerow((f"{t:.0f}", r.strategy, app, f"{d:.1f}", f"{s:.1f}", f"{short:.1f}", tl["limit"][k][i] or ""))


def _print(env: str, trace: Path, results: list[StrategyResult], order: dict[str, int], plot: Path | None,
           steps: Path | None) -> None:
    hours = results[0].hours if results else 0
    table = Table(title=f"{env}: {trace.name} ({hours:g} h)", title_justify="left")
    for col in ("rank", "strategy", "cost", "per month", "node-hours", "CPU allocation", "served", "unserved req-s",
                "SLO min breached", "limit", "pending pod-s", "p95 step→capacity", "launches", "spot interruptions"):
        table.add_column(col, justify="left" if col in ("strategy", "limit") else "right", no_wrap=col == "strategy")
    for r in sorted(results, key=lambda r: order[r.strategy]):
        p95 = "-" if r.p95_step_to_capacity_s is None else f"{r.p95_step_to_capacity_s:.0f} s"
        d = r.demand
        table.add_row(str(order[r.strategy]), r.strategy, f"${r.cost_usd:,.2f}", f"${r.monthly_cost_usd:,.2f}",
                      f"{r.node_hours:,.1f}", f"{r.mean_cpu_allocation:.1%}", f"{d['served_share']:.2%}",
                      f"{d['request_seconds_unserved']:,.0f}", str(d["slo_minutes_breached"]), d["limit"] or "-",
                      f"{r.pending_pod_seconds:,.0f}", p95, str(r.node_launches), str(r.spot_interruptions))
    console.print(table)
    console.print("rank: whole request-seconds unserved first, then cost (a strategy that leaves demand unserved "
                  "never ranks above one that serves it)", highlight=False, markup=False, emoji=False)
    for r in results:
        by = r.demand.get("unserved_by_limit", {})
        if by:
            parts = ", ".join(f"{k} {v:,.0f} req-s ({r.demand['slo_minutes_by_limit'].get(k, 0)} SLO min)" for k, v in by.items())
            console.print(f"  - {r.strategy}: unserved by limit: {parts}", highlight=False, markup=False, emoji=False)
        if r.zone_outage:
            o = r.zone_outage
            back = "not by the end of the trace" if o["recovery_s"] is None else f"{o['recovery_s']:.0f} s"
            last = "none" if o["last_shortfall_after_s"] is None else f"last at +{o['last_shortfall_after_s']:.0f} s"
            console.print(f"  - {r.strategy}: {o['zone']} lost {o['nodes_lost']} nodes and {o['pods_lost']} pods; recovery "
                          f"(every pod placed, demand served): {back}; unserved after the outage "
                          f"{o['unserved_request_seconds_after']:,.0f} req-s ({last})", highlight=False, markup=False, emoji=False)
        for note in r.notes:
            if not note.endswith(str(r.demand.get("limit"))):
                console.print(f"  - {r.strategy}: {note}", highlight=False, markup=False, emoji=False)
    for path in (plot, steps):
        if path is not None:
            console.print(f"wrote {path}", highlight=False, markup=False, emoji=False)
