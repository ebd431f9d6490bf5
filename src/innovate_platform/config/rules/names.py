"""Name rules: duplicates within and across lists, names other systems would refuse."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Platform
from .base import Problem, duplicates, env_path


# ECR repository names (CreateRepository's pattern, lower case, no spaces).
ECR_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
S3_BUCKET_MAX = 63  # characters in a bucket name
# ELB load balancer names: 32 characters, letters, digits and hyphens, no hyphen at either end,
# not beginning with internal- (CreateLoadBalancer's Name).
ALB_NAME = re.compile(r"^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
# Cognito prefix domains (CreateUserPoolDomain's Domain pattern); the words Cognito reserves.
COGNITO_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
COGNITO_RESERVED = ("aws", "amazon", "cognito")


def name_rules(platform: Platform) -> Iterator[Problem]:
    dup = duplicates(list(platform.shared.ecr_repositories))
    if dup:
        yield Problem(("shared", "ecr_repositories"), f"{', '.join(dup)} listed twice; list each repository once")
    for i, repo in enumerate(platform.shared.ecr_repositories):
        if not ECR_NAME.match(repo):
            yield Problem(("shared", "ecr_repositories", i), f"'{repo}' is not an ECR repository name (lower-case "
                          "letters, digits and . _ - / separators); rename it")
    yield from _bucket_names(platform)
    yield from _edge_names(platform)
    for name, env in platform.environments.items():
        yield from _env_names(name, env)


def _bucket_names(platform: Platform) -> Iterator[Problem]:
    """The app buckets (naming.app_bucket_name) must fit S3's 63 characters in every environment."""
    from ...naming import app_bucket_name

    for i, app in enumerate(platform.apps):
        if not app.s3_bucket:
            continue
        for env in platform.environments.values():
            bucket = app_bucket_name(platform, env, app.name)
            if len(bucket) > S3_BUCKET_MAX:
                yield Problem(("apps", i, "name"), f"the bucket {bucket} is {len(bucket)} characters, S3 allows "
                              f"{S3_BUCKET_MAX} (organisation, environment, app name and account); shorten the app "
                              "name or organisation")
                break


def _edge_names(platform: Platform) -> Iterator[Problem]:
    """The shared ALB's name and the Cognito domain prefix are derived from the organisation
    (naming.alb_name, naming.user_pool_domain_prefix): refuse what ELB or Cognito would refuse."""
    from ...naming import alb_name, user_pool_domain_prefix

    for env in platform.environments.values():
        name = alb_name(platform, env)
        if not ALB_NAME.match(name):
            yield Problem(("organisation",), f"the ALB name {name} (organisation-environment) is one ELB refuses "
                          "(at most 32 letters, digits and hyphens, no hyphen at either end, not internal-...); "
                          "choose another organisation name")
            return
        prefix = user_pool_domain_prefix(platform, env)
        reserved = [word for word in COGNITO_RESERVED if word in prefix]
        if env.edge.auth.provider == "cognito" and (reserved or not COGNITO_DOMAIN.match(prefix)):
            yield Problem(("organisation",), f"the Cognito domain prefix {prefix} is one Cognito refuses"
                          f"{' (it contains ' + reserved[0] + ')' if reserved else ''}: prefixes may not contain "
                          "aws, amazon or cognito; choose another organisation name")
            return


def _env_names(name: str, env) -> Iterator[Problem]:
    dup = duplicates(list(env.admin_role_arns))
    if dup:
        yield Problem(env_path(name, "admin_role_arns"), f"{dup[0]} listed twice (EKS allows one access entry "
                      "per principal); list each role once")
    for i, group in enumerate(env.node_groups):
        dup = duplicates(list(group.instance_types))
        if dup:
            yield Problem(env_path(name, "node_groups", i, "instance_types"), f"{', '.join(dup)} listed twice; "
                          "list each type once")
    if env.karpenter is None:
        return
    pools = env.karpenter.node_pools
    for pool_name in duplicates([p.name for p in pools]):
        indexes = [i for i, p in enumerate(pools) if p.name == pool_name]
        where = " and ".join(f"environments.{name}.karpenter.node_pools.{i}.name" for i in indexes)
        yield Problem(env_path(name, "karpenter", "node_pools", indexes[-1], "name"),
                      f"NodePool '{pool_name}' is defined twice ({where}); the rendered tree would hold two "
                      "NodePools of one name and kustomize refuses it: rename one")
    for i, pool in enumerate(pools):
        dup = duplicates(list(pool.instance_types))
        if dup:
            yield Problem(env_path(name, "karpenter", "node_pools", i, "instance_types"),
                          f"{', '.join(dup)} listed twice; list each type once")
