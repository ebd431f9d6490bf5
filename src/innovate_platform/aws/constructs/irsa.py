"""IrsaRole: an IAM role only one Kubernetes service account of one cluster can assume."""

from __future__ import annotations

from aws_cdk import CfnJson
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Environment
from ...naming import ServiceAccountRole


class IrsaRole(Construct):
    """Role trusted through the cluster's OIDC provider for `system:serviceaccount:<ns>:<sa>` only.

    The role name is deterministic (naming.py) so the GitOps tree can annotate the service account.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster: eks.Cluster,
        env: Environment,
        account: ServiceAccountRole,
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        provider = cluster.open_id_connect_provider
        # IAM condition keys name the issuer without its scheme (oidc.eks.<region>.amazonaws.com/id/<id>);
        # the provider derives it from its ARN (the issuer URL is only a token at synth time).
        issuer = provider.open_id_connect_provider_issuer
        # Condition keys contain the issuer, a deploy-time token: CfnJson resolves them.
        conditions = CfnJson(
            self,
            "TrustConditions",
            value={
                f"{issuer}:sub": f"system:serviceaccount:{account.namespace}:{account.service_account}",
                f"{issuer}:aud": "sts.amazonaws.com",
            },
        )
        self.role = iam.Role(
            self,
            "Role",
            role_name=account.role_name(env),
            description=description,
            assumed_by=iam.OpenIdConnectPrincipal(provider).with_conditions({"StringEquals": conditions}),
        )
