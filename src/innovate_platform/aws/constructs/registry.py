"""ImageRegistry: the ECR repositories in the shared services account."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Platform

PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]


class ImageRegistry(Construct):
    """One repository per app: immutable tags, scan on push, lifecycle, pull from env accounts."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.repositories: dict[str, ecr.Repository] = {}
        pullers = [iam.AccountPrincipal(env.account) for env in platform.environments.values()]
        for name in platform.shared.ecr_repositories:
            repo = ecr.Repository(
                self, name,
                repository_name=name,
                image_tag_mutability=ecr.TagMutability.IMMUTABLE,
                image_scan_on_push=True,
                encryption=ecr.RepositoryEncryption.AES_256,
                removal_policy=RemovalPolicy.RETAIN,
                lifecycle_rules=[
                    ecr.LifecycleRule(
                        description="Drop untagged layers after a week",
                        tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(7), rule_priority=1),
                    ecr.LifecycleRule(
                        description="Keep the newest commit images",
                        tag_status=ecr.TagStatus.TAGGED, tag_prefix_list=["sha-"],
                        max_image_count=platform.shared.image_retention_count, rule_priority=2),
                ],
            )
            for principal in pullers:
                repo.add_to_resource_policy(iam.PolicyStatement(
                    sid=f"PullFrom{principal.account_id}", actions=PULL_ACTIONS, principals=[principal]))
            self.repositories[name] = repo

