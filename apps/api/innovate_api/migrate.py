"""Schema migrations with Alembic: ``python -m innovate_api.migrate [upgrade|downgrade|current] [rev]``.

Runs against the database the API itself uses (DATABASE_URL or DB_* with IAM auth).
Concurrent runs (several pods starting at once) serialise on a PostgreSQL advisory lock.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def register_cli(app: Flask) -> None:
    @app.cli.command("db-upgrade")
    @click.argument("revision", default="head")
    def db_upgrade(revision: str) -> None:
        """Apply schema migrations up to REVISION (default head)."""
        from .db import engine_of

        upgrade(engine_of(current_app), revision)


def main(argv: list[str] | None = None) -> int:
    from .config import ConfigError, load_settings
    from .db import build_engine

    parser = argparse.ArgumentParser(prog="python -m innovate_api.migrate", description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", default="upgrade", choices=("upgrade", "downgrade", "current"))
    parser.add_argument("revision", nargs="?", default=None)
    args = parser.parse_args(argv)
    try:
        engine = build_engine(load_settings())
    except ConfigError as error:
        print(f"innovate-api migrate: {error}", file=sys.stderr)
        return 2
    try:
        if args.action == "upgrade":
            upgrade(engine, args.revision or "head")
        elif args.action == "downgrade":
            if args.revision is None:
                parser.error("downgrade needs a revision, e.g. -1 or base")
            downgrade(engine, args.revision)
        else:
            command.current(alembic_config(engine))
    except Exception as error:  # one line, not a traceback: most often the database is unreachable
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"innovate-api migrate: {args.action} failed: {first_line}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
