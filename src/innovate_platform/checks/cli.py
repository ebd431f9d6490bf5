"""`innovate check [--env ...] [--json] [--only NAME]`: the offline gate over every environment."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from ..cli_common import fail, parse_env
from ..config import ConfigError, config_path, load_platform
from .model import ALL_ENVS, PASS, SHARED, CheckResult
from . import report
from .report import ProgressLines
from .runner import CHECK_NAMES, run_checks, select

console = Console()
err = Console(stderr=True)


_fail = fail


def check_command(
    env: Annotated[str, typer.Option("--env", "-e", help="dev, staging, prod, shared or all.")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help='Print {"ok", "checks": [...]} instead of the report.')] = False,
    only: Annotated[Optional[str], typer.Option("--only", help=f"Run one check: {', '.join(CHECK_NAMES)}.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print the per-environment tables and every note.")] = False,
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")] = None,
    charts: Annotated[Optional[str], typer.Option("--charts", help="Chart cache of upstream packages (default: $INNOVATE_CHARTS or ~/.cache/innovate/charts; fill it with `innovate charts pull`).")] = None,
) -> None:
    """Prove the platform offline: CloudFormation, cdk-nag, security rules, checkov, Kubernetes
    schemas, Pod Security, tenancy, observability and the real upstream charts, for every environment. Prints progress on a terminal, the
    findings and one summary line (--verbose: tables and notes). Exit 1 on any failure, 2 on bad input."""
    envs = parse_env(env, ALL_ENVS)
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
    progress = ProgressLines(_planned(envs, only), enabled=False if as_json else None)
    progress.start(envs)
    started = time.perf_counter()
    results = run_checks(platform, root, envs, only, progress=progress, charts_dir=Path(charts) if charts else None)
    ok = all(r.status == PASS for r in results)
    if as_json:
        print(json.dumps({"ok": ok, "checks": [r.as_dict() for r in results]}, indent=2))
    else:
        print_report(results, ok, verbose, seconds=time.perf_counter() - started)
    raise typer.Exit(0 if ok else 1)


def _planned(envs: tuple[str, ...], only: str | None) -> int:
    """How many (check, environment) results the run will produce."""
    return sum(1 for c in select(only) for e in envs if e in c.envs)


def print_report(results: list[CheckResult], ok: bool, verbose: bool = False, seconds: float | None = None) -> None:
    report.print_report(results, ok, verbose, console, seconds)
