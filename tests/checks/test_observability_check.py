"""The `observability` check: clean on the real synthesized stage, and each seeded failure of its
kind (an alarm without an action, a log group without retention, a metric nothing emits, a missing
SLO alarm, a runbook link to no section, no alerts section) is a named finding."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from innovate_platform.checks import observability as obs
from innovate_platform.checks.runner import CHECK_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stage(synthesis):
    return synthesis.templates("prod")


@pytest.fixture(scope="module")
def ctx(platform):
    return obs.Context(platform, ("api", "web"), obs.runbook_anchors(ROOT))


def first(templates, kind, where=lambda props: True):
    for stack, template in templates.items():
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] == kind and where(resource.get("Properties", {})):
                return resource["Properties"]
    raise AssertionError(f"no {kind}")


def test_registered_and_clean_on_the_real_stage(stage, ctx):
    assert "observability" in CHECK_NAMES
    assert obs.template_findings("prod", stage, ctx) == []


def test_alarm_without_action_is_named(stage, ctx):
    broken = copy.deepcopy(stage)
    alarm = first(broken, obs.ALARM, lambda p: p.get("AlarmName") == "innovate-prod-db-cpu")
    del alarm["AlarmActions"]
    findings = obs.template_findings("prod", broken, ctx)
    assert [f.message for f in findings] == ["alarm innovate-prod-db-cpu has no action and no composite pages for it"]


def test_burn_rate_child_pages_only_through_its_composite(stage, ctx):
    broken = copy.deepcopy(stage)
    first(broken, obs.COMPOSITE, lambda p: p["AlarmName"] == "innovate-prod-api-latency-fast-burn")["AlarmActions"] = []
    messages = [f.message for f in obs.template_findings("prod", broken, ctx)]
    assert "composite alarm innovate-prod-api-latency-fast-burn notifies nobody" in messages
    assert "alarm innovate-prod-api-latency-fast-long has no action and no composite pages for it" in messages


def test_log_group_without_retention_is_named(stage, ctx):
    broken = copy.deepcopy(stage)
    group = first(broken, obs.LOG_GROUP, lambda p: str(p.get("LogGroupName", "")).endswith("/application"))
    del group["RetentionInDays"]
    (finding,) = obs.template_findings("prod", broken, ctx)
    assert finding.field == "Properties.RetentionInDays" and "forever" in finding.message
    assert "90 days" in finding.fix


def test_metric_nothing_emits_is_named(stage, ctx):
    broken = copy.deepcopy(stage)
    first(broken, obs.ALARM, lambda p: p.get("AlarmName") == "innovate-prod-pods-pending")["MetricName"] = "pods_pending"
    alarm = first(broken, obs.ALARM, lambda p: p.get("AlarmName") == "innovate-prod-api-availability-fast-long")
    alarm["Metrics"][1]["MetricStat"]["Metric"]["Dimensions"] = [{"Name": "TargetGroup", "Value": "x"}]
    messages = [f.message for f in obs.template_findings("prod", broken, ctx)]
    assert any("innovate-prod-pods-pending" in m and "ContainerInsights has no metric pods_pending" in m for m in messages)
    assert any("RequestCount is published by LoadBalancer or LoadBalancer+TargetGroup, not by TargetGroup" in m
               for m in messages)


def test_internet_facing_app_without_slo_alarm_is_named(stage, platform):
    ctx = obs.Context(platform, ("api", "web", "shop"), obs.runbook_anchors(ROOT))
    messages = [f.message for f in obs.template_findings("prod", stage, ctx)]
    assert messages == [f"internet-facing app shop has no {k} SLO burn-rate alarm (innovate-prod-shop-{k}-fast-burn)"
                        for k in ("availability", "latency")]


def test_runbook_link_to_a_missing_section_is_named(stage, platform):
    ctx = obs.Context(platform, ("api", "web"), obs.runbook_anchors(ROOT) - {"database-cpu"})
    (finding,) = obs.template_findings("prod", stage, ctx)
    assert "innovate-prod-db-cpu links to #database-cpu" in finding.message


def test_every_alarm_section_exists_in_the_runbook(ctx):
    assert {"slo-availability", "slo-latency", "database-cpu", "database-free-storage", "database-free-memory",
            "database-connections", "pods-pending", "node-not-ready", "container-restarts",
            "karpenter-interruption-queue", "flux-delivery", "budget", "binding-the-alb", "dev-sleep"} <= ctx.runbook_anchors


def test_no_alerts_section_is_a_finding(stage, platform):
    ctx = obs.Context(platform.model_copy(update={"alerts": None}), ("api", "web"), obs.runbook_anchors(ROOT))
    assert [f.field for f in obs.template_findings("prod", stage, ctx)] == ["alerts"]
