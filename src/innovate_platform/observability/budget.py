"""The monthly AWS Budget of an environment account: the `innovate cost` estimate at desired size
(insight/cost.py) plus `alerts.budget_margin_percent`."""

from __future__ import annotations

from pathlib import Path

from ..config import Environment, Platform
from ..insight.templates import TemplateFacts


def facts_from_config(env: Environment) -> TemplateFacts:
    """What the stacks create that costs money, read from platform.yaml instead of a synthesis (the
    budget is part of that synthesis); tests prove it equals facts_from_templates."""
    from ..aws.constructs.network import INTERFACE_ENDPOINTS

    return TemplateFacts(support_type="STANDARD", nat_gateways=env.nat_gateways, elastic_ips=env.nat_gateways,
                         load_balancers=0, interface_endpoints=len(INTERFACE_ENDPOINTS) if env.vpc_endpoints else 0,
                         log_types=5, rds_storage_type="gp3", source="platform.yaml")


def monthly_budget_usd(platform: Platform, env_name: str, root: Path) -> float:
    """Whole dollars: the estimate at desired size times (1 + margin)."""
    from ..insight.cost import estimate
    from ..insight.workloads import load_workloads

    assert platform.alerts is not None
    env = platform.env(env_name)
    apps = load_workloads(platform, env_name, root)
    desired = estimate(platform, env_name, facts_from_config(env), apps, root=root).total("desired")
    return float(round(desired * (1 + platform.alerts.budget_margin_percent / 100)))


def internet_facing_apps(platform: Platform, env_name: str, root: Path) -> tuple[str, ...]:
    """Apps whose chart enables the internet-facing ALB ingress in this environment."""
    from ..insight.workloads import load_workloads

    return tuple(w.name for w in load_workloads(platform, env_name, root) if w.ingress_group)
