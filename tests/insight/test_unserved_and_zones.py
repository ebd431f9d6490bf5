"""Unserved demand and the limit behind it, zones (spread, karpenter#2999, outage), ranking."""

import dataclasses
import json
import subprocess

import pytest
import yaml
from typer.testing import CliRunner

from innovate_platform.insight.cli import app
from innovate_platform.insight.demand import HPA_MAX
from innovate_platform.insight.provisioners import ZONE_MIN_VALUES, ZONE_SPREAD, SimulationParameters
from innovate_platform.insight.simulate import ZoneOutage, rank, simulate
from innovate_platform.insight.trace import load_trace

from .conftest import ROOT
from .test_simulate import burst_ready_prod, scaled

APPS = ("api", "web")
START = 1793610000  # 2026-11-02T09:00:00Z, epoch seconds


def spike_trace(tmp_path, api_peak=12_000, minutes=40):
    """Epoch-second samples every 15 s: 200 rps, then `api_peak` for 10 minutes, then 200 again."""
    rows = ["timestamp,app,rps"]
    for k in range(minutes * 4):
        t = START + 15 * k
        rows += [f"{t},api,{api_peak if 40 <= k < 80 else 200}", f"{t},web,300"]
    path = tmp_path / "spike.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def run(*args):
    return CliRunner().invoke(app, [*args, "--config", str(ROOT / "platform.yaml")])


def test_a_peak_above_the_hpa_range_is_unserved_for_every_strategy_and_names_the_limit(tmp_path):
    trace = spike_trace(tmp_path)
    result = run("simulate", "--env", "prod", "--trace", str(trace), "--json")
    assert result.exit_code == 0, result.output
    results = json.loads(result.output)["results"]
    assert {r["strategy"] for r in results} == {"karpenter", "cluster-autoscaler", "static"}
    for r in results:
        d = r["demand"]
        assert d["request_seconds_unserved"] > 0 and d["served_share"] < 1, r["strategy"]
        assert d["limit"] == HPA_MAX and d["unserved_by_limit"][HPA_MAX] > 0
        assert d["slo_minutes_breached"] >= 9  # the 10-minute peak
        api = next(a for a in d["per_app"] if a["app"] == "api")
        assert api["request_seconds_unserved"] == pytest.approx(d["request_seconds_unserved"])
    table = run("simulate", "--env", "prod", "--trace", str(trace))
    assert table.exit_code == 0, table.output
    for line in (ln for ln in table.output.splitlines() if any(s in ln for s in ("│ karpenter", "│ static", "│ cluster-autoscaler"))):
        assert HPA_MAX in line, line
    assert "unserved by limit: HPA max" in table.output


def test_a_strategy_that_leaves_demand_unserved_never_ranks_above_one_that_serves_it(platform, workloads):
    env, apps = burst_ready_prod(platform, workloads)
    trace = scaled(load_trace(ROOT / "traces" / "prod-flash-crowd.csv", APPS), 3)
    results = [simulate(env, apps, trace, s) for s in ("karpenter", "cluster-autoscaler", "static")]
    # a pair where the strategy that serves less is cheaper: cost must not buy it a better rank
    cheaper_worse = [(a, b) for a in results for b in results
                     if a.request_seconds_unserved > b.request_seconds_unserved and a.cost_usd < b.cost_usd]
    assert cheaper_worse, [(r.strategy, r.request_seconds_unserved, r.cost_usd) for r in results]
    ordered = [r.strategy for r in rank(results)]
    for worse, better in cheaper_worse:
        assert ordered.index(better.strategy) < ordered.index(worse.strategy)
    unserved = [next(r for r in results if r.strategy == s).request_seconds_unserved for s in ordered]
    assert unserved == sorted(unserved)


def test_zone_spread_pods_cannot_get_nodes_from_a_pool_with_zone_min_values(platform, workloads, tmp_path):
    """Karpenter 1.14 narrows the NodeClaim's zones to the spread's one and the API rejects it."""
    env = platform.env("prod")
    group = env.node_group("app").model_copy(update={"min_size": 1, "desired_size": 1, "max_size": 1})
    zoned = tuple(p.model_copy(update={"min_zones": 2}) for p in env.karpenter.node_pools)  # minValues: 2
    env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups),
                                 "karpenter": env.karpenter.model_copy(update={"node_pools": zoned})})
    api, web = workloads["prod"]
    apps = (dataclasses.replace(api, max_replicas=60), dataclasses.replace(web, max_replicas=30))
    trace = load_trace(spike_trace(tmp_path, api_peak=2_500), APPS)
    blocked = simulate(env, apps, trace, "karpenter")
    assert blocked.demand["unserved_by_limit"].get(ZONE_MIN_VALUES, 0) > 0
    assert blocked.pending_pod_seconds > 0
    assert not any(n for n in blocked.timeline["spot"]) and blocked.node_launches == 4  # only the managed groups
    # the same pools without minValues serve it
    pools = tuple(p.model_copy(update={"min_zones": 1}) for p in env.karpenter.node_pools)
    fixed = env.model_copy(update={"karpenter": env.karpenter.model_copy(update={"node_pools": pools})})
    served = simulate(fixed, apps, trace, "karpenter")
    assert ZONE_MIN_VALUES not in served.demand["unserved_by_limit"]
    assert served.request_seconds_unserved < blocked.request_seconds_unserved / 5


def test_a_zone_outage_shows_the_recovery_time(platform, workloads):
    env, apps = burst_ready_prod(platform, workloads)
    soft = tuple(dataclasses.replace(a, zone_spread="ScheduleAnyway") for a in apps)
    trace = load_trace(ROOT / "traces" / "prod-flash-crowd.csv", APPS)
    outage = ZoneOutage("us-east-1b", trace.start + 2 * 3600 + 600)  # in the crowd
    r = simulate(env, soft, trace, "cluster-autoscaler", outage=outage)
    o = r.zone_outage
    assert o["nodes_lost"] >= 1 and o["pods_lost"] >= 1
    launch = SimulationParameters().ca_launch_s
    # recovered within one node launch (a replacement node, or room left in the other zones)
    assert 0 < o["recovery_s"] <= launch + 60
    assert o["unserved_request_seconds_after"] > 0


def test_a_zone_outage_blocks_a_min_domains_3_spread(platform, workloads):
    """DoNotSchedule with minDomains 3 and one zone gone: the global minimum is 0, no zone takes a pod."""
    trace = load_trace(ROOT / "traces" / "prod-flash-crowd.csv", APPS)
    r = simulate(platform.env("prod"), workloads["prod"], trace, "karpenter",
                 outage=ZoneOutage("us-east-1a", trace.start + 3600))
    assert r.demand["unserved_by_limit"][ZONE_SPREAD] > 0
    assert r.zone_outage["nodes_lost"] >= 1


def test_cli_zone_outage_needs_a_known_zone_and_a_time(tmp_path):
    trace = str(spike_trace(tmp_path))
    bad = run("simulate", "--env", "prod", "--trace", trace, "--zone-outage", "us-east-1z", "--at", "+10m")
    assert bad.exit_code == 2 and "us-east-1a, us-east-1b, us-east-1c" in bad.output
    alone = run("simulate", "--env", "prod", "--trace", trace, "--zone-outage", "us-east-1a")
    assert alone.exit_code == 2 and "go together" in alone.output
    late = run("simulate", "--env", "prod", "--trace", trace, "--zone-outage", "us-east-1a", "--at", "+5h")
    assert late.exit_code == 2 and "outside the trace" in late.output
    ok = run("simulate", "--env", "prod", "--trace", trace, "--strategy", "cluster-autoscaler",
             "--zone-outage", "us-east-1a", "--at", "+10m")
    assert ok.exit_code == 0, ok.output
    assert "us-east-1a lost" in ok.output and "recovery" in ok.output


def test_the_zone_spread_the_simulator_reads_is_the_one_the_chart_renders(platform, workloads, tmp_path):
    from tests.conftest import edge_values

    helm = ROOT / ".tools" / "bin" / "helm"
    kube = platform.versions.kubernetes
    for w in workloads["prod"]:
        edge = tmp_path / f"{w.name}-edge.yaml"
        edge.write_text(yaml.safe_dump(edge_values(platform, w.name, "prod")))
        out = subprocess.run([str(helm), "template", w.name, str(ROOT / "charts" / w.name), "--kube-version", f"{kube}.0",
                              "-f", str(ROOT / "charts" / w.name / "values-prod.yaml"), "-f", str(edge)],
                             capture_output=True, text=True, timeout=60, check=True).stdout
        deploy = next(d for d in yaml.safe_load_all(out) if d and d["kind"] == "Deployment")
        zone = next(c for c in deploy["spec"]["template"]["spec"]["topologySpreadConstraints"]
                    if c["topologyKey"] == "topology.kubernetes.io/zone")
        assert (zone["whenUnsatisfiable"], zone.get("minDomains"), zone["maxSkew"]) == \
            (w.zone_spread, w.zone_min_domains, w.zone_max_skew), w.name


def test_doubling_the_launch_latency_leaves_more_demand_unserved(platform, workloads):
    from innovate_platform.insight.simulate_cli import _scaled_latency

    env, apps = burst_ready_prod(platform, workloads)
    trace = scaled(load_trace(ROOT / "traces" / "prod-flash-crowd.csv", APPS), 3)
    doubled = _scaled_latency(SimulationParameters(), 2)
    assert (doubled.karpenter_launch_s, doubled.ca_launch_s) == (90, 240)
    for strategy in ("karpenter", "cluster-autoscaler"):
        base = simulate(env, apps, trace, strategy)
        slow = simulate(env, apps, trace, strategy, doubled)
        assert slow.demand["unserved_by_limit"]["launch latency"] > base.demand["unserved_by_limit"]["launch latency"], strategy
