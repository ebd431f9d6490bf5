"""`innovate capacity`: the shipped platform fits; seeded mistakes are caught with their numbers."""

import dataclasses

from innovate_platform.insight.addons import DAEMONSET_CPU_M
from innovate_platform.insight.allocatable import allocatable
from innovate_platform.insight.capacity import check_environment, check_pdb, check_spread, check_system_addons
from innovate_platform.insight.gitops_facts import system_addons_from_gitops

from .conftest import ROOT


def findings(platform, env_name, apps, env=None):
    env = env or platform.env(env_name)
    return check_environment(env, apps, system_addons_from_gitops(env, ROOT, platform))


def test_shipped_platform_has_no_findings(platform, workloads):
    for name in ("dev", "staging", "prod"):
        assert findings(platform, name, workloads[name]) == []


def test_a_pod_bigger_than_every_allowed_type(platform, workloads):
    api, web = workloads["prod"]
    huge = dataclasses.replace(api, cpu_request_m=5000)
    found = findings(platform, "prod", (huge, web))
    fit = [f for f in found if f.check == "pod-fit"]
    assert len(fit) == 1 and fit[0].subject == "api" and fit[0].env == "prod"
    room = allocatable("c6i.xlarge").cpu_m - DAEMONSET_CPU_M  # the largest allowed type, after DaemonSets
    assert "5000m" in fit[0].message and f"{room}m" in fit[0].message


def test_an_hpa_maximum_beyond_the_pool_limit(platform, workloads):
    api, web = workloads["dev"]
    greedy = dataclasses.replace(api, max_replicas=200)
    found = [f for f in findings(platform, "dev", (greedy, web)) if f.check == "hpa-max"]
    assert [f.subject for f in found] == ["api"]
    assert "maxReplicas 200" in found[0].message and "limit 16 vCPU" in found[0].message


def test_a_spread_that_cannot_be_met(platform, workloads):
    env = platform.env("prod").model_copy(update={"az_count": 2})
    found = [f for f in findings(platform, "prod", workloads["prod"], env) if f.check == "topology-spread"]
    assert {f.subject for f in found} == {"api", "web"}
    assert "minDomains 3" in found[0].message and "az_count 2" in found[0].message


def test_a_spread_beyond_the_zones_a_small_node_group_reaches(platform, workloads):
    env = platform.env("staging")
    web = dataclasses.replace(workloads["staging"][1], zone_spread="DoNotSchedule", zone_min_domains=3)
    group = env.node_group("app").model_copy(update={"max_size": 2})
    env = env.model_copy(update={"node_groups": tuple(group if g.name == "app" else g for g in env.node_groups)})
    found = check_spread(env, web)
    assert found and "at most 2 zone" in found[0].message


def test_a_pdb_that_blocks_every_drain(platform, workloads):
    api = dataclasses.replace(workloads["prod"][0], pdb_min_available=3)
    found = check_pdb(platform.env("prod"), api)
    assert found and "minAvailable 3 at minReplicas 3 allows 0" in found[0].message
    assert check_pdb(platform.env("prod"), dataclasses.replace(api, pdb_min_available="50%")) == []


def test_system_addons_that_do_not_fit_the_system_group(platform):
    env = platform.env("dev")
    system = env.node_group("system").model_copy(update={"desired_size": 1, "max_size": 1})
    env = env.model_copy(update={"node_groups": tuple(system if g.name == "system" else g for g in env.node_groups)})
    found = check_system_addons(env, system_addons_from_gitops(env, ROOT, platform))
    assert any(f.subject == "karpenter" and "distinct nodes" in f.message for f in found)


def test_the_system_addon_footprint_is_the_rendered_charts(platform):
    """Replicas x requests as the real charts render them: metrics-server runs 2 replicas, Flux's
    controllers and the Load Balancer Controller request what their charts say (the hand table did not)."""
    from innovate_platform.insight.addon_footprint import chart_addons

    pods = {a.name: a for a in chart_addons(platform, platform.env("prod"), ROOT)}
    assert (pods["metrics-server"].replicas, pods["metrics-server"].cpu_m, pods["metrics-server"].memory_mib) == (2, 100, 200)
    assert (pods["aws-load-balancer-controller"].replicas, pods["aws-load-balancer-controller"].cpu_m) == (2, 100)
    assert (pods["karpenter"].replicas, pods["karpenter"].cpu_m, pods["karpenter"].memory_mib) == (2, 1000, 1024)
    assert {"helm-controller", "kustomize-controller", "source-controller", "notification-controller"} <= set(pods)
    assert "image-automation-controller" not in pods and "keda-operator" not in pods  # off / no app uses KEDA
    assert all("rendered with the values of" in a.source for a in pods.values())
    staging = {a.name: a for a in chart_addons(platform, platform.env("staging"), ROOT)}
    autoscaler = next(a for n, a in staging.items() if "cluster-autoscaler" in n)
    assert (autoscaler.cpu_m, autoscaler.memory_mib) == (100, 300)


def test_a_missing_chart_package_is_one_clear_error(platform, tmp_path):
    import pytest

    from innovate_platform.config import ConfigError
    from innovate_platform.insight.addon_footprint import chart_addons

    with pytest.raises(ConfigError, match=r"versions.charts.flux2: flux2 2.18.3 is not in the chart cache .*innovate charts pull"):
        chart_addons(platform, platform.env("prod"), ROOT, cache=tmp_path)
