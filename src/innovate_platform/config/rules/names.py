"""Name rules: duplicates within and across lists, names other systems would refuse."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Platform
from .base import Problem, duplicates, env_path


# ECR repository names (CreateRepository's pattern, lower case, no spaces).
ECR_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
S3_BUCKET_MAX = 63  # characters in a bucket name


def name_rules(platform: Platform) -> Iterator[Problem]:
    dup = duplicates(list(platform.shared.ecr_repositories))
    if dup:
        yield Problem(("shared", "ecr_repositories"), f"{', '.join(dup)} listed twice; list each repository once")
    for i, repo in enumerate(platform.shared.ecr_repositories):
        if not ECR_NAME.match(repo):
            yield Problem(("shared", "ecr_repositories", i), f"'{repo}' is not an ECR repository name (lower-case "
                          "letters, digits and . _ - / separators); rename it")
    yield from _bucket_names(platform)
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
