"""Schema migrations with Alembic: ``python -m innovate_api.migrate [upgrade|downgrade|current] [rev]``.

Runs against the database named by the API's settings (DATABASE_URL or DB_* with IAM auth); in a
cluster the release's migration Job sets DB_USER to the `migrator` user, which owns the schema.
Concurrent runs serialise on a PostgreSQL advisory lock. While the database is unreachable (a
failover, a fresh instance) it retries with a bounded exponential back-off for
MIGRATE_WAIT_SECONDS (default 0: fail at once), then fails with one line.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
BACKOFF_CAP_SECONDS = 15.0


def backoff_delays(wait_seconds: float, first: float = 1.0, cap: float = BACKOFF_CAP_SECONDS) -> list[float]:
    """Sleeps between attempts: 1, 2, 4, 8, 15, 15, ... s, adding up to at most ``wait_seconds``."""
    delays, total, delay = [], 0.0, first
    while total + delay <= wait_seconds:
        delays.append(delay)
        total += delay
        delay = min(delay * 2, cap)
    return delays


def with_retries(action, wait_seconds: float, sleep=time.sleep, log=print):
    """Run ``action``; while the database is unreachable, retry after each of backoff_delays."""
    from sqlalchemy.exc import OperationalError

    for delay in [*backoff_delays(wait_seconds), None]:
        try:
            return action()
        except OperationalError as error:
            if delay is None:
                raise
            first_line = str(error.orig or error).strip().splitlines()[0]
            log(f"innovate-api migrate: database unreachable ({first_line}); retrying in {delay:g} s", file=sys.stderr)
            sleep(delay)


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


def _wait_seconds() -> float:
    raw = os.environ.get("MIGRATE_WAIT_SECONDS", "0").strip() or "0"
    if not raw.isdigit() or int(raw) > 3600:
        raise SystemExit(f"innovate-api migrate: MIGRATE_WAIT_SECONDS={raw!r} is not a number of seconds 0..3600")
    return float(raw)


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
            with_retries(lambda: upgrade(engine, args.revision or "head"), _wait_seconds())
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
