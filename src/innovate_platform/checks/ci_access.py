"""platform-security rules on who can read what: CI roles that pull requests can assume, and who
may pull from ECR. ecr_no_account_principals is in platform_security.TEMPLATE_RULES;
pull_request_roles_read_no_data runs from platform_security.run with the subjects the workflows
hand pull requests (pr_tokens.pull_request_subjects).

- A role a pull request's token can assume runs workflow code from any branch: the
  `pull_request` subject, and `environment:<E>` for every GitHub environment a pull-request job
  runs in (one reviewer's approval hands that job the token). It may read CloudFormation state,
  nothing else. No ReadOnlyAccess-style managed policy, no data read
  (objects, secrets, parameters, logs, decryption) and no sts:AssumeRole (the CDK lookup role is
  ReadOnlyAccess).
- An ECR repository policy admits named node roles, never a whole account (`:root` or a bare
  account id): anything in the account could pull otherwise.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Iterator

from ..config import Platform
from .cfn import Resource, Templates, as_list, flatten, managed_policy_name, ref_target, resources, statements
from .model import Finding

GITHUB_ISSUER = "token.actions.githubusercontent.com"
# AWS managed policies that read data across the account.
READ_ALL_POLICIES = ("ReadOnlyAccess", "ViewOnlyAccess", "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess",
                     "AdministratorAccess", "PowerUserAccess", "SecurityAudit")
# Actions that return the contents of data stores rather than their configuration.
DATA_READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "secretsmanager:GetSecretValue",
                     "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "logs:GetLogEvents",
                     "logs:FilterLogEvents", "logs:StartQuery", "rds-db:connect", "dynamodb:GetItem",
                     "dynamodb:Query", "dynamodb:Scan", "sqs:ReceiveMessage", "sts:AssumeRole")
_ROOT = re.compile(r"^(arn:(?:<[^>]*>|[^:]+):iam::)?(\d{12}|<AWS::AccountId>)(:root)?$")


def _finding(env: str, res: Resource, field: str, message: str, fix: str) -> Finding:
    return Finding(env, res.label, field, message, fix)


def _github_subjects(document: dict) -> list[str]:
    subjects = []
    for _, st in statements(document):
        if st.get("Effect") != "Allow" or "Federated" not in (st.get("Principal") or {}):
            continue
        for block in (st.get("Condition") or {}).values():
            if isinstance(block, dict):
                subjects += [str(v) for v in as_list(block.get(f"{GITHUB_ISSUER}:sub"))]
    return subjects


def _environment_lowered(subject: str) -> str:
    """GitHub environment names are case-insensitive and the `sub` claim carries them lower-cased,
    so a role trusting `environment:Production` admits the `environment:production` token."""
    head, marker, environment = subject.partition(":environment:")
    return head + marker + environment.lower()


def _pull_request_trusted(res: Resource, reachable: dict[str, str]) -> tuple[str, str] | None:
    """(trusted subject, how a pull request gets a token it admits), if any. A reachable subject
    with `*` (an unresolved environment) matches a trusted one either way round."""
    document = res.props.get("AssumeRolePolicyDocument") or {}
    for trusted in _github_subjects(document):
        pattern = _environment_lowered(trusted)
        for subject, how in reachable.items():
            subject = _environment_lowered(subject)
            if fnmatch.fnmatchcase(subject, pattern) or ("*" in subject and fnmatch.fnmatchcase(pattern, subject)):
                return trusted, how
    return None


def _attached_documents(templates: Templates, res: Resource) -> Iterator[tuple[str, dict]]:
    for i, policy in enumerate(as_list(res.props.get("Policies"))):
        yield f"Properties.Policies[{i}]", (policy or {}).get("PolicyDocument") or {}
    for policy in resources({res.stack: res.template}, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        if any(ref_target(r) == res.logical_id for r in as_list(policy.props.get("Roles"))):
            yield f"{policy.label}.PolicyDocument", policy.props.get("PolicyDocument") or {}


def _data_reads(statement: dict) -> list[str]:
    if statement.get("Effect") != "Allow":
        return []
    if "NotAction" in statement:
        excluded = [str(a).lower() for a in as_list(statement["NotAction"])]
        return [a for a in DATA_READ_ACTIONS if not any(fnmatch.fnmatchcase(a.lower(), x) for x in excluded)]
    granted = [str(a).lower() for a in as_list(statement.get("Action"))]
    return [a for a in DATA_READ_ACTIONS if any(fnmatch.fnmatchcase(a.lower(), g) for g in granted)]


def pull_request_roles_read_no_data(env: str, templates: Templates, platform: Platform,
                                    reachable: dict[str, str] | None = None) -> Iterator[Finding]:
    """No role a pull request can assume may read data, assume another role or hold a read-all policy.
    `reachable`: token subject -> how pull requests get it (default: the `pull_request` subject)."""
    reachable = reachable or {f"repo:{platform.github.repository}:pull_request": "pull requests"}
    for res in resources(templates, "AWS::IAM::Role"):
        found = _pull_request_trusted(res, reachable)
        if found is None:
            continue
        trusted, how = found
        subject = trusted if how == "pull requests" else f"{trusted}, {how}"
        fix = ("give pull-request roles CloudFormation read on the platform's stacks only "
               "(aws/constructs/github_ci.DiffRole); run anything else from main or behind the environment's reviewers, "
               "and give pull-request jobs their own GitHub environment (naming.diff_environment) that no such role trusts")
        for i, arn in enumerate(as_list(res.props.get("ManagedPolicyArns"))):
            name = managed_policy_name(arn)
            if name in READ_ALL_POLICIES:
                yield _finding(env, res, f"Properties.ManagedPolicyArns[{i}]",
                               f"pull requests ({subject}) can assume a role with {name}, which reads data", fix)
        for where, document in _attached_documents(templates, res):
            for i, st in statements(document):
                reads = _data_reads(st)
                if reads:
                    what = ", ".join(reads[:4]) + (" ..." if len(reads) > 4 else "")
                    yield _finding(env, res, f"{where}.Statement[{i}]",
                                   f"pull requests ({subject}) can assume a role allowed {what}"
                                   + (" (the CDK lookup role is ReadOnlyAccess)" if "sts:AssumeRole" in reads else ""),
                                   fix)


def _account_principals(principal) -> list[str]:
    if principal == "*" or not isinstance(principal, dict):
        return []
    return [flatten(p) for p in as_list(principal.get("AWS")) if _ROOT.fullmatch(flatten(p).strip())]


def ecr_no_account_principals(env: str, templates: Templates, platform: Platform) -> Iterator[Finding]:
    """ECR repository policies name roles, never an account root."""
    for res in resources(templates, "AWS::ECR::Repository"):
        for i, st in statements(res.props.get("RepositoryPolicyText") or {}):
            for account in _account_principals(st.get("Principal")):
                yield _finding(env, res, f"Properties.RepositoryPolicyText.Statement[{i}].Principal",
                               f"the whole account {account} may pull: every role and user in it, not just its nodes",
                               "admit the environments' node roles (aws/constructs/registry.py pull_principals)")
