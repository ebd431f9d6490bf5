"""AppAccess: each application's AWS resources and its IRSA role (bucket access for now;
the data tier adds `rds-db:connect`)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from ...config import Environment, Platform
from ...naming import app_bucket_name, app_role, migrator_role
from ..nag import acknowledge_wildcards
from .data_key import data_key
from .irsa import IrsaRole


class AppAccess(Construct):
    """Per app that needs AWS: an IRSA role, and a private, TLS-only bucket encrypted with the
    app's own KMS key (data_key.py: only the app and the admins may decrypt)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment, cluster: eks.Cluster
    ) -> None:
        super().__init__(scope, construct_id)
        self.roles: dict[str, iam.Role] = {}
        self.migrator_roles: dict[str, iam.Role] = {}  # database apps: their migration Job's role
        self.buckets: dict[str, s3.Bucket] = {}
        access_logs = None
        for app in platform.apps:
            if not (app.s3_bucket or app.database):
                continue
            role = IrsaRole(
                self, f"{app.name}-Role", cluster=cluster, env=env, account=app_role(app.name, app.namespace),
                description=f"{app.name} workload in {env.cluster_name}",
            ).role
            self.roles[app.name] = role
            if app.database:
                self.migrator_roles[app.name] = IrsaRole(
                    self, f"{app.name}-MigratorRole", cluster=cluster, env=env,
                    account=migrator_role(app.name, app.namespace),
                    description=f"{app.name} schema migrations in {env.cluster_name}",
                ).role
            if app.s3_bucket:
                if access_logs is None:
                    access_logs = _bucket(self, "AccessLogs", f"{app_bucket_name(platform, env, 'access-logs')}", env)
                key = data_key(self, f"{app.name}-DataKey", env=env, app_name=app.name, app_role=role)
                bucket = _bucket(self, f"{app.name}-Bucket", app_bucket_name(platform, env, app.name), env,
                                 access_logs=access_logs, prefix=f"{app.name}/", key=key)
                role.add_to_policy(iam.PolicyStatement(
                    sid="ObjectsOfOwnBucket", actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    resources=[bucket.arn_for_objects("*")]))
                role.add_to_policy(iam.PolicyStatement(
                    sid="ListOwnBucket", actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
                acknowledge_wildcards(role, f"Object actions on the objects of {app.name}'s own bucket only")
                self.buckets[app.name] = bucket


def _bucket(scope: Construct, construct_id: str, name: str, env: Environment, access_logs: s3.IBucket | None = None,
            prefix: str | None = None, key: kms.IKey | None = None) -> s3.Bucket:
    """SSE-KMS with the app's key (S3 Bucket Keys cut the KMS calls); the access-log bucket stays
    SSE-S3, the only encryption S3 server access log delivery supports."""
    return s3.Bucket(
        scope, construct_id,
        bucket_name=name,
        encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=key,
        bucket_key_enabled=True if key else None,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=prefix,
        removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN,
        auto_delete_objects=False,
    )
