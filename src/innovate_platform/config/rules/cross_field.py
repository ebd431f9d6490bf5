"""Rules across fields: each message names every field involved."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Platform
from .base import Problem, env_path

ROLE_ARN = re.compile(r"^arn:aws:iam::(\d{12}):role/[\w+=,.@/-]+$")


def cross_field_rules(platform: Platform) -> Iterator[Problem]:
    charts = platform.versions.charts
    if charts.get("karpenter-crd") != charts.get("karpenter"):
        yield Problem(("versions", "charts", "karpenter-crd"),
                      f"{charts.get('karpenter-crd')} differs from versions.charts.karpenter {charts.get('karpenter')}: "
                      "the CRDs must come from the same release as the controller; set both to one version")
    for i, app in enumerate(platform.apps):
        if app.name not in platform.shared.ecr_repositories:
            yield Problem(("apps", i, "name"), f"app '{app.name}' has no ECR repository: add {app.name} to "
                          "shared.ecr_repositories so CI can push its image")
    for name, env in platform.environments.items():
        yield from _network(name, env)
        yield from _role_arns(platform, name, env)


def _network(name: str, env) -> Iterator[Problem]:
    if env.nat_gateways > env.az_count:
        yield Problem(env_path(name, "nat_gateways"), f"{env.nat_gateways} NAT gateways for environments.{name}.az_count "
                      f"{env.az_count} zones: CDK would silently create only {env.az_count}; set nat_gateways <= az_count")
    if env.nat_gateways == 0 and not env.vpc_endpoints:
        yield Problem(env_path(name, "nat_gateways"), f"0 with environments.{name}.vpc_endpoints false leaves nodes in "
                      "private subnets without a route to ECR, STS and the image registries; set nat_gateways >= 1 "
                      "or vpc_endpoints: true")


def _role_arns(platform: Platform, name: str, env) -> Iterator[Problem]:
    others = {e.account: n for n, e in platform.environments.items() if n != name}
    arns = [(("admin_role_arns", i), arn) for i, arn in enumerate(env.admin_role_arns)]
    arns += [(("teams", i, "role_arn"), team.role_arn) for i, team in enumerate(env.teams)]
    for path, arn in arns:
        match = ROLE_ARN.match(arn)
        if match is None:
            yield Problem(env_path(name, *path), f"'{arn}' is not an IAM role ARN; write "
                          "arn:aws:iam::<12-digit account>:role/<name>")
        elif match.group(1) in others:
            yield Problem(env_path(name, *path), f"names account {match.group(1)}, which is "
                          f"environments.{others[match.group(1)]}.account, not environments.{name}.account "
                          f"{env.account}: one environment's role must not administer another's; fix the account")


def account_rules(platform: Platform) -> Iterator[Problem]:
    """Each environment and the shared services account in its own AWS account, naming who shares."""
    owners: dict[str, list[str]] = {platform.shared.account: ["shared.account"]}
    for name, env in platform.environments.items():
        owners.setdefault(env.account, []).append(f"environments.{name}.account")
    for account, fields in owners.items():
        if len(fields) > 1:
            path = tuple(fields[-1].split("."))
            yield Problem(path, f"{account} is also {' and '.join(fields[:-1])}: each environment and the shared "
                          "services account need their own AWS account; give each its own")
