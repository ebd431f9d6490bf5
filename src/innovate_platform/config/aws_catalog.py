"""The shipped AWS catalog (data/aws_catalog.yaml): regions, instance types per region, RDS versions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .catalog import INSTANCE_CATALOG

CATALOG_FILE = Path(__file__).resolve().parent.parent / "data" / "aws_catalog.yaml"
REFRESH = "src/innovate_platform/data/aws_catalog.yaml (its header says how to refresh it)"


@dataclass(frozen=True)
class AwsCatalog:
    date: str
    regions: dict[str, frozenset[str]]
    postgres_versions: dict[str, tuple[str, ...]]
    postgres_instance_classes: frozenset[str]


@lru_cache(maxsize=1)
def aws_catalog() -> AwsCatalog:
    data = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    regions = {name: frozenset(INSTANCE_CATALOG if types == "all" else types) for name, types in data["regions"].items()}
    classes = frozenset(f"db.{family}.{size}" for family, sizes in data["postgres_instance_classes"].items()
                        for size in sizes)
    versions = {major: tuple(v) for major, v in data["postgres_versions"].items()}
    return AwsCatalog(str(data["date"]), regions, versions, classes)
