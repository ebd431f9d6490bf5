"""Simulator sanity on the reference traces: cost ordering, launch latency, determinism."""

import dataclasses

import pytest

from innovate_platform.insight.provisioners import SimulationParameters
from innovate_platform.insight.simulate import simulate
from innovate_platform.insight.trace import load_trace

from .conftest import ROOT

APPS = ("api", "web")


@pytest.fixture(scope="module")
def diurnal():
    return load_trace(ROOT / "traces" / "prod-weekday-diurnal.csv", APPS)


@pytest.fixture(scope="module")
def flash():
    return load_trace(ROOT / "traces" / "prod-flash-crowd.csv", APPS)


def burst_ready_prod(platform, workloads):
    """prod with a 1-node app baseline and HPA maxima of 60/30, so the crowd needs new nodes; the
    pools without a zone minValues (with one, karpenter#2999 keeps the zone-spread pods off them)."""
    env = platform.env("prod")
    group = env.node_group("app").model_copy(update={"min_size": 1, "desired_size": 1})
    pools = tuple(p.model_copy(update={"min_zones": 1}) for p in env.karpenter.node_pools)
    env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups),
                                 "karpenter": env.karpenter.model_copy(update={"node_pools": pools})})
    api, web = workloads["prod"]
    return env, (dataclasses.replace(api, max_replicas=60), dataclasses.replace(web, max_replicas=30))


def test_prod_diurnal_week_is_served_by_the_fixed_baseline(platform, workloads, diurnal):
    # prod's managed groups are fixed-size, so "static" (groups at max) is the same capacity as
    # Karpenter's groups at desired; the week never needs a pool node
    env = platform.env("prod")
    karpenter = simulate(env, workloads["prod"], diurnal, "karpenter")
    static = simulate(env, workloads["prod"], diurnal, "static")
    assert karpenter.cost_usd == static.cost_usd and karpenter.node_hours == static.node_hours
    assert karpenter.served_share > 0.999
    assert karpenter.hours == pytest.approx(168, abs=0.1)
    assert karpenter.peak_pods > 2 * 3  # the HPA scaled above the minimum during the day


def scaled(trace, factor):
    return dataclasses.replace(trace, series={a: tuple((t, r * factor) for t, r in s) for a, s in trace.series.items()})


def test_flash_crowd_waits_for_cluster_autoscaler_nodes_longer_than_karpenter(platform, workloads, flash):
    # three times the shipped crowd: the 3-zone baseline the spread needs no longer holds it
    env, apps = burst_ready_prod(platform, workloads)
    ca = simulate(env, apps, scaled(flash, 3), "cluster-autoscaler")
    karpenter = simulate(env, apps, scaled(flash, 3), "karpenter")
    assert ca.pending_pod_seconds > 0 and karpenter.pending_pod_seconds > 0  # both wait for nodes
    assert ca.p95_step_to_capacity_s >= SimulationParameters().ca_launch_s
    assert SimulationParameters().karpenter_launch_s <= karpenter.p95_step_to_capacity_s < ca.p95_step_to_capacity_s


def test_static_capacity_never_waits_but_pays_for_it(platform, workloads, flash):
    env, apps = burst_ready_prod(platform, workloads)
    static = simulate(env, apps, flash, "static")
    karpenter = simulate(env, apps, flash, "karpenter")
    assert static.pending_pod_seconds == 0
    assert static.cost_usd > karpenter.cost_usd


def test_same_seed_same_result_with_spot_interruptions(platform, workloads, flash):
    env, apps = burst_ready_prod(platform, workloads)
    params = SimulationParameters(seed=3, spot_interruptions_per_month=200.0)
    first = simulate(env, apps, flash, "karpenter", params)
    again = simulate(env, apps, flash, "karpenter", params)
    assert first == again
    assert first.spot_interruptions > 0


def test_dev_sleeps_nights_and_weekends(platform, workloads):
    trace = load_trace(ROOT / "traces" / "dev-office-hours.csv", APPS)
    env = platform.env("dev")
    karpenter = simulate(env, workloads["dev"], trace, "karpenter")
    static = simulate(env, workloads["dev"], trace, "static")
    # 4 group nodes awake 14 h x 5 weekdays against 4 nodes all week
    assert karpenter.node_hours < 0.5 * static.node_hours
    assert karpenter.cost_usd < static.cost_usd


def test_pods_placed_at_warm_start_are_not_left_waiting_for_a_node(platform, workloads, flash):
    # Nodes launched ready at t0 once kept their pods nominated forever, so Karpenter saw no pod to
    # launch for in the crowd and left them Pending for an hour (p95 step-to-capacity 3,825 s).
    env, apps = burst_ready_prod(platform, workloads)
    params = SimulationParameters()
    result = simulate(env, apps, scaled(flash, 3), "karpenter", params)
    assert result.p95_step_to_capacity_s is not None
    assert result.p95_step_to_capacity_s <= params.karpenter_launch_s + 60
