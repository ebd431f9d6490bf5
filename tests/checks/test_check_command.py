"""`innovate check` end to end: the shipped platform passes every check in every environment, the
JSON has the documented shape, and bad options exit 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from innovate_platform.checks.runner import CHECK_NAMES

ROOT = Path(__file__).resolve().parents[2]
INNOVATE = Path(sys.executable).parent / "innovate"
FINDING_KEYS = {"env", "resource", "field", "message", "fix", "severity"}


@pytest.fixture(scope="module")
def report() -> dict:
    result = subprocess.run([str(INNOVATE), "check", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    failing = [f"{c['name']}/{c['env']}: {c['findings'][:3]}" for c in data["checks"] if c["status"] != "pass"]
    assert result.returncode == 0 and data["ok"] is True, "\n".join(failing)
    return data


def test_the_shipped_platform_passes_every_check(report):
    assert set(report) == {"ok", "checks"}
    pairs = {(c["name"], c["env"]) for c in report["checks"]}
    for name in CHECK_NAMES:
        if name == "accounts":  # files outside the clusters: runs for shared only
            continue
        for env in ("dev", "staging", "prod"):
            assert (name, env) in pairs, f"{name} did not run for {env}"
    assert {n for n, e in pairs if e == "shared"} == {"cdk-nag", "cloudformation", "platform-security", "checkov",
                                                      "accounts"}
    for check in report["checks"]:
        assert set(check) == {"name", "env", "status", "findings", "seconds"}
        assert check["status"] == "pass" and check["seconds"] >= 0
        for finding in check["findings"]:
            assert set(finding) == FINDING_KEYS and finding["env"] == check["env"] and finding["severity"] == "note"


def test_the_report_lists_every_acknowledgement_with_its_reason(report):
    nag = [f for c in report["checks"] if c["name"] == "cdk-nag" for f in c["findings"]]
    assert any("AwsSolutions-IAM4" in f["message"] and "AmazonEKSClusterPolicy" in f["message"] for f in nag)
    assert all("acknowledged at" in f["message"] and "(no reason given)" not in f["message"] for f in nag)


def test_checkov_skips_are_listed_with_their_reasons(report):
    checkov = next(c for c in report["checks"] if c["name"] == "checkov" and c["env"] == "shared")
    assert any(f["field"] == "skip-check CKV_AWS_51" and "immutable" in f["message"] for f in checkov["findings"])
    # The image-digest rule is not skipped any more (docs/adr/0018).
    assert not any(f["field"] == "skip-check CKV_K8S_43" for f in checkov["findings"])


@pytest.mark.parametrize("args, message", [
    (["--env", "qa"], "--env 'qa' is not one of"),
    (["--only", "everything"], "--only 'everything' is not a check"),
])
def test_bad_options_exit_2_with_one_line(args, message):
    from innovate_platform.cli import app

    result = CliRunner().invoke(app, ["check", *args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_a_broken_platform_file_exits_2(tmp_path):
    from innovate_platform.cli import app

    bad = tmp_path / "platform.yaml"
    bad.write_text("organisation: innovate\nregion: mars\n")
    result = CliRunner().invoke(app, ["check", "--config", str(bad), "--only", "tenancy"])
    assert result.exit_code == 2 and "platform.yaml" in result.output and "Traceback" not in result.output


def test_the_table_names_each_environment_and_a_failure_with_its_fix(capsys):
    from innovate_platform.checks import cli
    from innovate_platform.checks.model import CheckResult, Finding

    finding = Finding("prod", "innovate-prod-platform/Cluster (AWS::EKS::Cluster)", "Properties.ResourcesVpcConfig.EndpointPublicAccess",
                      "the prod API endpoint is public", "set environments.prod.endpoint.public: false in platform.yaml")
    cli.console.width = 200
    cli.print_report([CheckResult("platform-security", "prod", "fail", [finding], 0.2),
                      CheckResult("tenancy", "dev", "pass", [], 0.1)], ok=False, verbose=True)
    out = capsys.readouterr().out
    assert "innovate check: prod" in out and "innovate check: dev" in out
    assert "EndpointPublicAccess: the prod API endpoint is public" in out
    assert "fix: set environments.prod.endpoint.public: false" in out and "failed: platform-security/prod" in out


def test_only_and_env_select_one_check_for_one_environment(platform):
    from innovate_platform.checks.runner import run_checks

    results = run_checks(platform, ROOT, ("prod",), only="tenancy")
    assert [(r.name, r.env, r.status) for r in results] == [("tenancy", "prod", "pass")]


def test_a_shared_input_that_crashes_is_one_line_for_every_check_that_needs_it(platform, tmp_path):
    from innovate_platform.checks.inputs import CheckInputs
    from innovate_platform.checks.model import CheckUnavailable

    inputs = CheckInputs(platform, tmp_path, ("prod",))
    calls = []

    def explode():
        calls.append(1)
        raise RuntimeError("jsii: boom\nat line 2")

    for _ in range(2):
        with pytest.raises(CheckUnavailable, match=r"^synthesis failed: RuntimeError: jsii: boom$"):
            inputs._once("synthesis", explode)
    assert calls == [1]  # computed once, the failure shared
    inputs.close()


def test_the_default_report_is_findings_and_one_summary_line_notes_only_with_verbose(capsys):
    from innovate_platform.checks import cli
    from innovate_platform.checks.model import NOTE, CheckResult, Finding

    error = Finding("prod", "gitops/prod/nodepool.yaml: NodePool burst", "spec.template", "capacity [on-demand] missing",
                    "see file:100: for [a-z] names")
    note = Finding("dev", "innovate-dev-platform", "", "acknowledged: dev runs single-AZ", "", NOTE)
    results = [CheckResult("kubernetes", "prod", "fail", [error], 0.2), CheckResult("cdk-nag", "dev", "pass", [note], 0.1)]
    cli.console.width = 200
    cli.print_report(results, ok=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["  kubernetes prod error gitops/prod/nodepool.yaml: NodePool burst spec.template: capacity [on-demand] missing",
                     "      fix: see file:100: for [a-z] names",
                     "failed: kubernetes/prod; 1 findings, 1 notes (--verbose shows them)"]
    cli.print_report(results, ok=False, verbose=True)
    verbose = capsys.readouterr().out
    assert "acknowledged: dev runs single-AZ" in verbose and "innovate check: dev" in verbose


def test_progress_lines_name_each_check_and_environment_as_it_finishes(platform):
    import io

    from innovate_platform.checks.report import ProgressLines
    from innovate_platform.checks.runner import run_checks

    stream = io.StringIO()
    progress = ProgressLines(2, stream, enabled=True)
    run_checks(platform, ROOT, ("dev", "prod"), only="tenancy", progress=progress)
    lines = stream.getvalue().splitlines()
    assert sorted(line.split("] ")[1].split(":")[0] for line in lines) == ["tenancy dev", "tenancy prod"]
    assert lines[-1].startswith("  [2/2] ")
    silent = io.StringIO()
    ProgressLines(1, silent)("tenancy", ("dev",), [])  # not a terminal: nothing
    assert silent.getvalue() == ""
