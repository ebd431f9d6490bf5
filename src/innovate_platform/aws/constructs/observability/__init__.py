"""PlatformObservability: collection (Container Insights add-on and its log groups), alerting
(topic, alarms, budget, dev's muted nights) and the on-call dashboard of one environment."""

from __future__ import annotations

from aws_cdk import CfnParameter
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from ....config import Environment, Platform
from ....observability.alarms import LOAD_BALANCER, environment_alarms, target_group
from .alarms import PlatformAlarms
from .collection import ContainerInsightsCollection, container_insights_log_groups
from .dashboard import OnCallDashboard

# Until the first Flux sync has created the ALB, its alarms watch this (no data = not breaching).
UNBOUND = "unbound-set-after-first-flux-sync"


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def alb_parameters(scope: Construct, internet_apps: tuple[str, ...]) -> dict[str, str]:
    """Stack parameters carrying the CloudWatch names of the controller-made ALB and target groups
    (docs/runbooks/alerts.md#binding-the-alb): placeholder -> parameter value token."""
    values = {LOAD_BALANCER: CfnParameter(
        scope, "AlbLoadBalancer", default=UNBOUND,
        description="CloudWatch LoadBalancer dimension of the ingress ALB (app/<name>/<id>)").value_as_string}
    for app in internet_apps:
        values[target_group(app)] = CfnParameter(
            scope, f"{_pascal(app)}TargetGroup", default=UNBOUND,
            description=f"CloudWatch TargetGroup dimension of {app}'s target group (targetgroup/<name>/<id>)").value_as_string
    return values


class PlatformObservability(Construct):
    """Everything one environment needs to be seen and to page someone."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment,
                 cluster: eks.Cluster, instance_id: str, internet_apps: tuple[str, ...],
                 monthly_budget_usd: float | None) -> None:
        super().__init__(scope, construct_id)
        self.collection = ContainerInsightsCollection(self, "Collection", platform=platform, env=env, cluster=cluster)
        values = alb_parameters(scope, internet_apps)
        self.alarms = None
        if platform.alerts is not None:
            if monthly_budget_usd is None:
                raise ValueError("alerts is set but no monthly budget was computed (observability/budget.py)")
            specs = environment_alarms(platform, env, internet_apps, instance_id)
            self.alarms = PlatformAlarms(self, "Alarms", platform=platform, env=env, specs=specs,
                                         dimension_values=values, monthly_budget_usd=monthly_budget_usd)
        self.dashboard = OnCallDashboard(self, "Dashboard", env=env, internet_apps=internet_apps, dimension_values=values,
                                         instance_id=instance_id, log_groups=container_insights_log_groups(env))
