"""Alembic migrations run for real: the CLI builds the schema the models expect, and can undo it."""

import os
import subprocess
import sys
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from innovate_api.migrate import downgrade, upgrade
from innovate_api.models import Base
from tests.support.postgres import free_port

API_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "apps", "api")


def migrate(*args, database_url):
    return subprocess.run(
        [sys.executable, "-m", "innovate_api.migrate", *args],
        cwd=API_DIR, env={"PATH": os.environ["PATH"], "DATABASE_URL": database_url},
        capture_output=True, text=True, timeout=60,
    )


def fresh_database(postgres) -> str:
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    postgres.create_database(name)
    return postgres.url.rsplit("/", 1)[0] + f"/{name}"


def test_upgrade_builds_exactly_the_models_schema_and_downgrade_removes_it(postgres):
    url = fresh_database(postgres)
    result = migrate("upgrade", database_url=url)
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    try:
        assert {"projects", "items", "alembic_version"} <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []

        upgrade(engine)  # idempotent
        downgrade(engine, "base")
        assert not {"projects", "items"} & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert {"projects", "items"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_flask_cli_db_upgrade(postgres):
    url = fresh_database(postgres)
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "flask"), "--app", "innovate_api", "db-upgrade"],
        cwd=API_DIR, env={"PATH": os.environ["PATH"], "DATABASE_URL": url}, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    try:
        assert "projects" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_unreachable_database_is_one_line_not_a_traceback():
    result = migrate("upgrade", database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/innovate")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("innovate-api migrate: upgrade failed:"), result.stderr
    assert "Connection refused" in lines[0] or "connection failed" in lines[0]


def test_bad_configuration_is_one_line():
    result = migrate(database_url="")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "innovate-api migrate: invalid configuration: DATABASE_URL: set DATABASE_URL, or DB_HOST, DB_NAME and DB_USER"
    )


def test_backoff_is_exponential_capped_and_bounded_by_the_wait():
    from innovate_api.migrate import backoff_delays

    assert backoff_delays(0) == []
    assert backoff_delays(180) == [1, 2, 4, 8, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15]
    assert sum(backoff_delays(180)) <= 180 and max(backoff_delays(3600)) == 15


def test_migration_waits_for_a_database_that_comes_back(tmp_path):
    import time

    from tests.support.postgres import running_postgres

    with running_postgres() as server:
        server.stop()
        process = subprocess.Popen(
            [sys.executable, "-m", "innovate_api.migrate", "upgrade"], cwd=API_DIR,
            env={"PATH": os.environ["PATH"], "DATABASE_URL": server.url, "MIGRATE_WAIT_SECONDS": "60"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        first = process.stderr.readline()  # blocks until the first failed attempt is reported
        assert "database unreachable" in first and "retrying in 1 s" in first, first
        time.sleep(2)
        server.start()
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        engine = create_engine(server.url)
        try:
            assert "projects" in inspect(engine).get_table_names()
        finally:
            engine.dispose()


def test_migration_gives_up_after_the_wait_with_one_line():
    import time

    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "innovate_api.migrate", "upgrade"], cwd=API_DIR,
        env={"PATH": os.environ["PATH"], "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/innovate",
             "MIGRATE_WAIT_SECONDS": "3"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert time.monotonic() - started < 15
    lines = result.stderr.strip().splitlines()
    assert [line.split("(")[0] for line in lines[:2]] == ["innovate-api migrate: database unreachable "] * 2
    assert lines[-1].startswith("innovate-api migrate: upgrade failed:")
