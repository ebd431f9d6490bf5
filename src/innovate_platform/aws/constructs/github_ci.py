"""GitHub Actions identities: the OIDC provider and roles only the configured repository's
main branch and `v*` tags can assume (and, for read-only diffs, its pull requests)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Platform
from ...naming import github_role_name
from ..nag import acknowledge_wildcards

GITHUB_ISSUER = "token.actions.githubusercontent.com"
PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
    "ecr:DescribeImages", "ecr:DescribeImageScanFindings",
]


def release_refs(platform: Platform) -> list[str]:
    """Subjects allowed to release: the main branch and `v*` tags of the one repository."""
    repo = platform.github.repository
    return [f"repo:{repo}:ref:refs/heads/{platform.github.branch}", f"repo:{repo}:ref:refs/tags/v*"]


class GitHubOidc(Construct):
    """The account's GitHub OIDC provider (native CloudFormation resource, no Lambda)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.provider = iam.OidcProviderNative(
            self, "Provider", url=f"https://{GITHUB_ISSUER}", client_ids=["sts.amazonaws.com"])

    def principal(self, subjects: list[str]) -> iam.IPrincipal:
        return iam.WebIdentityPrincipal(self.provider.oidc_provider_arn, conditions={
            "StringEquals": {f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{GITHUB_ISSUER}:sub": subjects},
        })


class ImagePushRole(Construct):
    """Shared account: push to the platform's repositories and nothing else."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, oidc: GitHubOidc,
                 repositories: dict[str, ecr.Repository]) -> None:
        super().__init__(scope, construct_id)
        self.role = iam.Role(
            self, "Role", role_name=github_role_name("ecr-push"),
            description="GitHub Actions: push images of main and v* tags",
            assumed_by=oidc.principal(release_refs(platform)),
        )
        # GetAuthorizationToken has no resource-level permissions.
        self.role.add_to_policy(iam.PolicyStatement(actions=["ecr:GetAuthorizationToken"], resources=["*"]))
        self.role.add_to_policy(iam.PolicyStatement(
            actions=PUSH_ACTIONS, resources=[r.repository_arn for r in repositories.values()]))
        acknowledge_wildcards(self.role, "ecr:GetAuthorizationToken supports no resource-level permissions; "
                                         "pushes are limited to the platform's repositories")


class DeployRoles(Construct):
    """Environment account: `github-diff` (pull requests, read-only) and `github-deploy` (main
    and tags) roles, each allowed only to assume the matching CDK bootstrap roles."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env_name: str,
                 oidc: GitHubOidc) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        bootstrap = f"arn:{stack.partition}:iam::{stack.account}:role/cdk-hnb659fds"
        repo = platform.github.repository
        self.diff_role = iam.Role(
            self, "DiffRole", role_name=github_role_name("diff", env_name),
            description="GitHub Actions: cdk diff from pull requests (read-only)",
            assumed_by=oidc.principal([f"repo:{repo}:pull_request", *release_refs(platform)]),
        )
        self.diff_role.add_to_policy(iam.PolicyStatement(
            actions=["sts:AssumeRole"], resources=[f"{bootstrap}-lookup-role-{stack.account}-{stack.region}"]))
        self.diff_role.add_to_policy(iam.PolicyStatement(
            actions=["cloudformation:DescribeStacks", "cloudformation:GetTemplate",
                     "cloudformation:ListStackResources", "cloudformation:DescribeStackEvents"],
            resources=[f"arn:{stack.partition}:cloudformation:{stack.region}:{stack.account}:stack/innovate-{env_name}-*/*"],
        ))
        acknowledge_wildcards(self.diff_role, f"Read-only CloudFormation calls on this environment's own "
                              f"innovate-{env_name}-* stacks, whose ids are not known in advance")
        self.deploy_role = iam.Role(
            self, "DeployRole", role_name=github_role_name("deploy", env_name),
            description="GitHub Actions: cdk deploy from main and release tags",
            assumed_by=oidc.principal(release_refs(platform)),
        )
        self.deploy_role.add_to_policy(iam.PolicyStatement(
            actions=["sts:AssumeRole"],
            resources=[f"{bootstrap}-{kind}-role-{stack.account}-{stack.region}"
                       for kind in ("deploy", "file-publishing", "image-publishing", "lookup")],
        ))
