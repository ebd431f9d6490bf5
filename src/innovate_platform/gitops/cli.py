"""`innovate gitops [--check]`: render the gitops/ tree from platform.yaml, or prove it is current."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..config import ConfigError, config_path, load_platform
from .charts import ChartError
from .controllers import UnsupportedKubernetesVersion
from .tree import stale_files, write_tree

app = typer.Typer(add_completion=False, help="Render the GitOps tree Flux reconciles.")


def gitops_command(
    check: bool = typer.Option(False, "--check", help="Exit 1 and name the stale files instead of writing."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="platform.yaml to read (default ./platform.yaml or $INNOVATE_CONFIG)."),
) -> None:
    """Render gitops/ from platform.yaml and the charts (next to platform.yaml)."""
    try:
        platform = load_platform(config)
        root = config_path(config).resolve().parent
        if check:
            stale = stale_files(platform, root)
            if stale:
                typer.echo(f"gitops/ is stale ({len(stale)} files): {', '.join(stale)}; run `innovate gitops`", err=True)
                raise typer.Exit(1)
            typer.echo("gitops/ is up to date with platform.yaml")
            return
        changed = write_tree(platform, root)
    except (ConfigError, ChartError, UnsupportedKubernetesVersion) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"gitops/ rendered: {len(changed)} files changed" if changed else "gitops/ rendered: already up to date")


app.command("gitops")(gitops_command)


def main() -> None:  # pragma: no cover - thin entry point
    app()
