"""The cost figures published in docs/insight.md and README.md are what the model computes now."""

import re

import pytest

from innovate_platform.insight.cost import estimate
from innovate_platform.insight.templates import facts_from_templates

from .conftest import ROOT


def money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


@pytest.fixture(scope="module")
def results(platform, workloads, synthesis):
    return {env: estimate(platform, env, facts_from_templates(synthesis.templates(env)), workloads[env])
            for env in ("dev", "staging", "prod")}


def test_docs_insight_table_matches_the_model(results):
    doc = (ROOT / "docs" / "insight.md").read_text()
    for env, result in results.items():
        row = re.search(rf"^\| {env} \| ([\d,.]+) \| ([\d,.]+) \| ([\d,.]+) \| ([\d,.]+) \|", doc, re.M)
        assert row, f"docs/insight.md has no cost row for {env}"
        published = [money(v) for v in row.groups()]
        computed = [result.total("min"), result.total("desired"), result.total("max"), result.static_total]
        assert published == pytest.approx(computed, abs=0.01), env


def test_readme_cost_table_matches_the_model(results):
    readme = (ROOT / "README.md").read_text()
    for env, result in results.items():
        row = re.search(rf"^\| {env}[^|]* \| (\$[\d,.]+) \| (\$[\d,.]+) \|", readme, re.M)
        assert row, f"README.md has no cost row for {env}"
        assert [money(v) for v in row.groups()] == pytest.approx(
            [result.total("desired"), result.static_total], abs=0.01), env
