"""Prod safety rules. There is no waiver: prod's acknowledgements (aws/constructs/database.py)
state that prod keeps these, so platform.yaml may not quietly turn them off."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Platform
from .base import Problem, env_path

PROD = "prod"
MIN_PROD_BACKUP_DAYS = 7


def safety_rules(platform: Platform) -> Iterator[Problem]:
    env = platform.environments.get(PROD)  # type: ignore[call-overload]
    if env is None:
        return
    db = env.database
    if not db.deletion_protection:
        yield Problem(env_path(PROD, "database", "deletion_protection"),
                      "prod's database must keep deletion protection (cdk-nag's acknowledgement says it does); "
                      "set it to true: to delete the database, turn it off in the console first")
    if db.backup_retention_days < MIN_PROD_BACKUP_DAYS:
        yield Problem(env_path(PROD, "database", "backup_retention_days"),
                      f"{db.backup_retention_days} days is too short for prod; keep at least {MIN_PROD_BACKUP_DAYS}")
    if not db.multi_az:
        yield Problem(env_path(PROD, "database", "multi_az"),
                      "prod's database must be Multi-AZ (cdk-nag's acknowledgement says it is); set it to true")
