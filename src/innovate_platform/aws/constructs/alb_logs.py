"""AlbAccessLogs: the bucket the apps' ALB writes its access logs to.

S3-managed encryption (ALB access log delivery supports only SSE-S3), no public access, TLS only,
and objects expire after the environment's `log_retention_days`. The bucket policy lets Elastic
Load Balancing's log-delivery account of the region (aws_cdk.region_info) put objects under
`<prefix>/AWSLogs/<this account>/` and nothing else. The Ingresses name the bucket through
`cluster-vars` (naming.ALB_LOG_BUCKET_VAR).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.region_info import RegionInfo
from constructs import Construct

from ...config import Environment
from ...naming import alb_log_bucket_name
from ..nag import acknowledge


class AlbAccessLogs(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, env: Environment) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.bucket = s3.Bucket(
            self, "Bucket",
            bucket_name=alb_log_bucket_name(env),
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(env.log_retention_days),
                                              noncurrent_version_expiration=Duration.days(1))],
            removal_policy=RemovalPolicy.DESTROY if env.name == "dev" else RemovalPolicy.RETAIN,
        )
        elb_account = RegionInfo.get(stack.region).elbv2_account
        if elb_account is None:
            raise ValueError(f"region {stack.region}: no Elastic Load Balancing log-delivery account known to "
                             "aws_cdk.region_info; use a region it lists")
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="ElbLogDelivery",
            principals=[iam.AccountPrincipal(elb_account)],
            actions=["s3:PutObject"],
            resources=[self.bucket.arn_for_objects(f"*/AWSLogs/{env.account}/*")],
        ))
        acknowledge(self.bucket, "AwsSolutions-S1",
                    "This bucket holds the ALB's access logs; logging access to it into itself would recurse")
