"""ImageRegistry: the ECR repositories in the shared services account."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Platform
from ...naming import node_role_arns

PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]


class ImageRegistry(Construct):
    """One repository per app: immutable commit and release tags, scan on push, a lifecycle that
    keeps releases, pull by the environments' node roles only (never a whole account).

    ECR refuses a policy naming a role that does not exist yet, so the environments are deployed
    before the shared account (docs/runbooks/deploy.md)."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.repositories: dict[str, ecr.Repository] = {}
        pullers = {env.name: [iam.ArnPrincipal(arn) for arn in node_role_arns(env)]
                   for env in platform.environments.values()}
        for name in platform.shared.ecr_repositories:
            repo = ecr.Repository(
                self, name,
                repository_name=name,
                # Commit (sha-*) and release (X.Y.Z, X.Y.Z-rc.N) tags are immutable; only the
                # moving minor tag X.Y (no second dot) may be re-pointed (docs/adr/0006).
                image_tag_mutability=ecr.TagMutability.MUTABLE_WITH_EXCLUSION,
                image_tag_mutability_exclusion_filters=[
                    ecr.ImageTagMutabilityExclusionFilter.wildcard("sha-*"),
                    ecr.ImageTagMutabilityExclusionFilter.wildcard("*.*.*"),
                ],
                image_scan_on_push=True,
                encryption=ecr.RepositoryEncryption.AES_256,
                removal_policy=RemovalPolicy.RETAIN,
                lifecycle_rules=[
                    # An image matched by a higher-priority rule is never expired by a lower one:
                    # this rule's high count keeps every release, even though it also has a sha- tag.
                    ecr.LifecycleRule(
                        description="Keep releases",
                        tag_status=ecr.TagStatus.TAGGED, tag_pattern_list=["*.*.*"],
                        max_image_count=10000, rule_priority=1),
                    ecr.LifecycleRule(
                        description="Drop untagged layers after a week",
                        tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(7), rule_priority=2),
                    ecr.LifecycleRule(
                        description="Keep the newest commit images",
                        tag_status=ecr.TagStatus.TAGGED, tag_prefix_list=["sha-"],
                        max_image_count=platform.shared.image_retention_count, rule_priority=3),
                ],
            )
            for env_name, principals in pullers.items():
                repo.add_to_resource_policy(iam.PolicyStatement(
                    sid=f"PullByNodesOf{env_name.capitalize()}", actions=PULL_ACTIONS, principals=principals))
            self.repositories[name] = repo

