"""DevSleepSchedule: EventBridge Scheduler scales the dev node groups to 0 at night and back.

Scheduler calls `eks:UpdateNodegroupConfig` directly (universal target, no Lambda). The times
come from platform.yaml's sleep timeline: the node groups go down `node_group_offset_minutes`
after the workloads (so Karpenter has emptied its nodes) and come back as long before them.
"""

from __future__ import annotations


from aws_cdk import Stack
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_scheduler as scheduler
from constructs import Construct

from ...config import Environment

UPDATE_NODEGROUP_TARGET = "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig"


def weekday_cron(hhmm: str) -> str:
    """An EventBridge Scheduler cron expression for HH:MM on Monday to Friday."""
    hours, minutes = hhmm.split(":")
    return f"cron({int(minutes)} {int(hours)} ? * MON-FRI *)"


def scheduler_role(scope: Construct, actions: list[str], resources: list[str]) -> iam.Role:
    """A role only this account's EventBridge Scheduler can assume, allowed `actions` on `resources`."""
    role = iam.Role(scope, "SchedulerRole", assumed_by=iam.ServicePrincipal(
        "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}))
    role.add_to_policy(iam.PolicyStatement(actions=actions, resources=resources))
    return role


def weekday_api_call(scope: Construct, construct_id: str, *, name: str, description: str, at: str,
                     timezone: str, target: str, role: iam.IRole, payload: dict) -> scheduler.CfnSchedule:
    """A schedule calling one AWS API (universal target, no Lambda) at local HH:MM, Monday to Friday."""
    return scheduler.CfnSchedule(
        scope, construct_id,
        name=name,
        description=description,
        schedule_expression=weekday_cron(at),
        schedule_expression_timezone=timezone,
        flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
        target=scheduler.CfnSchedule.TargetProperty(
            arn=target, role_arn=role.role_arn, input=Stack.of(scope).to_json_string(payload),
            retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=3),
        ),
    )


class DevSleepSchedule(Construct):
    """Two schedules per node group: to zero at `node_groups_down`, restored at `node_groups_up`."""

    def __init__(
        self, scope: Construct, construct_id: str, *, env: Environment, cluster: eks.Cluster,
        node_groups: dict[str, eks.Nodegroup],
    ) -> None:
        super().__init__(scope, construct_id)
        assert env.sleep is not None
        timeline = env.sleep.timeline()
        role = scheduler_role(self, ["eks:UpdateNodegroupConfig"], [ng.nodegroup_arn for ng in node_groups.values()])
        for group in env.node_groups:
            steps = {
                "Sleep": (timeline["node_groups_down"], {"MinSize": 0, "DesiredSize": 0, "MaxSize": group.max_size}),
                "Wake": (timeline["node_groups_up"], {
                    "MinSize": group.min_size, "DesiredSize": group.desired_size, "MaxSize": group.max_size}),
            }
            for step, (at, scaling) in steps.items():
                weekday_api_call(
                    self, f"{step}-{group.name}",
                    name=f"{env.cluster_name}-{group.name}-{step.lower()}",
                    description=f"{step} node group {group.name} of {env.cluster_name} ({at} {env.sleep.timezone})",
                    at=at, timezone=env.sleep.timezone, target=UPDATE_NODEGROUP_TARGET, role=role,
                    payload={"ClusterName": cluster.cluster_name, "NodegroupName": group.name, "ScalingConfig": scaling},
                )
