"""Log retention names shared by constructs that create log groups, and the EKS control-plane group."""

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

_NAMES = {7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH", 60: "TWO_MONTHS", 90: "THREE_MONTHS",
          180: "SIX_MONTHS", 365: "ONE_YEAR"}


def retention(days: int) -> logs.RetentionDays:
    """The RetentionDays member for a retention allowed by platform.yaml."""
    return getattr(logs.RetentionDays, _NAMES[days])


def control_plane_log_name(cluster_name: str) -> str:
    """The group EKS writes control-plane logs to (fixed by EKS, not configurable)."""
    return f"/aws/eks/{cluster_name}/cluster"


def control_plane_log_group(scope: Construct, env) -> logs.LogGroup:
    """The control-plane log group with the environment's retention. The cluster must depend on it:
    if EKS writes first it creates the group itself, without retention, and CloudFormation then fails
    to create ours (the name exists). Kept on stack deletion outside dev, like the flow logs."""
    return logs.LogGroup(scope, "ControlPlaneLogs", log_group_name=control_plane_log_name(env.cluster_name),
                         retention=retention(env.log_retention_days), removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN)
