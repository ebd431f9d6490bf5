"""`innovate context [--check]`: write cdk.context.json's availability zones from platform.yaml."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .cli_common import fail
from .config import ConfigError, config_path, load_platform
from .config.zones import CONTEXT_FILE, context_text, read_context, render_context


def context_command(
    check: Annotated[bool, typer.Option("--check", help="Exit 1 naming the stale entries instead of writing.")] = False,
    config: Annotated[Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")] = None,
) -> None:
    """Write the availability zones of every account (environments.*.availability_zones) into
    cdk.context.json next to platform.yaml, dropping accounts platform.yaml no longer names."""
    try:
        platform = load_platform(config)
    except ConfigError as exc:
        raise fail(str(exc), 2) from None
    root = config_path(config).resolve().parent
    try:
        current = read_context(root)
    except ValueError as exc:
        raise fail(f"{root / CONTEXT_FILE}: not JSON ({exc}); delete it and run `innovate context`", 2) from None
    wanted = render_context(platform, current)
    if check:
        stale = sorted(k for k in set(current) | set(wanted) if current.get(k) != wanted.get(k))
        if stale:
            raise fail(f"{CONTEXT_FILE} is stale ({', '.join(stale)}); run `innovate context`", 1)
        print(f"{CONTEXT_FILE} matches platform.yaml")
        return
    (root / CONTEXT_FILE).write_text(context_text(wanted), encoding="utf-8")
    print(f"wrote {root / CONTEXT_FILE}: {sum(k.startswith('availability-zones:') for k in wanted)} zone entries")
