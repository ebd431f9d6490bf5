"""Platform rules: what the typed models cannot see alone and AWS, Karpenter or a later gate
would refuse. Each rule yields Problems naming the field (a path into platform.yaml) and the fix;
the loader prints one `file:line: field: reason; fix` line per problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..models import Platform
from .base import Problem
from .catalog import catalog_rules
from .cross_field import account_rules, cross_field_rules
from .dns_hosts import dns_host_rules
from .edge_hosts import edge_host_rules
from .karpenter import karpenter_rules
from .names import name_rules
from .safety import safety_rules
from .schedules import schedule_rules
from .zones import zone_rules

Rule = Callable[[Platform], Iterator[Problem]]
RULES: tuple[Rule, ...] = (account_rules, catalog_rules, name_rules, cross_field_rules, karpenter_rules,
                          schedule_rules, zone_rules, safety_rules, dns_host_rules, edge_host_rules)


def run_rules(platform: Platform) -> list[Problem]:
    """Every problem of every rule, in file order of the rules."""
    return [problem for rule in RULES for problem in rule(platform)]


__all__ = ["RULES", "Problem", "run_rules"]
