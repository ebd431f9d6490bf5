"""GitHub Actions identities: the OIDC provider and roles only the configured repository's
main branch and `v*` tags can assume (and, for diffs that read CloudFormation state only, its pull
requests in dev and staging, and jobs in the reviewed `production-diff`/`shared-diff` environments)."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ...config import Platform
from ...naming import GITHUB_ENVIRONMENTS, diff_role_subjects, github_role_name, github_subject
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


def _bootstrap_role(stack: Stack, kind: str) -> str:
    return f"arn:{stack.partition}:iam::{stack.account}:role/cdk-hnb659fds-{kind}-role-{stack.account}-{stack.region}"


class DiffRole(Construct):
    """`innovate-<stage>-github-diff`: `cdk diff` reads the deployed templates and nothing else.

    No CDK lookup role (ReadOnlyAccess) and no data: workflow code of any branch runs with this
    role, so it can read CloudFormation state of the platform's own stacks only. Pull requests may
    assume the dev and staging roles; prod and shared only from their own diff environment
    (`production-diff`, `shared-diff`: naming.diff_role_subjects), which no deploy role trusts."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, stage: str,
                 oidc: GitHubOidc) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.role = iam.Role(
            self, "Role", role_name=github_role_name("diff", stage),
            description="GitHub Actions: cdk diff (CloudFormation state only)",
            assumed_by=oidc.principal(list(diff_role_subjects(platform, stage))),
        )
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["cloudformation:DescribeStacks", "cloudformation:GetTemplate",
                     "cloudformation:ListStackResources", "cloudformation:DescribeStackEvents"],
            resources=[f"arn:{stack.partition}:cloudformation:{stack.region}:{stack.account}:stack/innovate-{stage}-*/*"],
        ))
        acknowledge_wildcards(self.role, f"Read-only CloudFormation calls on this account's own innovate-{stage}-* "
                                         "stacks, whose ids are not known in advance")


class DeployRole(Construct):
    """`innovate-<env>-github-deploy`: only jobs running in the environment's GitHub environment
    (which carries the required reviewers) may deploy, by assuming the CDK bootstrap roles."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env_name: str,
                 oidc: GitHubOidc) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # A job with `environment:` gets `repo:<repo>:environment:<name>` as its token subject; the
        # deploy environments allow main and v* only, pull requests use the *-diff environments.
        subject = github_subject(platform, GITHUB_ENVIRONMENTS[env_name])
        self.role = iam.Role(
            self, "Role", role_name=github_role_name("deploy", env_name),
            description=f"GitHub Actions: cdk deploy from the {GITHUB_ENVIRONMENTS[env_name]} environment",
            assumed_by=oidc.principal([subject]),
        )
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["sts:AssumeRole"],
            resources=[_bootstrap_role(stack, kind) for kind in ("deploy", "file-publishing", "image-publishing", "lookup")],
        ))
