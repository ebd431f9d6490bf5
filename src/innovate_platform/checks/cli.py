"""`innovate check [--env ...] [--json] [--only NAME]`: the offline gate over every environment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from ..config import ConfigError, config_path, load_platform
from .model import ALL_ENVS, BROKEN, FAIL, NOTE, PASS, SHARED, CheckResult
from .runner import CHECK_NAMES, run_checks

console = Console()
err = Console(stderr=True)
STYLE = {PASS: "green", FAIL: "red", BROKEN: "yellow"}


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def check_command(
    env: Annotated[str, typer.Option("--env", "-e", help="dev, staging, prod, shared or all.")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help='Print {"ok", "checks": [...]} instead of tables.')] = False,
    only: Annotated[Optional[str], typer.Option("--only", help=f"Run one check: {', '.join(CHECK_NAMES)}.")] = None,
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")] = None,
) -> None:
    """Prove the platform offline: CloudFormation, cdk-nag, security rules, checkov, Kubernetes
    schemas, Pod Security, tenancy and observability, for every environment. Exit 1 on any failure, 2 on bad input."""
    envs = ALL_ENVS if env == "all" else (env,)
    if env != "all" and env not in ALL_ENVS:
        raise _fail(f"--env '{env}' is not one of: {', '.join(ALL_ENVS)}, all", 2)
    if only is not None and only not in CHECK_NAMES:
        raise _fail(f"--only '{only}' is not a check; choose one of: {', '.join(CHECK_NAMES)}", 2)
    try:
        platform = load_platform(config)
    except ConfigError as exc:
        raise _fail(str(exc), 2) from None
    missing = [e for e in envs if e != SHARED and e not in platform.environments]
    if missing:
        raise _fail(f"--env '{missing[0]}' is not an environment of {config_path(config)}", 2)
    root = config_path(config).resolve().parent
    results = run_checks(platform, root, envs, only)
    ok = all(r.status == PASS for r in results)
    if as_json:
        print(json.dumps({"ok": ok, "checks": [r.as_dict() for r in results]}, indent=2))
    else:
        print_report(results, ok)
    raise typer.Exit(0 if ok else 1)


def print_report(results: list[CheckResult], ok: bool) -> None:
    """One table per environment, then its findings (errors first) with the fix."""
    for env in dict.fromkeys(r.env for r in results):
        rows = [r for r in results if r.env == env]
        table = Table(title=f"innovate check: {env}", title_justify="left")
        for column in ("check", "status", "findings", "notes", "seconds"):
            table.add_column(column, justify="right" if column in ("findings", "notes", "seconds") else "left")
        for r in rows:
            table.add_row(r.name, f"[{STYLE[r.status]}]{r.status}[/]", str(len(r.errors)), str(len(r.notes)), f"{r.seconds:.1f}")
        console.print(table)
        for r in rows:
            for f in sorted(r.findings, key=lambda f: f.severity == NOTE):
                colour = "dim" if f.severity == NOTE else STYLE[r.status]
                where = f"{f.resource} {f.field}".strip()
                console.print(f"  [{colour}]{r.name} {f.severity}[/] {where}: {f.message}", highlight=False, soft_wrap=True)
                if f.severity != NOTE:
                    console.print(f"      fix: {f.fix}", highlight=False, soft_wrap=True)
    failed = [f"{r.name}/{r.env}" for r in results if r.status != PASS]
    console.print("[green]ok[/green]: every check passed" if ok else f"[red]failed[/red]: {', '.join(failed)}")
