"""`innovate cost | capacity | diagram | simulate`: insight commands, all from platform.yaml.

Register on the main app with `app.command("cost")(cost_command)` and so on, or mount `app`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..config import ConfigError, Platform, config_path, load_platform
from .capacity import Finding, check_environment
from .cost import SCENARIOS, estimate
from .diagram import DEFAULT_OUT, render_all
from .gitops_facts import system_addons_from_gitops
from .provisioners import STRATEGIES, SimulationParameters
from .simulate import simulate
from .templates import environment_facts
from .trace import TraceError, load_trace
from .workloads import load_workloads

ENVS = ("dev", "staging", "prod")
console = Console()
if not console.is_terminal:
    console = Console(width=160)  # pipes and CI logs: wide tables rather than folded cells
err = Console(stderr=True)

EnvOption = Annotated[str, typer.Option("--env", "-e", help="dev, staging, prod or all.")]
ConfigOption = Annotated[Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True, markup=True)
    return typer.Exit(code)


def _load(config: str | None) -> tuple[Platform, Path]:
    try:
        return load_platform(config), config_path(config).resolve().parent
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _envs(env: str) -> tuple[str, ...]:
    if env == "all":
        return ENVS
    if env not in ENVS:
        raise _fail(f"--env '{env}' is not one of: {', '.join(ENVS)}, all")
    return (env,)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def cost_command(env: EnvOption = "all", json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Monthly cost per environment (min / desired / max) and the saving against the seed's static design."""
    from ..aws.synth import SynthError

    platform, root = _load(config)
    results = []
    try:
        for name in _envs(env):
            apps = load_workloads(platform, name, root)
            results.append(estimate(platform, name, environment_facts(platform, name), apps, root=root))
    except (ConfigError, SynthError, KeyError) as exc:
        raise _fail(str(exc).strip("'\"")) from None
    if json_out:
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2))
        return
    for r in results:
        table = Table(title=f"{r.env}: monthly estimate (USD, 730 h)", title_justify="left")
        for col in ("category", "item", "detail"):
            table.add_column(col, overflow="fold")
        for col in SCENARIOS:
            table.add_column(col, justify="right")
        for i in r.items:
            table.add_row(i.category, i.name, i.detail, *(_money(getattr(i, s)) for s in SCENARIOS))
        table.add_section()
        table.add_row("", "[bold]total[/bold]", "", *(f"[bold]{_money(r.total(s))}[/bold]" for s in SCENARIOS))
        console.print(table)
        d = r.to_dict()
        console.print(f"Seed's static design (every node group on, on-demand, max size): {_money(r.static_total)}; "
                      f"saving at desired size {_money(r.saving)} ({d['saving_percent']}%)", highlight=False)
        for note in r.notes:
            console.print(f"  - {note}", highlight=False)


def capacity_command(env: EnvOption = "all", json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Cross-layer fit checks between the charts' values and the platform; exit 1 on any finding."""
    platform, root = _load(config)
    findings: list[Finding] = []
    try:
        for name in _envs(env):
            e = platform.env(name)
            findings += check_environment(e, load_workloads(platform, name, root), system_addons_from_gitops(e, root, platform))
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    if json_out:
        typer.echo(json.dumps({"findings": [f.to_dict() for f in findings]}, indent=2))
    elif findings:
        table = Table(title="capacity findings", title_justify="left")
        for col in ("env", "app / add-on", "check", "finding"):
            table.add_column(col, overflow="fold")
        for f in findings:
            table.add_row(f.env, f.subject, f.check, f.message)
        console.print(table)
    else:
        console.print(f"[green]ok[/green] every pod, HPA maximum, spread, PDB and add-on fits ({', '.join(_envs(env))})")
    if findings:
        raise typer.Exit(1)


def diagram_command(env: EnvOption = "all", out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = DEFAULT_OUT,
                    config: ConfigOption = None) -> None:
    """Render docs/images/architecture-<env>.png from platform.yaml (diagrams + graphviz)."""
    platform, root = _load(config)
    names = _envs(env)
    try:
        apps = {n: load_workloads(platform, n, root) for n in names}
        paths = render_all(platform, names, out, apps)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    except Exception as exc:  # graphviz missing or failing: one line, not a traceback
        if type(exc).__name__ in ("ExecutableNotFound", "CalledProcessError"):
            raise _fail(f"graphviz could not render ({exc}); install graphviz (apt-get install graphviz)") from None
        raise
    for p in paths:
        console.print(f"wrote {p}", highlight=False)


def simulate_command(
    env: Annotated[str, typer.Option("--env", "-e", help="dev, staging or prod.")],
    trace: Annotated[Path, typer.Option("--trace", "-t", help="CSV timestamp,app,rps (see traces/).")],
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="karpenter, cluster-autoscaler, static or all.")] = "all",
    json_out: JsonOption = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the spot interruption draws.")] = 7,
    spot_interruptions: Annotated[Optional[float], typer.Option(
        "--spot-interruptions-per-month", help="Fraction of spot nodes interrupted per month (default: Spot Advisor band per type).")] = None,
    config: ConfigOption = None,
) -> None:
    """Replay a request-rate trace through the HPA, the scheduler and each capacity strategy."""
    platform, root = _load(config)
    if env not in ENVS:
        raise _fail(f"--env '{env}' is not one of: {', '.join(ENVS)}")
    strategies = tuple(STRATEGIES) if strategy == "all" else (strategy,)
    if strategy != "all" and strategy not in STRATEGIES:
        raise _fail(f"--strategy '{strategy}' is not one of: {', '.join(STRATEGIES)}, all")
    if spot_interruptions is not None and not 0 <= spot_interruptions <= 100:
        raise _fail("--spot-interruptions-per-month must be between 0 and 100")
    try:
        apps = load_workloads(platform, env, root)
        data = load_trace(trace, tuple(a.name for a in platform.apps))
    except (ConfigError, TraceError) as exc:
        raise _fail(str(exc)) from None
    params = SimulationParameters(seed=seed, spot_interruptions_per_month=spot_interruptions)
    results = [simulate(platform.env(env), apps, data, s, params) for s in strategies]
    if json_out:
        typer.echo(json.dumps({"env": env, "trace": str(trace), "results": [r.to_dict() for r in results]}, indent=2))
        return
    hours = results[0].hours if results else 0
    table = Table(title=f"{env}: {trace.name} ({hours:g} h)", title_justify="left")
    for col in ("strategy", "cost", "per month", "node-hours", "CPU allocation", "pending pod-s", "p95 step→capacity",
                "steps", "peak pods", "launches", "spot interruptions"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for r in results:
        p95 = "-" if r.p95_step_to_capacity_s is None else f"{r.p95_step_to_capacity_s:.0f} s"
        table.add_row(r.strategy, _money(r.cost_usd), _money(r.monthly_cost_usd), f"{r.node_hours:,.1f}",
                      f"{r.mean_cpu_allocation:.1%}", f"{r.pending_pod_seconds:,.0f}", p95, str(r.demand_steps),
                      str(r.peak_pods), str(r.node_launches), str(r.spot_interruptions))
    console.print(table)
    for r in results:
        for note in r.notes:
            console.print(f"  - {r.strategy}: {note}", highlight=False)


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Cost, capacity fit, diagrams and a scaling simulator from platform.yaml.")
app.command("cost")(cost_command)
app.command("capacity")(capacity_command)
app.command("diagram")(diagram_command)
app.command("simulate")(simulate_command)
