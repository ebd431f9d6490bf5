"""Traces people have (epoch seconds, implausible spans refused early), pictures, capacity numbers."""

import json
import time

import matplotlib.image
from typer.testing import CliRunner

from innovate_platform.insight.capacity import check_environment
from innovate_platform.insight.capacity_numbers import capacity_numbers
from innovate_platform.insight.cli import app
from innovate_platform.insight.fleet import node_room
from innovate_platform.insight.gitops_facts import system_addons_from_gitops
from innovate_platform.insight.plot import cost_png
from innovate_platform.insight.trace import load_trace

from .conftest import ROOT

APPS = ("api", "web")


def run(*args):
    return CliRunner().invoke(app, [*args, "--config", str(ROOT / "platform.yaml")])


def write(tmp_path, rows, name="t.csv"):
    path = tmp_path / name
    path.write_text("timestamp,app,rps\n" + "\n".join(rows) + "\n")
    return path


def one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for n in needles:
        assert n in result.output, (n, result.output)


def test_epoch_seconds_and_iso_8601_give_the_same_trace(tmp_path):
    iso = write(tmp_path, ["2026-11-02T09:00:00Z,api,10", "2026-11-02T09:00:15Z,api,20", "2026-11-02T09:00:30+00:00,api,5"], "iso.csv")
    epoch = write(tmp_path, ["1793610000,api,10", "1793610015.0,api,20", "1793610030,api,5"], "epoch.csv")
    a, b = load_trace(iso, APPS), load_trace(epoch, APPS)
    assert (a.start, a.end, a.series) == (b.start, b.end, b.series)


def test_a_wrong_year_or_unit_is_refused_before_any_work(tmp_path):
    rows = [f"{1793610000 + 15 * k},api,10" for k in range(200)]
    typo = write(tmp_path, rows[:100] + ["1824000000,api,10"], "year.csv")  # one row a year later
    started = time.perf_counter()
    one_line_error(run("simulate", "--env", "prod", "--trace", str(typo)), "year.csv:102:", "jumps", "its usual 15 s step")
    assert time.perf_counter() - started < 10  # refused while reading, not after minutes of simulation
    millis = write(tmp_path, ["1793610000000,api,10", "1793610015000,api,10"], "ms.csv")
    one_line_error(run("simulate", "--env", "prod", "--trace", str(millis)), "ms.csv:2:", "epoch milliseconds")
    years = write(tmp_path, ["2026-11-02T09:00:00Z,api,10", "2029-11-02T09:00:00Z,api,10"], "span.csv")
    one_line_error(run("simulate", "--env", "prod", "--trace", str(years)), "span.csv", "spans 1,096 days", "at most 62 days")


def test_long_runs_report_progress(tmp_path):
    rows = [f"{1793610000 + 300 * k},web,{100 + k % 50}" for k in range(12 * 24 * 3)]  # 3 days
    trace = write(tmp_path, rows, "long.csv")
    result = CliRunner().invoke(app, ["simulate", "--env", "staging", "--trace", str(trace), "--strategy",
                                                      "static", "--config", str(ROOT / "platform.yaml")])
    assert result.exit_code == 0, result.output
    assert "static: 50% of the trace" in result.stderr


def test_simulate_plot_writes_a_picture_with_a_panel_per_strategy(tmp_path):
    png = tmp_path / "flash.png"
    steps = tmp_path / "steps.csv"
    result = run("simulate", "--env", "prod", "--trace", str(ROOT / "traces" / "prod-flash-crowd.csv"),
                 "--plot", str(png), "--steps", str(steps))
    assert result.exit_code == 0, result.output
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    image = matplotlib.image.imread(png)
    assert image.shape[1] > 3 * image.shape[0] / 2  # three strategy columns side by side
    assert image[..., :3].std() > 0.05  # not a blank canvas
    lines = steps.read_text().splitlines()
    assert lines[0] == "time,strategy,app,demanded_rps,servable_rps,shortfall_rps,limit"
    assert any(line.endswith(",HPA max") for line in lines)  # the shipped crowd exceeds prod's HPA range


def test_cost_plot_is_a_png(tmp_path):
    out = cost_png([{"env": "dev", "min": 1, "desired": 2, "max": 3, "seed": 2.5},
                    {"env": "prod", "min": 10, "desired": 20, "max": 30, "seed": 15}], tmp_path / "cost.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_plot_must_be_png(tmp_path):
    one_line_error(run("simulate", "--env", "prod", "--trace", str(ROOT / "traces" / "prod-flash-crowd.csv"),
                       "--plot", str(tmp_path / "x.jpg")), "--plot", ".png")


def test_capacity_prints_numbers_per_group_and_pool(platform, workloads):
    env = platform.env("prod")
    numbers = {n.source: n for n in capacity_numbers(env, workloads["prod"], system_addons_from_gitops(env, ROOT))}
    app_group = numbers["app"]
    api, web = workloads["prod"]
    room = node_room("c6i.xlarge")
    assert app_group.nodes == {"min": 4, "max": 4}  # desired; nothing scales prod's groups
    assert app_group.requested["min"]["cpu_m"] == api.min_replicas * api.cpu_request_m + web.min_replicas * web.cpu_request_m
    assert app_group.requested["max"]["cpu_m"] == api.max_replicas * api.cpu_request_m + web.max_replicas * web.cpu_request_m
    assert app_group.headroom["max"]["cpu_m"] == 4 * room.cpu_m - app_group.requested["max"]["cpu_m"]
    assert 0 < app_group.largest_pod["max"]["cpu_m"] <= room.cpu_m
    burst = numbers["burst"]
    assert burst.kind == "NodePool" and burst.nodes_reachable == 16  # 64 vCPU of c6i.xlarge
    result = run("capacity", "--env", "prod", "--json")
    data = json.loads(result.output)
    assert {n["source"] for n in data["numbers"]} == {"system", "app", "burst", "on-demand"}
    assert result.exit_code == 0 and data["findings"] == []


def test_a_max_size_nothing_can_reach_is_a_finding(platform, workloads):
    env = platform.env("prod")
    group = env.node_group("app").model_copy(update={"max_size": 6})
    env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups)})
    found = [f for f in check_environment(env, workloads["prod"], system_addons_from_gitops(env, ROOT)) if f.check == "unmanaged-max"]
    assert len(found) == 1 and found[0].subject == "node group app"
    assert "max_size 6 above min_size 4" in found[0].message and "set max_size 4" in found[0].message
    # Cluster Autoscaler managing it makes the range reachable
    managed = group.model_copy(update={"cluster_autoscaler": True})
    env = env.model_copy(update={"node_groups": tuple(managed if g.name == "app" else g for g in env.node_groups)})
    assert not [f for f in check_environment(env, workloads["prod"], system_addons_from_gitops(env, ROOT))
                if f.check == "unmanaged-max"]
    numbers = {n.source: n for n in capacity_numbers(env, workloads["prod"], system_addons_from_gitops(env, ROOT))}
    assert numbers["app"].nodes_reachable == 6


def test_the_dev_sleep_schedule_may_only_reach_desired(platform):
    env = platform.env("dev")
    group = env.node_group("app").model_copy(update={"max_size": 3})
    env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups)})
    from innovate_platform.insight.capacity_numbers import unmanaged_max

    assert [name for name, _ in unmanaged_max(env)] == ["app"]
    assert unmanaged_max(platform.env("dev")) == []


def test_cost_plot_of_the_shared_account_alone_is_refused_not_silently_skipped(tmp_path):
    result = run("cost", "--env", "shared", "--plot", str(tmp_path / "shared.png"))
    one_line_error(result, "--plot", "shared")
    assert not (tmp_path / "shared.png").exists()
