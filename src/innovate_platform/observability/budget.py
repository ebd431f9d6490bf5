"""The monthly AWS Budget of an environment account: the `innovate cost` estimate at desired size
(insight/cost.py) plus `alerts.budget_margin_percent`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Environment, Platform
from ..insight.templates import TemplateFacts

if TYPE_CHECKING:
    from ..insight.workloads import AppWorkload


def facts_from_config(platform: Platform, env: Environment) -> TemplateFacts:
    """What the stacks create that costs money, read from platform.yaml instead of a synthesis (the
    budget is part of that synthesis); tests prove it equals facts_from_templates."""
    from ..aws.constructs.network import INTERFACE_ENDPOINTS
    from ..aws.constructs.waf import WEB_ACL_RULES

    return TemplateFacts(support_type="STANDARD", nat_gateways=env.nat_gateways, elastic_ips=env.nat_gateways,
                         load_balancers=0, interface_endpoints=len(INTERFACE_ENDPOINTS) if env.vpc_endpoints else 0,
                         log_types=5, rds_storage_type="gp3", source="platform.yaml",
                         web_acls=1, web_acl_rules=WEB_ACL_RULES, resource_counts=priced_resource_counts(platform, env))


# The resource types insight/extra_costs.py prices from the templates' counts.
PRICED_TYPES = ("AWS::EC2::FlowLog", "AWS::KMS::Key", "AWS::SecretsManager::Secret")


def priced_resource_counts(platform: Platform, env: Environment) -> dict[str, int]:
    """The priced counts the stacks create (tests/aws/test_observability.py proves they equal the
    synthesized templates'): one VPC flow log; KMS keys for the cluster's secrets, the database,
    the alerts topic and the app bucket; the database's master secret."""
    has_db = any(a.database for a in platform.apps)
    keys = 1 + has_db + (platform.alerts is not None) + any(a.s3_bucket for a in platform.apps)
    return {"AWS::EC2::FlowLog": 1, "AWS::KMS::Key": keys, "AWS::SecretsManager::Secret": int(has_db)}


def monthly_budget_usd(platform: Platform, env_name: str, apps: Sequence[AppWorkload], root: Path) -> float:
    """Whole dollars: the estimate at desired size times (1 + margin). `apps`: the environment's
    workloads (insight.workloads.load_workloads)."""
    from ..insight.cost import estimate

    assert platform.alerts is not None
    env = platform.env(env_name)
    desired = estimate(platform, env_name, facts_from_config(platform, env), apps, root=root).total("desired")
    return float(round(desired * (1 + platform.alerts.budget_margin_percent / 100)))


def internet_facing_apps(apps: Sequence[AppWorkload]) -> tuple[str, ...]:
    """Apps whose chart enables the internet-facing ALB ingress (`apps`: an environment's workloads,
    insight.workloads.load_workloads)."""
    return tuple(w.name for w in apps if w.ingress_group)
