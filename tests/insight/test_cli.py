"""The insight commands as a user runs them: clear one-line errors, exit codes, JSON."""

import json
import shutil

import pytest
from typer.testing import CliRunner

from innovate_platform.insight.cli import app

from .conftest import ROOT

runner = CliRunner()
CONFIG = str(ROOT / "platform.yaml")


def run(*args):
    return runner.invoke(app, [*args, "--config", CONFIG])


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = " ".join(result.output.split())
    for fragment in fragments:
        assert fragment in text, text


def write_trace(tmp_path, rows):
    path = tmp_path / "trace.csv"
    path.write_text("timestamp,app,rps\n" + "".join(r + "\n" for r in rows))
    return path


def test_missing_trace_file(tmp_path):
    result = run("simulate", "--env", "prod", "--trace", str(tmp_path / "nope.csv"))
    assert_one_line_error(result, "nope.csv", "cannot read the trace")


def test_malformed_row_names_file_line_and_field(tmp_path):
    path = write_trace(tmp_path, ["2026-11-02T00:00:00Z,api,10", "2026-11-02T00:00:15Z,api,lots"])
    assert_one_line_error(run("simulate", "--env", "prod", "--trace", str(path)), "trace.csv:3:", "rps", "'lots'")
    path = write_trace(tmp_path, ["yesterday,api,10"])
    assert_one_line_error(run("simulate", "--env", "prod", "--trace", str(path)), "trace.csv:2:", "timestamp")
    path = write_trace(tmp_path, ["2026-11-02T00:00:00Z,api"])
    assert_one_line_error(run("simulate", "--env", "prod", "--trace", str(path)), "trace.csv:2:", "expected 3 fields")


def test_a_trace_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("timestamp,app,rps\n2026-11-02T00:00:00Z,caf\u00e9,10\n".encode("latin-1"))
    assert_one_line_error(run("simulate", "--env", "prod", "--trace", str(path)), "latin1.csv", "not UTF-8")


def test_unknown_app_in_the_trace(tmp_path):
    path = write_trace(tmp_path, ["2026-11-02T00:00:00Z,api,10", "2026-11-02T00:01:00Z,billing,10"])
    assert_one_line_error(run("simulate", "--env", "prod", "--trace", str(path)), "trace.csv:3:", "app: 'billing'")


def test_unknown_strategy_and_environment(tmp_path):
    trace = str(ROOT / "traces" / "prod-flash-crowd.csv")
    assert_one_line_error(run("simulate", "--env", "prod", "--trace", trace, "--strategy", "magic"), "--strategy 'magic'")
    assert_one_line_error(run("simulate", "--env", "qa", "--trace", trace), "--env 'qa'")


def test_config_error_is_one_line(tmp_path):
    bad = tmp_path / "platform.yaml"
    bad.write_text((ROOT / "platform.yaml").read_text().replace("az_count: 3", "az_count: 9", 1))
    result = runner.invoke(app, ["capacity", "--config", str(bad)])
    assert_one_line_error(result, "environments.dev.az_count")


def test_simulate_json_reports_every_strategy():
    result = run("simulate", "--env", "prod", "--trace", str(ROOT / "traces" / "prod-flash-crowd.csv"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["strategy"] for r in data["results"]] == ["karpenter", "cluster-autoscaler", "static"]
    for r in data["results"]:
        assert {"cost_usd", "node_hours", "mean_cpu_allocation", "pending_pod_seconds", "p95_step_to_capacity_s"} <= set(r)


def test_capacity_passes_on_the_shipped_platform():
    result = run("capacity")
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


@pytest.fixture()
def greedy_dev_checkout(tmp_path):
    """A copy of the repository's config and charts where dev's API asks for 100 replicas."""
    shutil.copy(ROOT / "platform.yaml", tmp_path / "platform.yaml")
    shutil.copytree(ROOT / "charts", tmp_path / "charts", symlinks=True)
    (tmp_path / "gitops").symlink_to(ROOT / "gitops")
    values = tmp_path / "charts" / "api" / "values-dev.yaml"
    values.write_text(values.read_text().replace("maxReplicas: 3", "maxReplicas: 100"))
    return tmp_path


def test_capacity_exits_1_and_names_app_env_and_numbers(greedy_dev_checkout):
    result = runner.invoke(app, ["capacity", "--env", "dev", "--json", "--config", str(greedy_dev_checkout / "platform.yaml")])
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)["findings"]
    assert [(f["env"], f["subject"], f["check"]) for f in found] == [("dev", "api", "hpa-max")]
    assert "maxReplicas 100 x 250m" in found[0]["message"]
