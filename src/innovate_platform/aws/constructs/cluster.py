"""PlatformCluster: the EKS control plane, its encryption, logging, access entries and add-ons."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.lambda_layer_kubectl_v36 import KubectlV36Layer
from constructs import Construct

from ...config import Environment, Platform
from ...naming import EBS_CSI
from ..nag import acknowledge, acknowledge_cluster, acknowledge_ebs_csi, managed_policy
from .irsa import IrsaRole
from .logs import control_plane_log_group

KUBERNETES_VERSIONS = {"1.36": eks.KubernetesVersion.V1_36, "1.35": eks.KubernetesVersion.V1_35}

ALL_LOG_TYPES = [
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
]


class PlatformCluster(Construct):
    """EKS cluster: API authentication mode, KMS envelope encryption, all five log types,
    standard support, private worker subnets and pinned managed add-ons.

    Capacity is added by NodeCapacity; `default_capacity` is 0 so no Auto Mode or default group.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment, vpc: ec2.IVpc
    ) -> None:
        super().__init__(scope, construct_id)
        self.secrets_key = kms.Key(
            self,
            "SecretsKey",
            alias=f"alias/{env.cluster_name}-secrets",
            description=f"Envelope encryption of Kubernetes secrets in {env.cluster_name}",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.cluster = eks.Cluster(
            self,
            "Cluster",
            cluster_name=env.cluster_name,
            version=KUBERNETES_VERSIONS[platform.versions.kubernetes],
            vpc=vpc,
            vpc_subnets=[ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)],
            endpoint_access=_endpoint_access(env),
            secrets_encryption_key=self.secrets_key,
            cluster_logging=ALL_LOG_TYPES,
            default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
            default_capacity=0,
            bootstrap_cluster_creator_admin_permissions=False,
            kubectl_provider_options=eks.KubectlProviderOptions(kubectl_layer=KubectlV36Layer(self, "KubectlLayer")),
        )
        cfn = self.cluster.node.default_child
        # Ours, with the environment's retention, before the control plane writes its first line:
        # left to EKS, the group is created on first write with no retention (logs kept forever).
        self.log_group = control_plane_log_group(self, env)
        cfn.node.add_dependency(self.log_group)
        # aws_eks_v2 exposes neither property; CloudFormation defaults the upgrade policy to
        # EXTENDED ($0.60/h instead of $0.10/h once the version leaves standard support).
        cfn.add_property_override("UpgradePolicy.SupportType", "STANDARD")
        cfn.add_property_override("AccessConfig.AuthenticationMode", "API")
        self._grant_access(env)
        self.ebs_csi_role = IrsaRole(
            self, "EbsCsiRole", cluster=self.cluster, env=env, account=EBS_CSI,
            description="EBS CSI driver: create, attach and delete volumes",
        ).role
        self.ebs_csi_role.add_managed_policy(
            iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonEBSCSIDriverPolicy")
        )
        acknowledge_cluster(self.cluster)
        if env.pod_security_groups:
            # Security groups for pods: the VPC resource controller attaches trunk and branch ENIs.
            self.cluster.role.add_managed_policy(
                iam.ManagedPolicy.from_aws_managed_policy_name("AmazonEKSVPCResourceController"))
            acknowledge(self.cluster, managed_policy("AmazonEKSVPCResourceController"),
                        "The AWS-maintained policy EKS documents for security groups for pods (trunk/branch ENIs)")
        acknowledge_ebs_csi(self.ebs_csi_role)
        self._add_addons(platform, env)

    def _grant_access(self, env: Environment) -> None:
        """Access entries (no aws-auth ConfigMap): admins get cluster admin, teams a group only."""
        for i, arn in enumerate(env.admin_role_arns):
            eks.AccessEntry(
                self, f"Admin{i}", cluster=self.cluster, principal=arn,
                access_policies=[eks.AccessPolicy.from_access_policy_name(
                    "AmazonEKSClusterAdminPolicy", access_scope_type=eks.AccessScopeType.CLUSTER)],
            )
        for team in env.teams:
            # Teams get no EKS access policy: their Kubernetes group is bound to Roles in their
            # own namespaces by the GitOps tree (gitops/infrastructure/configs).
            entry = eks.AccessEntry(
                self, f"Team-{team.name}", cluster=self.cluster, principal=team.role_arn, access_policies=[]
            )
            entry.node.default_child.add_property_override("KubernetesGroups", [team.group])

    def _add_addons(self, platform: Platform, env: Environment) -> None:
        versions = platform.versions.addons
        system_placement = {
            "nodeSelector": {"role": "system"},
            "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"}],
        }
        cni_env = {"ENABLE_POD_ENI": "true", "POD_SECURITY_GROUP_ENFORCING_MODE": "standard"}
        configs: dict[str, dict] = {
            "vpc-cni": {
                "enableNetworkPolicy": "true",
                **({"env": cni_env, "init": {"env": {"DISABLE_TCP_EARLY_DEMUX": "true"}}}
                   if env.pod_security_groups else {}),
            },
            "coredns": system_placement,
            "kube-proxy": {},
            "eks-pod-identity-agent": {},
            "aws-ebs-csi-driver": {"controller": system_placement},
        }
        for name, config in configs.items():
            addon = eks.Addon(
                self, f"Addon-{name}", cluster=self.cluster, addon_name=name,
                addon_version=versions[name], configuration_values=config or None, preserve_on_delete=False,
            )
            if name == "aws-ebs-csi-driver":
                addon.node.default_child.add_property_override("ServiceAccountRoleArn", self.ebs_csi_role.role_arn)


def _endpoint_access(env: Environment) -> eks.EndpointAccess:
    if not env.endpoint.public:
        return eks.EndpointAccess.PRIVATE
    return eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*env.endpoint.public_cidrs)
