"""Catalog rules: the region, the instance types it offers, RDS engine versions and classes."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..aws_catalog import REFRESH, aws_catalog
from ..models import Platform
from .base import Problem, env_path


def catalog_rules(platform: Platform) -> Iterator[Problem]:
    catalog = aws_catalog()
    offered = catalog.regions.get(platform.region)
    if offered is None:
        close = [r for r in catalog.regions if sorted(r) == sorted(platform.region)] or \
            difflib.get_close_matches(platform.region, catalog.regions, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        yield Problem(("region",), f"'{platform.region}' is not a region in the shipped AWS catalog; {hint}"
                      f"use one of {', '.join(sorted(catalog.regions))}, or add it to {REFRESH}")
    for name, env in platform.environments.items():
        if offered is not None:
            yield from _instance_types(name, env, platform.region, offered)
        yield from _database(name, env.database.engine_version, env.database.instance_class)


def _instance_types(name: str, env, region: str, offered: frozenset[str]) -> Iterator[Problem]:
    lists = [(("node_groups", i, "instance_types"), g.instance_types) for i, g in enumerate(env.node_groups)]
    if env.karpenter:
        lists += [(("karpenter", "node_pools", i, "instance_types"), p.instance_types)
                  for i, p in enumerate(env.karpenter.node_pools)]
    for path, types in lists:
        missing = [t for t in types if t not in offered]
        if missing:
            yield Problem(env_path(name, *path), f"{', '.join(missing)} not offered in {region} per the shipped "
                          f"AWS catalog; use {', '.join(sorted(offered))}, or refresh {REFRESH}")


def _database(name: str, version: str, instance_class: str) -> Iterator[Problem]:
    catalog = aws_catalog()
    major = version.split(".")[0]
    known = catalog.postgres_versions.get(major)
    if known is None or version not in known:
        choices = ", ".join(known) if known else ", ".join(v[-1] for v in catalog.postgres_versions.values())
        yield Problem(env_path(name, "database", "engine_version"),
                      f"RDS for PostgreSQL {version} cannot be created (not in the shipped AWS catalog "
                      f"of {catalog.date}); use {choices}, or refresh {REFRESH}")
    if instance_class not in catalog.postgres_instance_classes:
        close = difflib.get_close_matches(instance_class, catalog.postgres_instance_classes, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else "use e.g. db.t4g.micro, db.m6g.large"
        yield Problem(env_path(name, "database", "instance_class"),
                      f"'{instance_class}' is not an RDS for PostgreSQL instance class in the shipped AWS "
                      f"catalog; {hint} (or refresh {REFRESH})")
        return
    yield from _modelled(name, instance_class)


def _modelled(name: str, instance_class: str) -> Iterator[Problem]:
    """Synthesis prices the environment (its budget) and sizes the database alarms: a class needs a
    price (data/prices.yaml) and its memory (observability/alarms.RDS_MEMORY_GIB)."""
    from ...insight.prices import load_prices
    from ...observability.alarms import RDS_MEMORY_GIB

    missing = [what for what, known in (("a price in data/prices.yaml", load_prices().rds_instances),
                                        ("its memory in observability/alarms.RDS_MEMORY_GIB", RDS_MEMORY_GIB))
               if instance_class not in known]
    if missing:
        usable = sorted(set(load_prices().rds_instances) & set(RDS_MEMORY_GIB))
        yield Problem(env_path(name, "database", "instance_class"),
                      f"'{instance_class}' has no {' and no '.join(missing)}, which the budget and the database "
                      f"alarms need; use {', '.join(usable)}, or add both with their sources")
