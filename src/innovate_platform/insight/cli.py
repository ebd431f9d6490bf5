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

from ..cli_common import fail, parse_env
from ..config import ConfigError, Platform, config_path, load_platform
from .capacity import Finding, check_environment
from .cost import SCENARIOS, estimate
from .diagram import DEFAULT_OUT, render_all
from .gitops_facts import system_addons_from_gitops
from .simulate_cli import simulate_command
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
    return fail(message, code)


def _load(config: str | None) -> tuple[Platform, Path]:
    try:
        return load_platform(config), config_path(config).resolve().parent
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _envs(env: str) -> tuple[str, ...]:
    return parse_env(env, ENVS)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def cost_command(env: Annotated[str, typer.Option("--env", "-e", help="dev, staging, prod, shared (the services account) or all.")] = "all",
                 json_out: JsonOption = False, config: ConfigOption = None,
                 plot: Annotated[Optional[Path], typer.Option("--plot", help="Write a PNG: each environment at min / desired / max against the seed's design.")] = None) -> None:
    """Monthly cost per environment (min / desired / max) and the saving against the seed's design as the seed states it."""
    from ..aws.synth import SynthError, synthesize
    from .extra_costs import shared_account_items
    from .prices import load_prices
    from .templates import facts_from_templates

    platform, root = _load(config)
    if plot is not None and plot.suffix.lower() != ".png":
        raise _fail(f"--plot '{plot}' must end in .png")
    if plot is not None and env == "shared":
        raise _fail("--plot draws environments against the seed's design; the shared account has none: use --env all or one environment")
    names = _envs(env) if env != "shared" else ()
    with_shared = env in ("all", "shared")
    results = []
    shared = []
    try:
        synthesis = synthesize(platform, names + (("shared",) if with_shared else ()))
        for name in names:
            apps = load_workloads(platform, name, root)
            results.append(estimate(platform, name, facts_from_templates(synthesis.templates(name)), apps, root=root))
        if with_shared:
            shared = shared_account_items(platform, facts_from_templates(synthesis.templates("shared")), load_prices())
    except (ConfigError, SynthError, KeyError) as exc:
        raise _fail(str(exc).strip("'\"")) from None
    if plot is not None and results:
        from .plot import cost_png

        cost_png([{"env": r.env, "min": r.total("min"), "desired": r.total("desired"), "max": r.total("max"),
                   "seed": r.static_total} for r in results], plot)
    shared_total = round(sum(i.desired for i in shared), 2)
    if json_out:
        out = [r.to_dict() for r in results]
        if with_shared:
            out.append({"env": "shared", "items": [i.__dict__ for i in shared], "totals": {s: shared_total for s in SCENARIOS},
                        "notes": ["The shared services account (ECR, CI identity): the same on both sides of the seed comparison."]})
        typer.echo(json.dumps(out, indent=2))
        return
    for r in results:
        table = Table(title=f"{r.env}: monthly estimate (USD, 730 h)", title_justify="left")
        for col in ("category", "item", "detail"):
            table.add_column(col, overflow="fold")
        for col in SCENARIOS:
            table.add_column(col, justify="right", overflow="fold")
        for i in r.items:
            table.add_row(i.category, i.name, i.detail, *(_money(getattr(i, s)) for s in SCENARIOS))
        table.add_section()
        table.add_row("", "[bold]total[/bold]", "", *(f"[bold]{_money(r.total(s))}[/bold]" for s in SCENARIOS))
        console.print(table)
        d = r.to_dict()
        seed = Table(title=f"{r.env}: the seed's design as the seed states it (USD, 730 h)", title_justify="left")
        for col in ("category", "item", "assumption"):
            seed.add_column(col, overflow="fold")
        for col in SCENARIOS:
            seed.add_column(col, justify="right")
        for i in r.static_items:
            seed.add_row(i.category, i.name, i.detail, *(_money(getattr(i, s)) for s in SCENARIOS))
        seed.add_section()
        seed.add_row("", "[bold]total[/bold]", "", *(f"[bold]{_money(round(sum(getattr(i, s) for i in r.static_items), 2))}[/bold]" for s in SCENARIOS))
        console.print(seed)
        verdict = "saving" if r.saving >= 0 else "extra cost"
        console.print(f"Seed's design at its desired size: {_money(r.static_total)}; this platform at desired: "
                      f"{_money(r.total('desired'))}; {verdict} {_money(abs(r.saving))} ({abs(d['saving_percent'])}%)", highlight=False, markup=False, emoji=False)
        for note in r.notes:
            console.print(f"  - {note}", highlight=False, markup=False, emoji=False)
    if shared:
        table = Table(title="shared services account: monthly estimate (USD, 730 h)", title_justify="left")
        for col in ("category", "item", "detail", "monthly", "source"):
            table.add_column(col, overflow="fold")
        for i in shared:
            table.add_row(i.category, i.name, i.detail, _money(i.desired), i.source)
        table.add_section()
        table.add_row("", "[bold]total[/bold]", "", f"[bold]{_money(shared_total)}[/bold]", "")
        console.print(table)
    if plot is not None and results:
        console.print(f"wrote {plot}", highlight=False, markup=False, emoji=False)


def capacity_command(env: EnvOption = "all", json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Per node group / NodePool: allocatable, requests at min and max replicas, headroom, the largest pod
    that still fits; then cross-layer fit checks. Exit 1 on any finding."""
    from .capacity_numbers import capacity_numbers

    platform, root = _load(config)
    findings: list[Finding] = []
    numbers = []
    try:
        for name in _envs(env):
            e = platform.env(name)
            apps, addons = load_workloads(platform, name, root), system_addons_from_gitops(e, root, platform)
            numbers += capacity_numbers(e, apps, addons)
            findings += check_environment(e, apps, addons)
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    if json_out:
        typer.echo(json.dumps({"numbers": [n.to_dict() for n in numbers], "findings": [f.to_dict() for f in findings]}, indent=2))
    else:
        _print_numbers(numbers)
        if findings:
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


def _res(d: dict) -> str:
    return f"{d['cpu_m']:,}m / {d['memory_mib']:,}Mi"


def _print_numbers(numbers: list) -> None:
    table = Table(title="capacity per node group / NodePool (requests; at min and at max replicas)", title_justify="left")
    for col in ("env", "capacity", "type", "nodes min/max", "allocatable per node", "requested @min", "requested @max",
                "headroom @min", "headroom @max", "largest pod that fits @min", "@max"):
        table.add_column(col, overflow="fold", justify="left" if col in ("env", "capacity", "type") else "right")
    for n in numbers:
        alloc = n.allocatable_per_node
        unplaced = "" if not n.unplaced["max"] else f" ({n.unplaced['max']} pods fit nowhere)"
        table.add_row(n.env, f"{n.kind} {n.source}", n.instance_type, f"{n.nodes['min']}/{n.nodes['max']}" + (f" (≤{n.nodes_reachable})" if n.kind == "NodePool" else ""),
                      f"{alloc['cpu_m']:,}m / {alloc['memory_mib']:,}Mi / {alloc['pods']} pods",
                      _res(n.requested["min"]), _res(n.requested["max"]) + unplaced, _res(n.headroom["min"]),
                      _res(n.headroom["max"]), _res(n.largest_pod["min"]), _res(n.largest_pod["max"]))
    console.print(table)


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
        console.print(f"wrote {p}", highlight=False, markup=False, emoji=False)


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Cost, capacity fit, diagrams and a scaling simulator from platform.yaml.")
app.command("cost")(cost_command)
app.command("capacity")(capacity_command)
app.command("diagram")(diagram_command)
app.command("simulate")(simulate_command)
