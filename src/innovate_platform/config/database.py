"""environments.<env>.database: the RDS PostgreSQL instance."""

from __future__ import annotations

from pydantic import Field, model_validator

from .model_base import Model


class Database(Model):
    """The environment's RDS PostgreSQL instance."""

    engine_version: str = Field(pattern=r"^\d+\.\d+$")
    instance_class: str = Field(pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$")
    allocated_storage_gib: int = Field(ge=20, le=65536)
    max_allocated_storage_gib: int = Field(ge=20, le=65536)
    multi_az: bool
    backup_retention_days: int = Field(ge=1, le=35)
    deletion_protection: bool
    performance_insights: bool
    database_name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    iam_user: str = Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")
    # The schema owner the release's migration Job logs in as (DDL); iam_user serves (DML only).
    migrator_user: str = Field(default="migrator", pattern=r"^[a-z][a-z0-9_]{0,62}$")

    @model_validator(mode="after")
    def _storage_growth(self) -> Database:
        if self.max_allocated_storage_gib < self.allocated_storage_gib:
            raise ValueError("max_allocated_storage_gib must be >= allocated_storage_gib")
        return self
