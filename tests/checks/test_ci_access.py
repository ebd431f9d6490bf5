"""platform-security rules on CI and registry access, each fed a small in-memory template that is
correct, then broken in one place (the shapes the platform synthesized before issue 14)."""

from __future__ import annotations

import pytest

from innovate_platform.checks import platform_security as ps
from innovate_platform.checks.ci_access import ecr_no_account_principals, pull_request_roles_read_no_data

REPO = "innovate-inc/platform"
GITHUB = "token.actions.githubusercontent.com"
LOOKUP = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                            ":iam::111111111111:role/cdk-hnb659fds-lookup-role-111111111111-us-east-1"]]}


def diff_stage(subjects: list[str]) -> dict[str, dict]:
    trust = {"Statement": [{"Action": "sts:AssumeRoleWithWebIdentity", "Effect": "Allow",
                            "Principal": {"Federated": {"Ref": "GitHubOidcProvider"}},
                            "Condition": {"StringEquals": {f"{GITHUB}:aud": "sts.amazonaws.com"},
                                          "StringLike": {f"{GITHUB}:sub": subjects}}}]}
    return {"innovate-dev-ci": {"Resources": {
        "DiffRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "innovate-dev-github-diff", "AssumeRolePolicyDocument": trust}},
        "DiffPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "Roles": [{"Ref": "DiffRole"}],
            "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": [
                "cloudformation:DescribeStacks", "cloudformation:GetTemplate"],
                "Resource": "arn:aws:cloudformation:us-east-1:111111111111:stack/innovate-dev-*/*"}]}}},
    }}}


def registry(principal) -> dict[str, dict]:
    return {"innovate-shared-registry": {"Resources": {"Api": {"Type": "AWS::ECR::Repository", "Properties": {
        "RepositoryName": "api",
        "RepositoryPolicyText": {"Statement": [{"Sid": "Pull", "Effect": "Allow", "Principal": {"AWS": principal},
                                                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}}}}}}


def findings(rule, templates, platform):
    return list(rule("dev", templates, platform))


def test_a_pull_request_role_reading_cloudformation_state_only_passes(platform):
    assert findings(pull_request_roles_read_no_data, diff_stage([f"repo:{REPO}:pull_request"]), platform) == []


def test_a_pull_request_role_that_may_assume_the_lookup_role_is_named(platform):
    stage = diff_stage([f"repo:{REPO}:pull_request"])
    stage["innovate-dev-ci"]["Resources"]["DiffPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": LOOKUP})
    (finding,) = findings(pull_request_roles_read_no_data, stage, platform)
    assert "DiffRole" in finding.resource and "Statement[1]" in finding.field
    assert "sts:AssumeRole" in finding.message and "lookup role is ReadOnlyAccess" in finding.message


@pytest.mark.parametrize("grant", [
    {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::innovate-dev-api-111111111111/*"},
    {"Action": "s3:*", "Resource": "*"},
    {"Action": ["kms:Decrypt"], "Resource": "*"},
    {"NotAction": "iam:*", "Resource": "*"},
])
def test_any_data_read_by_a_pull_request_role_is_named(platform, grant):
    stage = diff_stage([f"repo:{REPO}:pull_request"])
    stage["innovate-dev-ci"]["Resources"]["DiffRole"]["Properties"]["Policies"] = [
        {"PolicyName": "extra", "PolicyDocument": {"Statement": [{"Effect": "Allow", **grant}]}}]
    (finding,) = findings(pull_request_roles_read_no_data, stage, platform)
    assert "Properties.Policies[0].Statement[0]" == finding.field and "pull requests" in finding.message


def test_read_only_access_on_a_pull_request_role_is_named(platform):
    stage = diff_stage([f"repo:{REPO}:*"])  # a wildcard subject admits pull requests too
    stage["innovate-dev-ci"]["Resources"]["DiffRole"]["Properties"]["ManagedPolicyArns"] = [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/ReadOnlyAccess"]]}]
    (finding,) = findings(pull_request_roles_read_no_data, stage, platform)
    assert "ReadOnlyAccess" in finding.message and f"repo:{REPO}:*" in finding.message


def test_a_role_trusted_only_from_main_may_read_what_it_needs(platform):
    stage = diff_stage([f"repo:{REPO}:ref:refs/heads/main"])
    stage["innovate-dev-ci"]["Resources"]["DiffPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": LOOKUP})
    assert findings(pull_request_roles_read_no_data, stage, platform) == []


def test_node_role_principals_in_an_ecr_policy_pass(platform):
    assert findings(ecr_no_account_principals, registry(["arn:aws:iam::111111111111:role/innovate-dev-node"]),
                    platform) == []


@pytest.mark.parametrize("principal", [
    {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:root"]]},
    "arn:aws:iam::222222222222:root",
    "333333333333",
])
def test_an_account_root_in_an_ecr_policy_is_named(platform, principal):
    (finding,) = findings(ecr_no_account_principals, registry([principal]), platform)
    assert finding.field == "Properties.RepositoryPolicyText.Statement[0].Principal"
    assert "the whole account" in finding.message and "node roles" in finding.fix


def test_both_rules_run_in_platform_security():
    assert pull_request_roles_read_no_data in ps.TEMPLATE_RULES and ecr_no_account_principals in ps.TEMPLATE_RULES


def test_the_synthesized_platform_passes_both_rules(synthesis, platform):
    for stage in ("dev", "staging", "prod", "shared"):
        templates = synthesis.templates(stage)
        assert findings(pull_request_roles_read_no_data, templates, platform) == []
        assert list(ecr_no_account_principals(stage, templates, platform)) == []


def test_the_diff_roles_trust_as_github_oidc_trust_expects(synthesis, platform):
    for stage in ("dev", "prod", "shared"):
        assert [f for f in ps.github_oidc_trust(stage, synthesis.templates(stage), platform)] == []


def test_a_prod_diff_role_trusting_pull_requests_is_named(platform):
    stage = diff_stage([f"repo:{REPO}:pull_request"])
    stage["innovate-dev-ci"]["Resources"]["DiffRole"]["Properties"]["RoleName"] = "innovate-prod-github-diff"
    (finding,) = ps.github_oidc_trust("prod", stage, platform)
    assert f"repo:{REPO}:pull_request" in finding.message
    assert f"repo:{REPO}:environment:production" in finding.fix and f"repo:{REPO}:ref:refs/heads/main" in finding.fix
