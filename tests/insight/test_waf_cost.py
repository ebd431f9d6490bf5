"""`innovate cost` prices the WAF the templates create: one web ACL, its rules, inspected requests."""

from __future__ import annotations

from innovate_platform.insight.templates import facts_from_templates


def acl(rules: int) -> dict:
    return {"Type": "AWS::WAFv2::WebACL", "Properties": {"Rules": [{"Name": f"r{i}"} for i in range(rules)]}}


def test_the_web_acl_and_its_rules_are_counted_from_the_templates():
    facts = facts_from_templates({"a": {"Resources": {"Acl": acl(3)}}, "b": {"Resources": {}}})
    assert (facts.web_acls, facts.web_acl_rules) == (1, 3)
    assert facts_from_templates({"a": {"Resources": {}}}).web_acls == 0


def test_the_estimate_has_waf_lines_priced_per_acl_rule_and_request():
    from innovate_platform.config import load_platform
    from innovate_platform.insight import cost as cost_module
    from innovate_platform.insight.prices import load_prices
    from pathlib import Path

    platform = load_platform(Path(__file__).resolve().parents[2] / "platform.yaml")
    prices = load_prices()
    facts = facts_from_templates({"a": {"Resources": {"Acl": acl(3)}}})
    result = cost_module.estimate(platform, "prod", facts, prices=prices)
    items = {i.name: i for i in result.items}
    expected = 1 * prices.item("waf_web_acl_month").value + 3 * prices.item("waf_rule_month").value
    assert abs(items["WAF web ACL and rules"].desired - expected) < 1e-9
    requests = cost_module.WAF_MILLION_REQUESTS_PER_MONTH["prod"] * prices.item("waf_million_requests").value
    assert abs(items["WAF requests"].desired - requests) < 1e-9
    assert not any(i.name.startswith("WAF") for i in result.static_items)  # the seed's design had no WAF
    without = cost_module.estimate(platform, "prod", facts_from_templates({}), prices=prices)
    assert abs(result.total() - without.total() - expected - requests) < 0.02
