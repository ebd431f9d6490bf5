"""`innovate cost` prices observability: the add-on, Container Insights observations, container logs
ingested and stored, alarms, composite alarms, the dashboard (the topic's KMS key counts with the templates' keys), each line naming
its assumption. Recomputed by hand for staging (no sleep, no Karpenter)."""

from __future__ import annotations

import pytest

from innovate_platform.insight import observability_cost as obs
from innovate_platform.insight.cost import estimate

H = 730


def lines(result) -> dict[str, float]:
    return {i.name: i.desired for i in result.items if i.category == "observability" or i.name.startswith("Container logs")}


def test_staging_observability_by_hand(platform, workloads, synthesis):
    from innovate_platform.insight.templates import facts_from_templates

    result = estimate(platform, "staging", facts_from_templates(synthesis.templates("staging")), workloads["staging"])
    got = lines(result)
    nodes = 2 + 2  # system + app node groups at desired size, 24/7
    assert got["amazon-cloudwatch-observability add-on"] == 0
    assert got["Container Insights observations"] == pytest.approx(nodes * H * 60 * 1000 / 1e6 * 0.21, abs=0.01)
    gb = 10 + 0.5 * nodes
    assert got["Container logs ingested"] == pytest.approx(gb * 0.50, abs=0.01)
    assert got["Container logs stored"] == pytest.approx(gb * 30 / 30 * 0.03, abs=0.01)
    # Per internet-facing app (api, web): 4 availability alarms of 3 metrics, 4 latency alarms of 1;
    # then 4 database and 3 capacity alarms of 1 metric (no Karpenter queue in staging).
    assert got["CloudWatch alarms"] == pytest.approx((2 * (4 * 3 + 4 * 1) + 4 + 3) * 0.10, abs=0.01)
    assert got["Composite alarms"] == pytest.approx(2 * 4 * 0.50, abs=0.01)
    assert got["CloudWatch dashboard"] == 3.0
    assert "Alerts topic key" not in got  # its KMS key is counted with the templates' keys (extra_costs.py)


def test_each_observability_line_names_its_assumption(platform, workloads, synthesis):
    from innovate_platform.insight.templates import facts_from_templates

    result = estimate(platform, "prod", facts_from_templates(synthesis.templates("prod")), workloads["prod"])
    details = {i.name: i.detail for i in result.items}
    assert "CI_OBSERVATIONS_PER_NODE_MINUTE" in details["Container Insights observations"]
    assert "CONTAINER_LOG_GB_PER_MONTH" in details["Container logs ingested"]
    assert f"{platform.env('prod').log_retention_days}-day retention" in details["Container logs stored"]
    assert obs.CONTAINER_LOG_GB_PER_MONTH["prod"] > obs.CONTAINER_LOG_GB_PER_MONTH["dev"]


def test_more_logs_retained_cost_more(platform, workloads, synthesis):
    from innovate_platform.insight.templates import facts_from_templates

    facts = facts_from_templates(synthesis.templates("staging"))
    longer = platform.model_copy(update={"environments": {
        **platform.environments, "staging": platform.env("staging").model_copy(update={"log_retention_days": 90})}})
    short = lines(estimate(platform, "staging", facts, workloads["staging"]))["Container logs stored"]
    long = lines(estimate(longer, "staging", facts, workloads["staging"]))["Container logs stored"]
    assert long == pytest.approx(3 * short, abs=0.01)
