"""`innovate charts pull`: fill the chart cache with the published package of every pinned chart."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from ..cli_common import fail

from ..config import ConfigError, load_platform
from .cache import CHARTS_ENV, PullError, cache_dir, find_helm, pull

charts_app = typer.Typer(help="The chart cache: the upstream chart packages `innovate check` renders.", no_args_is_help=True)
console = Console()
PROJECT_ROOT = Path(__file__).resolve().parents[3]


@charts_app.command("pull")
def pull_command(
    charts: Annotated[Optional[str], typer.Option("--charts", help=f"Chart cache (default: ${CHARTS_ENV} or ~/.cache/innovate/charts).")] = None,
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")] = None,
) -> None:
    """`helm pull` every chart version platform.yaml pins (flux2 included) into the chart cache.
    Needs network access to the chart repositories; packages already cached are kept."""
    try:
        platform = load_platform(config)
    except ConfigError as exc:
        raise fail(str(exc), 2) from None
    helm = find_helm(PROJECT_ROOT)
    if helm is None:
        raise fail("helm is not installed (.tools/bin/helm); run `make setup`", 1)
    cache = cache_dir(charts)
    try:
        fetched = pull(platform, cache, helm)
    except PullError as exc:
        raise fail(str(exc), 1) from None
    console.print(f"ok chart cache {cache}: {len(fetched)} pulled, "
                  f"{len(platform.versions.charts) - len(fetched)} already there", highlight=False, markup=False, emoji=False)
