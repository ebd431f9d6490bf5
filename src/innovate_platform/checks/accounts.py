"""`accounts`: every file outside platform.yaml that names an AWS account, a region or a CI role
agrees with platform.yaml, so changing an account in platform.yaml flags each file still holding
the old one.

Files: the GitHub workflows (.github/workflows/*.yml), the charts' values (charts/*/values*.yaml:
ECR registry, IRSA roles, buckets, certificates) and cdk.context.json (the zones CDK caches per
account; `innovate context` rewrites it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..config import Platform
from ..naming import github_role_name
from ..config.zones import CONTEXT_FILE, read_context, render_context
from .inputs import CheckInputs
from .model import SHARED, Check, Finding

ACCOUNT = re.compile(r"(?<![\d-])(\d{12})(?![\d-])")
# An account at the end of a resource name (the app buckets, naming.app_bucket_name): after a dash,
# so ACCOUNT skips it (it would also match the last group of a UUID).
NAMED_ACCOUNT = re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:dev|staging|prod|shared)-[a-z0-9-]*?-(\d{12})(?![\d-])")
REGISTRY = re.compile(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com")
MATRIX = re.compile(r"env:\s*(\w+),\s*account:\s*\"?(\d{12})")
CI_ROLE = re.compile(r"arn:aws:iam::(\d{12}):role/(innovate-(?:(\w+)-)?github-[\w-]+)")
REGION_SETTING = re.compile(r"\b(?:AWS_REGION|aws-region|region):\s*\"?([a-z]{2}-[a-z]+-\d)\b")
ARN_REGION = re.compile(r"arn:aws:[a-z0-9-]+:([a-z]{2}-[a-z]+-\d):")


def check(inputs: CheckInputs, env: str) -> list[Finding]:
    return list(account_findings(inputs.platform, inputs.root))


def account_findings(platform: Platform, root: Path) -> Iterator[Finding]:
    accounts = {"shared": platform.shared.account, **{n: e.account for n, e in platform.environments.items()}}
    files = sorted((root / ".github" / "workflows").glob("*.y*ml")) + sorted((root / "charts").glob("*/values*.yaml"))
    for path in files:
        owner = _owner(path, accounts)
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for message in _line_problems(line, platform, accounts, owner):
                yield Finding(SHARED, rel, f"line {number}", message,
                              "write the value from platform.yaml there (accounts: environments.<env>.account, "
                              "shared.account; region: region)")
    yield from _context_findings(platform, root)


def _owner(path: Path, accounts: dict[str, str]) -> str | None:
    """The environment a values-<env>.yaml belongs to, else None."""
    match = re.match(r"values-(\w+)\.yaml$", path.name)
    return match.group(1) if match and match.group(1) in accounts else None


def _line_problems(line: str, platform: Platform, accounts: dict[str, str], owner: str | None) -> Iterator[str]:
    known = {a: n for n, a in accounts.items()}
    checked: set[int] = set()
    for match in REGISTRY.finditer(line):
        checked.add(match.start(1))
        if match.group(1) != platform.shared.account:
            yield f"ECR registry account {match.group(1)} is not shared.account {platform.shared.account}"
    for match in MATRIX.finditer(line):
        checked.add(match.start(2))
        env, account = match.groups()
        if env in accounts and account != accounts[env]:
            yield f"{env} runs in account {account}, but platform.yaml's {_field(env)} is {accounts[env]}"
    for match in CI_ROLE.finditer(line):
        checked.add(match.start(1))
        env = match.group(3) or "shared"
        if env in accounts and match.group(1) != accounts[env]:
            yield f"{env}'s CI role is in account {match.group(1)}, but platform.yaml's {_field(env)} is {accounts[env]}"
        if match.group(2) not in ci_roles(accounts):
            yield (f"role {match.group(2)} is not a role the platform creates; use one of "
                   f"{', '.join(sorted(ci_roles(accounts)))}")
    for match in (*ACCOUNT.finditer(line), *NAMED_ACCOUNT.finditer(line)):
        if match.start(1) in checked:
            continue
        account = match.group(1)
        if owner is not None and account != accounts[owner] and account != platform.shared.account:
            yield f"account {account} in {owner}'s values, but platform.yaml's {_field(owner)} is {accounts[owner]}"
        elif owner is None and account not in known:
            yield f"account {account} is not an account of platform.yaml ({', '.join(sorted(known))})"
    for match in (*REGION_SETTING.finditer(line), *ARN_REGION.finditer(line),
                  *(m for m in REGISTRY.finditer(line))):
        region = match.group(2) if match.re is REGISTRY else match.group(1)
        if region != platform.region:
            yield f"region {region} is not platform.yaml's region {platform.region}"


def ci_roles(accounts: dict[str, str]) -> set[str]:
    """The GitHub roles CDK creates (aws/constructs/github_ci.py): push, diff per stage, deploy per environment."""
    names = {github_role_name("ecr-push")} | {github_role_name("diff", stage) for stage in accounts}
    return names | {github_role_name("deploy", env) for env in accounts if env != "shared"}


def _field(env: str) -> str:
    return "shared.account" if env == "shared" else f"environments.{env}.account"


def _context_findings(platform: Platform, root: Path) -> Iterator[Finding]:
    try:
        current = read_context(root)
    except ValueError as exc:
        yield Finding(SHARED, CONTEXT_FILE, "", f"not JSON ({exc})", "delete it and run `innovate context`")
        return
    wanted = render_context(platform, current)
    for key in sorted(set(current) | set(wanted)):
        if current.get(key) != wanted.get(key):
            state = "missing" if key not in current else "stale" if key in wanted else "names an account or region platform.yaml does not"
            yield Finding(SHARED, CONTEXT_FILE, key, f"entry {state}", "run `innovate context` and commit cdk.context.json")


CHECK = Check("accounts", "workflows, chart values and cdk.context.json name platform.yaml's accounts and region",
              check, envs=(SHARED,))
