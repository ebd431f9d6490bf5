"""PlatformDatabase: the environment's RDS PostgreSQL, reachable on 5432 only from the security
groups the stack allows, with IAM database authentication for the apps and TLS enforced."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from constructs import Construct

from ...config import Environment, SleepSchedule
from ..nag import acknowledge, managed_policy
from .logs import retention
from .sleep import scheduler_role, weekday_api_call

PORT = 5432
LOG_EXPORTS = ("postgresql", "upgrade")
MASTER_USER = "innovate_admin"
# TLS only, and enough logging to audit who connected and what changed the schema.
PARAMETERS = {
    "rds.force_ssl": "1",
    "log_connections": "1",
    "log_disconnections": "1",
    "log_statement": "ddl",
    "log_lock_waits": "1",
    "log_min_duration_statement": "1000",
}
STOP_TARGET = "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance"
START_TARGET = "arn:aws:scheduler:::aws-sdk:rds:startDBInstance"


def instance_identifier(env: Environment) -> str:
    return f"{env.cluster_name}-postgres"


def database_summary(env: Environment) -> dict[str, object]:
    """What `innovate synth` shows per environment (the endpoint address is known only after deploy)."""
    db = env.database
    return {
        "identifier": instance_identifier(env),
        "engine": f"postgres {db.engine_version}",
        "class": db.instance_class,
        "multi_az": db.multi_az,
        "storage": f"{db.allocated_storage_gib}-{db.max_allocated_storage_gib} GiB gp3",
        "backup_retention_days": db.backup_retention_days,
        "deletion_protection": db.deletion_protection,
        "stops_at_night": env.sleep is not None,
    }


def awake_windows(sleep: SleepSchedule) -> tuple[str, str]:
    """Backup and maintenance windows (UTC) at the middle of dev's awake day: RDS takes neither
    while the instance is stopped. Both move by an hour with daylight saving time, still midday."""
    wake, night = (int(h) * 60 + int(m) for h, m in (sleep.wake_at.split(":"), sleep.sleep_at.split(":")))
    midday = (wake + ((night - wake) % 1440) // 2) % 1440
    local = datetime(2026, 1, 14, midday // 60, tzinfo=ZoneInfo(sleep.timezone))  # a Wednesday, standard time
    backup = local.astimezone(timezone.utc)
    maintenance = backup + timedelta(hours=1)
    day = maintenance.strftime("%a").lower()
    return (f"{backup:%H}:00-{backup:%H}:30", f"{day}:{maintenance:%H}:00-{day}:{maintenance:%H}:30")


class PlatformDatabase(Construct):
    """RDS PostgreSQL in the private subnets: KMS-encrypted storage (rotating key), IAM auth,
    `rds.force_ssl`, master credentials generated into Secrets Manager, logs exported, its own
    security group with no rule until `allow_from`. Dev stops it with the sleep schedule."""

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment, vpc: ec2.IVpc) -> None:
        super().__init__(scope, construct_id)
        db = env.database
        keep = RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN
        self.key = kms.Key(
            self, "Key", alias=f"alias/{env.cluster_name}-database", enable_key_rotation=True, removal_policy=keep,
            description=f"Storage, Performance Insights and master secret of {instance_identifier(env)}")
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description=f"{instance_identifier(env)}: PostgreSQL {PORT} from the allowed client groups only")
        engine = rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(db.engine_version, db.engine_version.split(".")[0]))
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        log_groups = [
            logs.LogGroup(self, f"Logs-{name}", log_group_name=f"/aws/rds/instance/{instance_identifier(env)}/{name}",
                          retention=retention(env.log_retention_days), removal_policy=keep)
            for name in LOG_EXPORTS
        ]
        self.instance = rds.DatabaseInstance(
            self, "Instance",
            instance_identifier=instance_identifier(env),
            engine=engine,
            instance_type=ec2.InstanceType(db.instance_class.removeprefix("db.")),
            database_name=db.database_name,
            credentials=rds.Credentials.from_generated_secret(
                MASTER_USER, secret_name=f"{env.cluster_name}/database/master", encryption_key=self.key),
            iam_authentication=True,
            parameter_group=rds.ParameterGroup(
                self, "Parameters", engine=engine, parameters=PARAMETERS,
                description=f"{instance_identifier(env)}: TLS only, connection and DDL logging"),
            vpc=vpc,
            subnet_group=rds.SubnetGroup(
                self, "Subnets", vpc=vpc, vpc_subnets=private, removal_policy=RemovalPolicy.DESTROY,
                description=f"Private subnets of {env.cluster_name}"),
            security_groups=[self.security_group],
            publicly_accessible=False,
            port=PORT,
            storage_type=rds.StorageType.GP3,
            allocated_storage=db.allocated_storage_gib,
            max_allocated_storage=db.max_allocated_storage_gib,
            storage_encrypted=True,
            storage_encryption_key=self.key,
            multi_az=db.multi_az,
            backup_retention=Duration.days(db.backup_retention_days),
            copy_tags_to_snapshot=True,
            deletion_protection=db.deletion_protection,
            enable_performance_insights=db.performance_insights,
            performance_insight_encryption_key=self.key if db.performance_insights else None,
            monitoring_interval=None if env.name == "dev" else Duration.seconds(60),
            cloudwatch_logs_exports=list(LOG_EXPORTS),
            auto_minor_version_upgrade=True,
            ca_certificate=rds.CaCertificate.RDS_CA_RSA2048_G1,
            removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.SNAPSHOT,
            **_windows(env),
        )
        for group in log_groups:  # ours (with retention), not the ones RDS would create on first export
            self.instance.node.add_dependency(group)
        self._acknowledge(env)
        if env.sleep:
            DatabaseSleepSchedule(self, "SleepSchedule", env=env, instance=self.instance)

    def allow_from(self, client: ec2.ISecurityGroup, who: str) -> None:
        """Let one security group reach PostgreSQL (ingress here, egress on the client if it restricts egress)."""
        self.instance.connections.allow_from(client, ec2.Port.tcp(PORT), f"{who} to PostgreSQL")

    def grant_connect(self, role: iam.IRole, db_user: str) -> None:
        """`rds-db:connect` as exactly `db_user` on exactly this instance."""
        arn = Stack.of(self).format_arn(
            service="rds-db", resource="dbuser", arn_format=ArnFormat.COLON_RESOURCE_NAME,
            resource_name=f"{self.instance.instance_resource_id}/{db_user}")
        role.add_to_principal_policy(iam.PolicyStatement(
            sid="ConnectAsOwnDatabaseUser", actions=["rds-db:connect"], resources=[arn]))

    def _acknowledge(self, env: Environment) -> None:
        db = env.database
        acknowledge(self.instance, "AwsSolutions-RDS11",
                    f"Default port {PORT}: only the security groups passed to allow_from reach it, so a "
                    "non-standard port would add no protection")
        acknowledge(self.instance, "AwsSolutions-SMG4",
                    "The generated master secret is break-glass only: apps connect with 15-minute IAM auth "
                    "tokens (rds-db:connect), so no workload holds a password to rotate")
        if not db.multi_az:
            acknowledge(self.instance, "AwsSolutions-RDS3",
                        f"{env.name} runs single-AZ by platform.yaml (cost); prod is Multi-AZ")
        if not db.deletion_protection:
            acknowledge(self.instance, "AwsSolutions-RDS10",
                        f"{env.name} is rebuilt from migrations; prod has deletion protection on")
        if self.instance.node.try_find_child("MonitoringRole"):
            acknowledge(self.instance.node.find_child("MonitoringRole"),
                        managed_policy("service-role/AmazonRDSEnhancedMonitoringRole"),
                        "The AWS-maintained policy RDS enhanced monitoring documents for its role")


def _windows(env: Environment) -> dict[str, str]:
    if env.sleep is None:
        return {}  # RDS picks them in its regional default block
    backup, maintenance = awake_windows(env.sleep)
    return {"preferred_backup_window": backup, "preferred_maintenance_window": maintenance}


class DatabaseSleepSchedule(Construct):
    """EventBridge Scheduler stops the instance with the dev node groups and starts it before them.

    RDS starts a stopped instance by itself after 7 days; the longest stop here is a weekend.
    """

    def __init__(self, scope: Construct, construct_id: str, *, env: Environment,
                 instance: rds.DatabaseInstance) -> None:
        super().__init__(scope, construct_id)
        assert env.sleep is not None
        timeline = env.sleep.timeline()
        role = scheduler_role(self, ["rds:StopDBInstance", "rds:StartDBInstance"], [instance.instance_arn])
        steps = {"stop": (timeline["node_groups_down"], STOP_TARGET),
                 "start": (timeline["node_groups_up"], START_TARGET)}
        for step, (at, target) in steps.items():
            weekday_api_call(
                self, step.capitalize(),
                name=f"{instance_identifier(env)}-{step}",
                description=f"{step.capitalize()} {instance_identifier(env)} ({at} {env.sleep.timezone}, Mon-Fri)",
                at=at, timezone=env.sleep.timezone, target=target, role=role,
                payload={"DbInstanceIdentifier": instance.instance_identifier},
            )
