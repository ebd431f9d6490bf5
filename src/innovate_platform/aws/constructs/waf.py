"""EdgeFirewall: the environment's regional WAFv2 web ACL, in front of the apps' shared ALB.

AWS managed common (OWASP-style) and known-bad-inputs rule groups, then a rate-based rule that
blocks a client IP above RATE_LIMIT_PER_5_MIN requests in any 5-minute window. The ALB joins it
through the Ingress annotation `alb.ingress.kubernetes.io/wafv2-acl-arn`, whose value comes from
`cluster-vars` (naming.WAF_ACL_ARN_VAR); the AWS Load Balancer Controller's policy already has
wafv2:AssociateWebACL.
"""

from __future__ import annotations

from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from ...config import Environment
from ...naming import web_acl_name

MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
WEB_ACL_RULES = len(MANAGED_RULE_GROUPS) + 1  # the managed groups and the per-IP rate limit
# Per client IP and 5-minute window (WAF's default evaluation window); far above a person's use of the app.
RATE_LIMIT_PER_5_MIN = 2000


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)


def _managed(priority: int, name: str) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name, priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(vendor_name="AWS", name=name)),
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        visibility_config=_visibility(name))


def _rate_limit(priority: int) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name="RatePerClientIp", priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=RATE_LIMIT_PER_5_MIN, aggregate_key_type="IP", evaluation_window_sec=300)),
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        visibility_config=_visibility("RatePerClientIp"))


class EdgeFirewall(Construct):
    """One REGIONAL web ACL per environment."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment) -> None:
        super().__init__(scope, construct_id)
        rules = [_managed(i, name) for i, name in enumerate(MANAGED_RULE_GROUPS)]
        rules.append(_rate_limit(len(rules)))
        self.acl = wafv2.CfnWebACL(
            self, "WebAcl",
            name=web_acl_name(env),
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(web_acl_name(env)),
        )
