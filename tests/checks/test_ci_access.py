"""platform-security rules on CI and registry access, each fed a small in-memory template that is
correct, then broken in one place (the shapes the platform synthesized before issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from innovate_platform.checks import platform_security as ps
from innovate_platform.checks.ci_access import ecr_no_account_principals, pull_request_roles_read_no_data
from innovate_platform.checks.inputs import CheckInputs
from innovate_platform.checks.model import CheckUnavailable
from innovate_platform.checks.pr_tokens import pull_request_subjects

ROOT = Path(__file__).resolve().parents[2]

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


@pytest.mark.parametrize(("arn", "name"), [
    ({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/ReadOnlyAccess"]]}, "ReadOnlyAccess"),
    ({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"}, "ReadOnlyAccess"),
    ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "ViewOnlyAccess"),
])
def test_read_only_access_on_a_pull_request_role_is_named(platform, arn, name):
    stage = diff_stage([f"repo:{REPO}:*"])  # a wildcard subject admits pull requests too
    stage["innovate-dev-ci"]["Resources"]["DiffRole"]["Properties"]["ManagedPolicyArns"] = [arn]
    (finding,) = findings(pull_request_roles_read_no_data, stage, platform)
    assert name in finding.message and f"repo:{REPO}:*" in finding.message


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


def test_the_registry_rule_runs_with_the_template_rules():
    # pull_request_roles_read_no_data runs from ps.run with the workflows' subjects (tests below)
    assert ecr_no_account_principals in ps.TEMPLATE_RULES


def test_the_synthesized_platform_passes_both_rules(synthesis, platform):
    reachable = pull_request_subjects(platform, ROOT)  # the repository's own workflows
    assert set(reachable) == {f"repo:{REPO}:pull_request", f"repo:{REPO}:environment:production-diff",
                              f"repo:{REPO}:environment:shared-diff"}
    for stage in ("dev", "staging", "prod", "shared"):
        templates = synthesis.templates(stage)
        assert list(pull_request_roles_read_no_data(stage, templates, platform, reachable)) == []
        assert list(ecr_no_account_principals(stage, templates, platform)) == []


def test_the_diff_roles_trust_as_github_oidc_trust_expects(synthesis, platform):
    for stage in ("dev", "prod", "shared"):
        assert [f for f in ps.github_oidc_trust(stage, synthesis.templates(stage), platform)] == []


def test_a_prod_diff_role_trusting_pull_requests_is_named(platform):
    stage = diff_stage([f"repo:{REPO}:pull_request"])
    stage["innovate-dev-ci"]["Resources"]["DiffRole"]["Properties"]["RoleName"] = "innovate-prod-github-diff"
    (finding,) = ps.github_oidc_trust("prod", stage, platform)
    assert f"repo:{REPO}:pull_request" in finding.message
    assert finding.fix.endswith(f"limit token.actions.githubusercontent.com:sub to repo:{REPO}:environment:production-diff")


def test_a_prod_diff_role_trusting_the_production_environment_is_named(platform):
    stage = diff_stage([f"repo:{REPO}:environment:production"])
    stage["innovate-dev-ci"]["Resources"]["DiffRole"]["Properties"]["RoleName"] = "innovate-prod-github-diff"
    (finding,) = ps.github_oidc_trust("prod", stage, platform)
    assert f"the diff role trusts repo:{REPO}:environment:production;" in finding.message


# --- pull requests reaching a role through a GitHub environment --------------------------------

INFRA = ROOT / ".github" / "workflows" / "infra.yml"


def repo_with_workflow(tmp_path, text: str):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "infra.yml").write_text(text)
    return tmp_path


def before_the_fix(tmp_path):
    """infra.yml as it was: the pull-request diff of prod and shared ran in `production`."""
    text = INFRA.read_text().replace("environment: ${{ matrix.github_environment }}", "environment: production")
    assert "environment: production #" in text
    return repo_with_workflow(tmp_path, text)


def prod_deploy_role(synthesis):
    """The synthesized prod deploy role (trusts environment:production, may assume the CDK roles)."""
    templates = synthesis.templates("prod")
    (stack,) = [name for name, t in templates.items()
                if any(r.get("Properties", {}).get("RoleName") == "innovate-prod-github-deploy"
                       for r in t.get("Resources", {}).values())]
    return {stack: templates[stack]}


def test_the_deploy_role_reached_by_a_pull_request_job_in_production_is_named(synthesis, platform, tmp_path):
    reachable = pull_request_subjects(platform, before_the_fix(tmp_path))
    assert reachable[f"repo:{REPO}:environment:production"] == (
        "the token of .github/workflows/infra.yml job diff-protected, which runs in environment production")
    found = list(pull_request_roles_read_no_data("prod", prod_deploy_role(synthesis), platform, reachable))
    assert found and all("DeployRole" in f.resource for f in found)
    assert any("sts:AssumeRole" in f.message and "lookup role is ReadOnlyAccess" in f.message for f in found)
    assert found[0].message.startswith(f"pull requests (repo:{REPO}:environment:production, the token of "
                                       ".github/workflows/infra.yml job diff-protected")


def test_the_deploy_role_is_not_reached_from_the_fixed_workflows(synthesis, platform):
    reachable = pull_request_subjects(platform, ROOT)
    assert list(pull_request_roles_read_no_data("prod", prod_deploy_role(synthesis), platform, reachable)) == []


@pytest.mark.parametrize(("job", "reached"), [
    ("environment: production", True),
    ("environment: {name: production, url: https://example.com}", True),
    ("environment: ${{ matrix.where }}\n    strategy: {matrix: {where: [staging, production]}}", True),
    ("environment: ${{ matrix.where }}\n    strategy: {matrix: {include: [{where: production-diff}]}}", False),
    ("environment: ${{ vars.SOMEWHERE }}", True),  # unresolved: any environment
    ("environment: production\n    if: github.event_name == 'push'", False),
    ("environment: production\n    if: github.event_name == 'push' || true", True),
    ("environment: production\n    needs: push-only", False),
    ("environment: production\n    needs: push-only\n    if: always()", True),
])
def test_environments_of_pull_request_jobs_are_read_from_the_workflows(platform, tmp_path, job, reached):
    text = ("on: {pull_request: {}, push: {branches: [main]}}\njobs:\n"
            "  push-only:\n    if: github.event_name == 'push'\n    runs-on: ubuntu-24.04\n    steps: [{run: 'true'}]\n"
            f"  job:\n    {job}\n    runs-on: ubuntu-24.04\n    steps: [{{run: 'true'}}]\n")
    reachable = pull_request_subjects(platform, repo_with_workflow(tmp_path, text))
    deploy = diff_stage([f"repo:{REPO}:environment:production"])
    deploy["innovate-dev-ci"]["Resources"]["DiffPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": LOOKUP})
    assert bool(findings_with(deploy, platform, reachable)) is reached


def test_a_push_only_workflow_reaches_nothing(platform, tmp_path):
    text = "on: {push: {branches: [main]}}\njobs:\n  job:\n    environment: production\n    runs-on: x\n    steps: []\n"
    assert pull_request_subjects(platform, repo_with_workflow(tmp_path, text)) == {
        f"repo:{REPO}:pull_request": "pull requests"}


def findings_with(templates, platform, reachable):
    return list(pull_request_roles_read_no_data("dev", templates, platform, reachable))


def test_platform_security_runs_the_rule_over_the_repositorys_workflows(synthesis, platform, tmp_path):
    checks = CheckInputs(platform, before_the_fix(tmp_path), ("prod",))
    checks._values["synthesis"] = (True, synthesis)  # the session's synthesis, not a second one
    checks._values["gitops"] = (False, CheckUnavailable("not under test"))
    try:
        found = [f for f in ps.run(checks, "prod") if "environment:production," in f.message]
    finally:
        checks.close()
    assert found and all("DeployRole" in f.resource for f in found)


# --- planted workflows that evaded pr_tokens before (issue 14, review of item 5/6) --------------

JOB = "    runs-on: ubuntu-24.04\n    steps: [{run: 'true'}]\n"
PR_WORKFLOW = "on: {pull_request: {}, push: {branches: [main]}}\njobs:\n  job:\n"
CALLED = "on: {workflow_call: {}}\njobs:\n  deploy:\n    environment: production\n" + JOB


def repo_with_workflows(tmp_path, files: dict[str, str]):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / ".github" / "workflows" / name).write_text(text)
    return tmp_path


def role_trusting(subject: str) -> dict[str, dict]:
    """A role trusted by one subject that may assume the CDK lookup role (ReadOnlyAccess)."""
    stage = diff_stage([subject])
    stage["innovate-dev-ci"]["Resources"]["DiffPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": LOOKUP})
    return stage


PLANTED = {
    "environment-capitalised": {"ci.yml": PR_WORKFLOW + "    environment: Production\n" + JOB},
    "environment-name-upper": {"ci.yml": PR_WORKFLOW + "    environment: {name: PRODUCTION}\n" + JOB},
    "if-event-mixed-case": {"ci.yml": PR_WORKFLOW + "    if: github.event_name == 'Pull_Request'\n"
                                      "    environment: production\n" + JOB},
    "if-negated": {"ci.yml": PR_WORKFLOW + "    if: \"!(github.event_name == 'push')\"\n"
                             "    environment: production\n" + JOB},
    "if-compared-to-false": {"ci.yml": PR_WORKFLOW + "    if: github.event_name == 'push' == false\n"
                                       "    environment: production\n" + JOB},
    "if-not-equal": {"ci.yml": PR_WORKFLOW + "    if: ${{ github.event_name != 'push' }}\n"
                               "    environment: production\n" + JOB},
    "local-reusable-workflow": {"ci.yml": PR_WORKFLOW + "    uses: ./.github/workflows/c.yml\n", "c.yml": CALLED},
    "nested-reusable-workflow": {
        "ci.yml": PR_WORKFLOW + "    uses: ./.github/workflows/b.yml\n",
        "b.yml": "on: {workflow_call: {}}\njobs:\n  inner:\n    uses: ./.github/workflows/c.yml\n", "c.yml": CALLED},
    "remote-reusable-workflow": {"ci.yml": PR_WORKFLOW + "    uses: octo-org/deploy/.github/workflows/x.yml@v1\n"},
    "matrix-value-expression": {"ci.yml": PR_WORKFLOW + "    environment: ${{ matrix.e }}\n    strategy: {matrix: "
                                "{include: [{e: \"${{ github.actor == 'x' && 'production' || 'dev' }}\"}]}}\n" + JOB},
    "matrix-list-expression": {"ci.yml": PR_WORKFLOW + "    environment: ${{ matrix.e }}\n    strategy: {matrix: "
                               "{e: \"${{ fromJSON(vars.ENVS) }}\", include: [{e: dev}]}}\n" + JOB},
    **{f"on-{event}": {"ci.yml": f"on: [{event}]\njobs:\n  job:\n    environment: production\n" + JOB}
       for event in ("pull_request_review", "pull_request_review_comment", "merge_group", "workflow_run",
                     "issue_comment")},
}


@pytest.mark.parametrize("files", PLANTED.values(), ids=PLANTED.keys())
def test_a_planted_pull_request_route_to_production_names_the_role(platform, tmp_path, files):
    reachable = pull_request_subjects(platform, repo_with_workflows(tmp_path, files))
    found = findings_with(role_trusting(f"repo:{REPO}:environment:production"), platform, reachable)
    assert found and all("DiffRole" in f.resource for f in found)
    assert f"pull requests (repo:{REPO}:environment:production, the token of .github/workflows/ci.yml job job" \
        in found[0].message


def test_a_role_trusting_a_capitalised_environment_is_reached_by_its_lower_cased_token(platform, tmp_path):
    reachable = pull_request_subjects(platform, repo_with_workflows(
        tmp_path, {"ci.yml": PR_WORKFLOW + "    environment: production\n" + JOB}))
    (finding,) = findings_with(role_trusting(f"repo:{REPO}:environment:Production"), platform, reachable)
    assert "DiffRole" in finding.resource and f"repo:{REPO}:environment:Production" in finding.message


NOT_REACHED = {
    "if-push-upper-case": PR_WORKFLOW + "    if: github.event_name == 'PUSH'\n    environment: production\n" + JOB,
    "if-push-and-more": PR_WORKFLOW + "    if: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}\n"
                                      "    environment: production\n" + JOB,
    "reusable-called-on-push-only": PR_WORKFLOW + "    if: github.event_name == 'push'\n"
                                                  "    uses: ./.github/workflows/c.yml\n",
    "matrix-literal-diff": PR_WORKFLOW + "    environment: ${{ matrix.e }}\n"
                                         "    strategy: {matrix: {include: [{e: Production-Diff}]}}\n" + JOB,
}


@pytest.mark.parametrize("text", NOT_REACHED.values(), ids=NOT_REACHED.keys())
def test_jobs_that_never_run_in_production_on_a_pull_request_are_not_named(platform, tmp_path, text):
    reachable = pull_request_subjects(platform, repo_with_workflows(tmp_path, {"ci.yml": text, "c.yml": CALLED}))
    assert findings_with(role_trusting(f"repo:{REPO}:environment:production"), platform, reachable) == []
