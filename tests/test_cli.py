"""The `innovate` command line as a user runs it: clear lines, exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def innovate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "innovate_platform", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=300)


def without_credentials(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**keep, "HOME": str(tmp_path)}


@pytest.mark.parametrize("command", ["deploy", "diff"])
def test_aws_commands_without_credentials_fail_with_one_line(command, tmp_path):
    result = innovate(command, "--env", "prod", env=without_credentials(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 or "nothing was changed" in result.stderr.replace("\n", " ")
    assert "needs AWS credentials for account 333333333333" in result.stderr.replace("\n", " ")


def test_credentials_are_detected_without_any_network_call(tmp_path):
    from innovate_platform.cli import has_aws_credentials

    assert not has_aws_credentials({}, tmp_path)
    assert has_aws_credentials({"AWS_PROFILE": "dev"}, tmp_path)
    assert has_aws_credentials({"AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn"}, tmp_path)
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\n")
    assert has_aws_credentials({}, tmp_path)


def test_unknown_environment_is_named():
    result = innovate("synth", "--env", "qa")
    assert result.returncode == 2
    assert "--env 'qa' is not one of: dev, staging, prod, shared, all" in result.stderr
    assert "Traceback" not in result.stderr


def test_bootstrap_prints_one_command_per_account_trusting_no_other_account():
    result = innovate("bootstrap")
    assert result.returncode == 0
    commands = [line for line in result.stdout.splitlines() if line.startswith(f"{ROOT}/node_modules/.bin/cdk bootstrap")]
    assert len(commands) == 4
    for account in ("111111111111", "222222222222", "333333333333", "444444444444"):
        line = next(c for c in commands if f"aws://{account}/us-east-1" in c)
        # no other account may deploy, nor assume the ReadOnlyAccess lookup role
        assert "--trust" not in line


def test_synth_prints_the_summary_and_writes_the_assembly(tmp_path):
    out = tmp_path / "cdk.out"
    result = innovate("synth", "--env", "prod", "--out", str(out), env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "innovate-prod (Kubernetes 1.35, endpoint private only)" in text
    assert "c6i.xlarge ON_DEMAND min 4 / desired 4 / max 4" in text
    assert "innovate-prod-postgres" in text and "Multi-AZ" in text
    assert "synthesized 3 stacks" in text
    assert (out / "assembly-innovate-prod" / "manifest.json").exists()


def test_config_validate_accepts_the_example():
    result = innovate("config", "validate")
    assert result.returncode == 0
    assert "ok 3 environments, 2 apps, Kubernetes 1.35" in result.stdout


def test_innovate_config_environment_variable_picks_another_file(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text((ROOT / "platform.yaml").read_text().replace("organisation: innovate", "organisation: Innovate"))
    result = innovate("config", "validate", env={**os.environ, "INNOVATE_CONFIG": str(other)})
    assert result.returncode == 2
    assert f"{other}:" in result.stderr and "organisation" in result.stderr


def test_synth_never_deletes_a_directory_that_is_not_a_cloud_assembly(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine")
    result = innovate("synth", "--env", "shared", "--out", str(work))
    assert result.returncode == 2
    assert "is not a cloud assembly" in result.stderr and "Traceback" not in result.stderr
    assert (work / "keep.txt").read_text() == "mine"
    again = tmp_path / "cdk.out"
    assert innovate("synth", "--env", "shared", "--out", str(again)).returncode == 0
    stale = again / "stale-from-last-run.txt"
    stale.write_text("x")
    assert innovate("synth", "--env", "shared", "--out", str(again)).returncode == 0
    assert not stale.exists(), "a previous assembly is replaced, not merged"


def test_a_new_region_with_the_old_zones_is_refused_naming_them(tmp_path):
    other = tmp_path / "platform.yaml"
    other.write_text((ROOT / "platform.yaml").read_text().replace("region: us-east-1", "region: eu-west-1", 1))
    result = innovate("synth", "--env", "dev", "--config", str(other), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "environments.dev.availability_zones: us-east-1a, us-east-1b, us-east-1c is not a zone of region eu-west-1" \
        in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_account_synthesizes_with_the_zones_from_platform_yaml(tmp_path):
    """Changing an account in platform.yaml alone: synth needs no cdk.context.json edit."""
    text = (ROOT / "platform.yaml").read_text().replace('account: "111111111111"', 'account: "555555555555"')
    other = tmp_path / "platform.yaml"
    other.write_text(text.replace("arn:aws:iam::111111111111:", "arn:aws:iam::555555555555:"))
    result = innovate("synth", "--env", "dev", "--json", "--config", str(other), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    import json

    assert json.loads(result.stdout)["stages"]["dev"]["account"] == "555555555555"
    assert "synth: building the CDK app for dev" in result.stderr, "long steps show progress (make run)"
