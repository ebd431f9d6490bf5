"""AppDataKey: the customer-managed KMS key an app's bucket is encrypted with (SSE-KMS).

Reading an object needs kms:Decrypt on this key, and the key policy allows it to the app's IRSA
role and the environment's admin roles only. The account itself may administer the key (so
CloudFormation and administrators can manage it through IAM) but not use it: no IAM policy, not
even ReadOnlyAccess on the CDK lookup role or a CI role, lets anyone else read the data, except one
allowed to change the key policy (kms:PutKeyPolicy, which CloudFormation needs to update it).
Administration leaves out kms:CreateGrant: a grant would give its grantee Decrypt without the policy.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from ...config import Environment

# Key administration without use: what CDK's own key-admin grant lists, no Encrypt/Decrypt/GenerateDataKey.
# kms:CreateAlias, not kms:Create*: that would include kms:CreateGrant (Decrypt by grant) and nothing here uses grants.
ADMINISTER = ["kms:CreateAlias", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
              "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
              "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand"]
USE = ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def data_key(scope: Construct, construct_id: str, *, env: Environment, app_name: str, app_role: iam.IRole) -> kms.Key:
    users = [app_role, *(iam.ArnPrincipal(arn) for arn in env.admin_role_arns)]
    policy = iam.PolicyDocument(statements=[
        iam.PolicyStatement(sid="AdministerNotUse", principals=[iam.AccountRootPrincipal()], actions=ADMINISTER,
                            resources=["*"]),
        iam.PolicyStatement(sid="UseByAppAndAdmins", principals=users, actions=USE, resources=["*"]),
    ])
    return kms.Key(
        scope, construct_id,
        alias=f"alias/{env.cluster_name}-{app_name}-data",
        description=f"{app_name}'s bucket in {env.cluster_name}: decrypt by the app and admins only",
        enable_key_rotation=True,
        policy=policy,
        removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN,
    )
