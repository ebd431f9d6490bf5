"""ContainerInsightsCollection: the amazon-cloudwatch-observability add-on (Container Insights with
enhanced observability + Fluent Bit), its IRSA role, and its four log groups created first, with
the environment's retention, so the agent never creates one without."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from ....config import Environment, Platform
from ....naming import CLOUDWATCH_AGENT
from ...nag import acknowledge, managed_policy
from ..irsa import IrsaRole
from ..logs import retention

ADDON = "amazon-cloudwatch-observability"
# What the add-on writes (CloudWatch user guide, Container Insights log groups on EKS).
LOG_GROUP_KINDS = ("application", "dataplane", "host", "performance")


def container_insights_log_groups(env: Environment) -> tuple[str, ...]:
    return tuple(f"/aws/containerinsights/{env.cluster_name}/{kind}" for kind in LOG_GROUP_KINDS)


class ContainerInsightsCollection(Construct):
    """Log groups (retention from `log_retention_days`), the agent's role and the pinned add-on."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment,
                 cluster: eks.Cluster) -> None:
        super().__init__(scope, construct_id)
        self.log_groups = [
            logs.LogGroup(self, f"Logs-{name.rsplit('/', 1)[1]}", log_group_name=name,
                          retention=retention(env.log_retention_days),
                          removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN)
            for name in container_insights_log_groups(env)
        ]
        self.role = IrsaRole(self, "AgentRole", cluster=cluster, env=env, account=CLOUDWATCH_AGENT,
                             description="CloudWatch agent and Fluent Bit: Container Insights metrics and container logs").role
        self.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("CloudWatchAgentServerPolicy"))
        acknowledge(self.role, managed_policy("CloudWatchAgentServerPolicy"),
                    "The AWS-maintained policy the CloudWatch Observability add-on documents for its agent")
        self.addon = eks.Addon(
            self, "Addon", cluster=cluster, addon_name=ADDON, addon_version=platform.versions.addons[ADDON],
            configuration_values={"containerLogs": {"enabled": True}}, preserve_on_delete=False)
        self.addon.node.default_child.add_property_override("ServiceAccountRoleArn", self.role.role_arn)
        for group in self.log_groups:
            self.addon.node.add_dependency(group)
