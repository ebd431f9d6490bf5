"""CLI conventions: --version, one --env parser, the pinned CDK CLI, -c everywhere, plain-text
errors, tables that fold instead of cutting names, and no traceback for any input file."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from innovate_platform import __version__
from innovate_platform.cli import app
from innovate_platform.insight.cost import estimate
from innovate_platform.insight.templates import facts_from_templates

from .config.mistakes import MISTAKES, ROOT


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.strip() == f"innovate {__version__}"


@pytest.mark.parametrize("args, choices", [
    (["synth", "--env", "qa"], "dev, staging, prod, shared, all"),
    (["check", "--env", "qa"], "dev, staging, prod, shared, all"),
    (["cost", "--env", "qa"], "dev, staging, prod, all"),
    (["capacity", "--env", "qa"], "dev, staging, prod, all"),
    (["deploy", "--env", "all"], "dev, staging, prod, shared"),
    (["diff", "--env", "all"], "dev, staging, prod, shared"),
    (["simulate", "--env", "all", "--trace", "traces/none.csv"], "dev, staging, prod"),
])
def test_every_command_refuses_an_unknown_env_the_same_way(args, choices):
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.output == f"error: --env '{args[2]}' is not one of: {choices}\n"


def test_deploy_help_lists_what_it_accepts():
    assert "dev, staging, prod or shared." in " ".join(run("deploy", "--help").output.split())


def test_bootstrap_prints_the_pinned_cdk_cli_on_the_pinned_node():
    result = run("bootstrap")
    assert result.exit_code == 0 and "npx" not in result.output
    assert f"export PATH={ROOT}/node_modules/.bin:$PATH" in result.output
    assert result.output.count(f"{ROOT}/node_modules/.bin/cdk bootstrap aws://") == 4


def test_gitops_takes_dash_c():
    result = run("gitops", "--check", "-c", str(ROOT / "platform.yaml"))
    assert result.exit_code == 0, result.output


def test_cost_notes_are_text_not_a_python_dict(platform, tmp_path):
    from innovate_platform.insight.workloads import load_workloads

    result = estimate(platform, "dev", facts_from_templates({}), load_workloads(platform, "dev", ROOT))
    notes = " ".join(result.notes)
    assert "{'" not in notes and "': " not in notes  # no Python dict repr
    assert "sleep timeline: workloads down 20:00, node groups down 20:30" in notes


def test_check_tables_fold_long_names_instead_of_cutting_them():
    from innovate_platform.checks.model import CheckResult
    from innovate_platform.checks.report import print_report

    stream = io.StringIO()
    narrow = Console(file=stream, width=40)
    name = "platform-security-and-a-very-long-check-name"
    print_report([CheckResult(name, "prod", "pass", [], 1.0)], ok=True, verbose=True, console=narrow)
    rows = [line.split("│")[1].strip() for line in stream.getvalue().splitlines() if line.startswith("│")]
    assert name in "".join(rows) and "…" not in stream.getvalue()


SAMPLES = [m for m in MISTAKES if m.id in ("latin-1-comment", "duplicate-key-in-environment", "alias-of-teams",
                                            "binary-file", "account-unquoted", "two-nodepools-one-name")]
COMMANDS = [["config", "validate"], ["synth", "--env", "dev"], ["check", "--env", "dev"], ["gitops", "--check"],
            ["cost", "--env", "dev"], ["capacity", "--env", "dev"], ["diagram", "--env", "dev"], ["bootstrap"],
            ["context", "--check"], ["deploy", "--env", "dev"], ["diff", "--env", "dev"],
            ["simulate", "--env", "dev", "--trace", "traces/none.csv"]]


@pytest.mark.parametrize("mistake", SAMPLES, ids=[m.id for m in SAMPLES])
def test_no_command_prints_a_traceback_for_a_bad_file(mistake, tmp_path):
    path = tmp_path / "platform.yaml"
    path.write_bytes(mistake.raw())
    for command in COMMANDS:
        result = run(*command, "-c", str(path))
        assert result.exit_code == 2, (command, result.output)
        assert "Traceback" not in result.output and result.output.startswith("error: "), (command, result.output)
        assert not result.exception or isinstance(result.exception, SystemExit), (command, result.exception)
