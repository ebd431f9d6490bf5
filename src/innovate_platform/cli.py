"""`innovate`: synthesize, check, render and deploy the platform from platform.yaml."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from . import cli_common
from .config import ConfigError, Platform, load_platform

app = typer.Typer(
    help="Innovate Inc.'s EKS platform: one platform.yaml, synthesized, checked and deployed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Inspect and validate platform.yaml.", no_args_is_help=True)
app.add_typer(config_app, name="config")
console = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Optional[str], typer.Option("--config", "-c", help="Platform file (default: $INNOVATE_CONFIG or ./platform.yaml).")
]
STAGE_CHOICES = ("dev", "staging", "prod", "shared")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The pinned CDK CLI (package-lock.json), run on the pinned Node (docs/adr/0007).
CDK_CLI = PROJECT_ROOT / "node_modules" / ".bin" / "cdk"


fail = cli_common.fail


def load(config: str | None) -> Platform:
    try:
        return load_platform(config)
    except ConfigError as exc:
        raise fail(str(exc), 2) from None


def parse_stages(env: str, allow_all: bool = True) -> tuple[str, ...]:
    return cli_common.parse_env(env, STAGE_CHOICES, allow_all)


@config_app.command("validate")
def config_validate(config: ConfigOption = None) -> None:
    """Validate platform.yaml and summarize it; exits 2 naming the field on any mistake."""
    platform = load(config)
    console.print(f"[green]ok[/green] {len(platform.environments)} environments, {len(platform.apps)} apps, "
                  f"Kubernetes {platform.versions.kubernetes}")


@app.command()
def synth(
    env: Annotated[str, typer.Option("--env", "-e", help="dev, staging, prod, shared or all.")] = "all",
    out: Annotated[str, typer.Option("--out", "-o", help="Cloud assembly directory.")] = "cdk.out",
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON instead of tables.")] = False,
) -> None:
    """Synthesize CloudFormation offline (cdk-nag runs on every synth) and print a summary."""
    from .aws.synth import SynthError, synthesize

    platform = load(config)
    stages = parse_stages(env)
    clear_assembly_dir(Path(out))
    try:
        result = synthesize(platform, stages, out, progress=_progress())
    except SynthError as exc:
        raise fail(f"synthesis failed:\n{exc}") from None
    from .summary import synth_summary_rows, synth_summary_tables

    if as_json:
        print(json.dumps({"out": out, "seconds": round(result.seconds, 1),
                          "stages": {stage: dict(rows) for stage, rows in synth_summary_rows(platform, result).items()}},
                         indent=2))
        return
    for table in synth_summary_tables(platform, result):
        console.print(table)
    console.print(f"[green]synthesized[/green] {len(result.stacks)} stacks into {out}/ in {result.seconds:.1f} s")


def _progress():
    """Print each long step to stderr with the seconds since the command started."""
    import time

    started = time.perf_counter()

    def step(message: str) -> None:
        sys.stderr.write(f"synth: {message} ... ({time.perf_counter() - started:.0f} s)\n")
        sys.stderr.flush()
    return step


def clear_assembly_dir(out: Path) -> None:
    """Empty a previous cloud assembly; refuse any other non-empty directory (never delete work)."""
    if not out.exists():
        return
    if not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").is_file()):
        raise fail(f"--out {out} exists and is not a cloud assembly (no manifest.json); "
                   "pass an empty or new directory, or a previous cdk.out", 2)
    shutil.rmtree(out)


def has_aws_credentials(environ: dict[str, str] | None = None, home: Path | None = None) -> bool:
    """True when some credential source is configured (checked statically: no network call)."""
    environ = dict(os.environ) if environ is None else environ
    home = Path.home() if home is None else home
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        return True
    if environ.get("AWS_WEB_IDENTITY_TOKEN_FILE") and environ.get("AWS_ROLE_ARN"):
        return True
    if environ.get("AWS_PROFILE") or environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        return True
    return any((home / ".aws" / name).is_file() for name in ("credentials", "config"))


def run_cdk(action: str, env: str, config: str | None, extra: list[str]) -> None:
    stages = parse_stages(env, allow_all=False)
    platform = load(config)
    if not has_aws_credentials():
        raise fail(f"innovate {action} needs AWS credentials for account "
                   f"{_account(platform, stages)} and none are configured (set AWS_PROFILE, or run in CI "
                   "with the GitHub OIDC role); nothing was changed")
    cdk = CDK_CLI
    if not cdk.exists():
        raise fail("the CDK CLI is not installed; run `make setup`")
    stacks = [f"{'innovate-shared' if s == 'shared' else platform.env(s).cluster_name}/*" for s in stages]
    # The CLI and the app it runs use the project's pinned Node (docs/adr/0007), not the machine's.
    node_bin = PROJECT_ROOT / "node_modules" / ".bin"
    environ = {**os.environ, "INNOVATE_STAGES": ",".join(stages),
               "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    if config:
        environ["INNOVATE_CONFIG"] = config
    command = [str(cdk), action, "--no-notices", *stacks, *extra]
    raise typer.Exit(subprocess.call(command, cwd=PROJECT_ROOT, env=environ))


def _account(platform: Platform, stages: tuple[str, ...]) -> str:
    return ", ".join(platform.shared.account if s == "shared" else platform.env(s).account for s in stages)


@app.command()
def deploy(
    env: Annotated[str, typer.Option("--env", "-e", help=cli_common.env_help(STAGE_CHOICES, allow_all=False))],
    config: ConfigOption = None,
    approve: Annotated[bool, typer.Option(help="Skip CDK's approval prompt for security changes (CI).")] = False,
) -> None:
    """Deploy one environment's stacks with the pinned CDK CLI (needs AWS credentials)."""
    run_cdk("deploy", env, config, ["--require-approval", "never"] if approve else [])


@app.command()
def diff(
    env: Annotated[str, typer.Option("--env", "-e", help=cli_common.env_help(STAGE_CHOICES, allow_all=False))],
    config: ConfigOption = None,
) -> None:
    """Show what `deploy` would change (needs AWS credentials)."""
    # Templates only: the diff role reads CloudFormation state and may assume no CDK role (a change
    # set needs the deploy role, a lookup the lookup role); cdk.context.json holds every lookup.
    run_cdk("diff", env, config, ["--method", "template", "--no-lookups"])


@app.command()
def bootstrap(config: ConfigOption = None) -> None:
    """Print the `cdk bootstrap` command for every account (run once per account by an admin)."""
    platform = load(config)
    for line in bootstrap_commands(platform):
        print(line)


def bootstrap_commands(platform: Platform) -> list[str]:
    """One command per account, trusting no other account: CI deploys through each account's own
    GitHub deploy role, and diffs read CloudFormation state with each account's own diff role, so no
    account may assume another's deploy or lookup role (add `--trust` only for a central pipeline)."""
    lines = []
    admin = "--cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess"
    shared = platform.shared.account
    cdk = str(CDK_CLI)
    lines = ["# the pinned CDK CLI on the pinned Node (docs/adr/0007); first run:",
             f"export PATH={CDK_CLI.parent}:$PATH",
             f"# shared services account {shared}",
             f"{cdk} bootstrap aws://{shared}/{platform.region} {admin}"]
    for env in platform.environments.values():
        lines += [f"# {env.name} account {env.account}: deploys come from its own innovate-{env.name}-github-deploy role",
                  f"{cdk} bootstrap aws://{env.account}/{platform.region} {admin}"]
    return lines


def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"innovate {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    show_version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False,
) -> None:
    """Innovate Inc.'s EKS platform: one platform.yaml, synthesized, checked and deployed."""


def _register_optional_commands() -> None:
    """Commands owned by other packages (GitOps, checks, insight), registered when present."""
    from .context_cli import context_command

    app.command("context")(context_command)
    try:
        from .gitops.cli import gitops_command

        app.command("gitops")(gitops_command)
    except ImportError:
        pass
    try:
        from .checks.cli import check_command

        app.command("check")(check_command)
    except ImportError:
        pass
    try:
        from .upstream.cli import charts_app

        app.add_typer(charts_app, name="charts")
    except ImportError:
        pass
    try:
        from .insight import cli as insight

        for name in ("cost", "capacity", "diagram", "simulate"):
            app.command(name)(getattr(insight, f"{name}_command"))
    except (ImportError, AttributeError):
        pass


_register_optional_commands()


def main() -> None:
    """Console entry point: user mistakes exit with one line, never a traceback."""
    try:
        app()
    except ConfigError as exc:
        cli_common.error(str(exc))
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
