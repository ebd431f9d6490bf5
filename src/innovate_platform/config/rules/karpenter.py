"""Karpenter and node group rules: budgets and durations as Karpenter parses them, limits that
leave room for at least one node of every listed type, and sizes AWS would refuse."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..catalog import INSTANCE_CATALOG
from ..cron import cron_problem
from ..models import Platform
from .base import Problem, env_path

# Karpenter's CRD patterns (karpenter.sh_nodepools.yaml of the chart the platform pins).
BUDGET_DURATION = re.compile(r"^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$")
BUDGET_NODES = re.compile(r"^((100|[0-9]{1,2})%|[0-9]+)$")
DISRUPTION_DURATION = re.compile(r"^(([0-9]+(s|m|h))+|Never)$")
# Amazon EKS service quota: nodes per managed node group.
MAX_NODES_PER_MANAGED_GROUP = 450


def karpenter_rules(platform: Platform) -> Iterator[Problem]:
    for name, env in platform.environments.items():
        for i, group in enumerate(env.node_groups):
            if group.max_size > MAX_NODES_PER_MANAGED_GROUP:
                yield Problem(env_path(name, "node_groups", i, "max_size"),
                              f"{group.max_size} nodes is above the EKS quota of {MAX_NODES_PER_MANAGED_GROUP} "
                              "nodes per managed node group; use a smaller max_size (Karpenter adds burst capacity)")
        if env.karpenter is None:
            continue
        for i, pool in enumerate(env.karpenter.node_pools):
            yield from _pool(env_path(name, "karpenter", "node_pools", i), pool)


def _pool(path: tuple, pool) -> Iterator[Problem]:
    for field in ("consolidate_after", "expire_after"):
        value = getattr(pool, field)
        if not DISRUPTION_DURATION.match(value):
            yield Problem((*path, field), f"'{value}' is not a Karpenter duration; write e.g. 30s, 5m, 720h or Never")
    too_big = [t for t in pool.instance_types if INSTANCE_CATALOG[t].vcpu > pool.limit_cpu]
    if too_big:
        yield Problem((*path, "limit_cpu"), f"{pool.limit_cpu} vCPU is below one {too_big[0]} "
                      f"({INSTANCE_CATALOG[too_big[0]].vcpu} vCPU): Karpenter could never launch it; raise limit_cpu "
                      f"or remove {', '.join(too_big)} from instance_types")
    too_big = [t for t in pool.instance_types if INSTANCE_CATALOG[t].memory_gib > pool.limit_memory_gib]
    if too_big:
        yield Problem((*path, "limit_memory_gib"), f"{pool.limit_memory_gib} GiB is below one {too_big[0]} "
                      f"({INSTANCE_CATALOG[too_big[0]].memory_gib} GiB): Karpenter could never launch it; raise "
                      f"limit_memory_gib or remove {', '.join(too_big)} from instance_types")
    for j, budget in enumerate(pool.budgets):
        yield from _budget((*path, "budgets", j), budget)


def _budget(path: tuple, budget) -> Iterator[Problem]:
    if not BUDGET_NODES.match(budget.nodes):
        yield Problem((*path, "nodes"), f"'{budget.nodes}' is not a node count or a percentage of 0-100%; "
                      "write e.g. \"10%\" or \"1\"")
    if budget.schedule is not None:
        problem = cron_problem(budget.schedule)
        if problem:
            yield Problem((*path, "schedule"), f"{problem}; write e.g. \"0 12 * * mon-fri\" (UTC)")
    if budget.duration is not None and not BUDGET_DURATION.match(budget.duration):
        yield Problem((*path, "duration"), f"'{budget.duration}' is not a budget duration (hours and minutes only); "
                      "write e.g. 11h or 1h30m")
