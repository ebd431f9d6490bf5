"""Stacks compose constructs; each environment account gets network, platform and ci stacks,
the shared services account gets registry and ci stacks."""

from __future__ import annotations

from aws_cdk import Stack
from constructs import Construct

from ..config import Environment, Platform
from ..naming import (ALB_LOG_BUCKET_VAR, CERTIFICATE_ARN_VAR, USER_POOL_ARN_VAR, USER_POOL_CLIENT_ID_VAR, USER_POOL_DOMAIN_VAR,
                      USER_POOL_ISSUER_VAR,
                      WAF_ACL_ARN_VAR, app_bucket_name, host_var, interruption_queue_name, karpenter_node_role_name)
from .constructs.app_access import AppAccess
from .constructs.cluster import PlatformCluster
from .constructs.controller_roles import ControllerRoles
from .constructs.database import PlatformDatabase, instance_identifier
from .constructs.alb_logs import AlbAccessLogs
from .constructs.edge import EdgeCertificate
from .constructs.waf import EdgeFirewall
from .constructs.user_pool import EdgeUserPool
from .constructs.flux import FluxBootstrap
from .constructs.github_ci import DeployRole, DiffRole, GitHubOidc, ImagePushRole
from .constructs.karpenter import KarpenterAwsSide
from .constructs.network import PlatformNetwork
from .constructs.node_capacity import NodeCapacity
from .constructs.observability import PlatformObservability
from .constructs.registry import ImageRegistry
from .constructs.security_groups import PodSecurityGroups
from .constructs.sleep import DevSleepSchedule


class NetworkStack(Stack):
    """The environment's VPC."""

    def __init__(self, scope: Construct, construct_id: str, *, env_config: Environment, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.network = PlatformNetwork(self, "Network", env=env_config)


class PlatformStack(Stack):
    """Cluster, node capacity, IAM for controllers and apps, Karpenter's AWS side, the dev
    sleep schedule and the Flux bootstrap."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env_config: Environment,
                 network: PlatformNetwork, internet_apps: tuple[str, ...] = (), monthly_budget_usd: float | None = None,
                 **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        env = env_config
        self.cluster = PlatformCluster(self, "Cluster", platform=platform, env=env, vpc=network.vpc)
        cluster = self.cluster.cluster
        self.capacity = NodeCapacity(self, "NodeCapacity", env=env, cluster=cluster)
        self.controllers = ControllerRoles(self, "ControllerRoles", env=env, cluster=cluster)
        self.apps = AppAccess(self, "AppAccess", platform=platform, env=env, cluster=cluster)
        self.karpenter = KarpenterAwsSide(self, "Karpenter", env=env, cluster=cluster) if env.uses_karpenter else None
        if env.sleep:
            DevSleepSchedule(self, "SleepSchedule", env=env, cluster=cluster, node_groups=self.capacity.node_groups)
        self._add_data_tier(platform, env, network)
        self.observability = PlatformObservability(
            self, "Observability", platform=platform, env=env, cluster=cluster, instance_id=instance_identifier(env),
            internet_apps=internet_apps, monthly_budget_usd=monthly_budget_usd)
        self.edge = EdgeCertificate(self, "Edge", env=env)
        self.firewall = EdgeFirewall(self, "Firewall", env=env)
        self.alb_logs = AlbAccessLogs(self, "AlbAccessLogs", env=env)
        self.users = (EdgeUserPool(self, "Users", platform=platform, env=env, web_acl_arn=self.firewall.acl.attr_arn)
                      if env.edge.auth.provider == "cognito" else None)
        self.cluster_vars = self._cluster_vars(platform, env, network)
        self.flux = FluxBootstrap(self, "Flux", platform=platform, env=env, cluster=cluster,
                                  cluster_vars=self.cluster_vars)

    def _add_data_tier(self, platform: Platform, env: Environment, network: PlatformNetwork) -> None:
        """RDS and who may reach it: the database apps' pod security groups where the environment
        has them, else the node security group. Each database app's IRSA role may connect."""
        self.pod_security_groups = (
            PodSecurityGroups(self, "PodSecurityGroups", platform=platform, env=env, cluster=self.cluster.cluster,
                              node_security_group=self.capacity.security_group)
            if env.pod_security_groups else None)
        self.database = PlatformDatabase(self, "Database", env=env, vpc=network.vpc)
        if self.pod_security_groups:
            for app_name, group in self.pod_security_groups.groups.items():
                self.database.allow_from(group, f"{app_name} pods (pod security group)")
        else:
            self.database.allow_from(self.capacity.security_group, "Nodes (pods share the node security group)")
        for app in platform.apps:
            if app.database:
                # The pods serve as iam_user (DML); only the migration Job's role may be the schema owner.
                self.database.grant_connect(self.apps.roles[app.name], env.database.iam_user)
                self.database.grant_connect(self.apps.migrator_roles[app.name], env.database.migrator_user)

    def _cluster_vars(self, platform: Platform, env: Environment, network: PlatformNetwork) -> dict[str, str]:
        """Values only known after deployment, for the GitOps tree (naming.cluster_var_names)."""
        values = {
            "cluster_name": env.cluster_name,
            "aws_region": self.region,
            "aws_account_id": self.account,
            "vpc_id": network.vpc.vpc_id,
            "vpc_cidr": env.vpc_cidr,
        }
        roles = {**self.controllers.roles, "ebs-csi": self.cluster.ebs_csi_role, **self.apps.roles,
                 **{f"{name}-migrator": role for name, role in self.apps.migrator_roles.items()}}
        if self.karpenter:
            roles["karpenter"] = self.karpenter.controller_role
            values["karpenter_interruption_queue"] = interruption_queue_name(env)
            values["karpenter_node_role"] = karpenter_node_role_name(env)
        for key, role in roles.items():
            values[f"{key.replace('-', '_')}_role_arn"] = role.role_arn
        for app in platform.apps:
            if app.s3_bucket:
                values[f"{app.name}_bucket"] = app_bucket_name(platform, env, app.name)
        instance = self.database.instance
        values |= {"db_host": instance.db_instance_endpoint_address, "db_port": instance.db_instance_endpoint_port,
                   "db_name": env.database.database_name, "db_user": env.database.iam_user}
        if self.pod_security_groups:
            for app_name, group in self.pod_security_groups.groups.items():
                values[f"{app_name}_pod_security_group_id"] = group.security_group_id
        values[CERTIFICATE_ARN_VAR] = self.edge.certificate.certificate_arn
        values[WAF_ACL_ARN_VAR] = self.firewall.acl.attr_arn
        values[ALB_LOG_BUCKET_VAR] = self.alb_logs.bucket.bucket_name
        values |= {host_var(app): host for app, host in env.dns.hosts.items()}
        if self.users:
            values |= {USER_POOL_ARN_VAR: self.users.user_pool.user_pool_arn,
                       USER_POOL_CLIENT_ID_VAR: self.users.client.user_pool_client_id,
                       USER_POOL_DOMAIN_VAR: self.users.domain_prefix,
                       USER_POOL_ISSUER_VAR: self.users.issuer}
        return values


class EnvironmentCiStack(Stack):
    """GitHub OIDC and the diff/deploy roles in an environment account."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env_name: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        oidc = GitHubOidc(self, "GitHubOidc")
        self.diff = DiffRole(self, "Diff", platform=platform, stage=env_name, oidc=oidc)
        self.deploy = DeployRole(self, "Deploy", platform=platform, env_name=env_name, oidc=oidc)


class RegistryStack(Stack):
    """ECR repositories in the shared services account."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.registry = ImageRegistry(self, "Registry", platform=platform)


class SharedCiStack(Stack):
    """GitHub OIDC, the image push role and the read-only diff role in the shared services account."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, registry: ImageRegistry,
                 **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        oidc = GitHubOidc(self, "GitHubOidc")
        self.push = ImagePushRole(self, "ImagePush", platform=platform, oidc=oidc,
                                  repositories=registry.repositories)
        # The shared account itself is deployed by an administrator (CI does not change the role
        # it runs as); pull requests still get a read-only diff.
        self.diff = DiffRole(self, "Diff", platform=platform, stage="shared", oidc=oidc)
