"""Name rules: duplicates within and across lists, names other systems would refuse."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Platform
from .base import Problem, duplicates, env_path


def name_rules(platform: Platform) -> Iterator[Problem]:
    dup = duplicates(list(platform.shared.ecr_repositories))
    if dup:
        yield Problem(("shared", "ecr_repositories"), f"{', '.join(dup)} listed twice; list each repository once")
    for name, env in platform.environments.items():
        yield from _env_names(name, env)


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
