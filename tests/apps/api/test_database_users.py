"""The two database users on a real PostgreSQL 15, set up by apps/api/sql/database-users.sql as a
non-superuser master (standing in for RDS's innovate_admin): `migrator` runs the migrations (DDL),
`api` serves (DML only) and cannot change the schema."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine

from innovate_api import create_app
from innovate_api.db import dispose
from innovate_api.migrate import upgrade

SCRIPT = Path(__file__).resolve().parents[3] / "apps" / "api" / "sql" / "database-users.sql"


def url(postgres, user: str, database: str) -> str:
    return f"postgresql+psycopg://{user}@{postgres.host}:{postgres.port}/{database}"


def run_script(postgres, database: str) -> None:
    result = subprocess.run(
        [str(postgres.bin_dir / "psql"), "-v", "ON_ERROR_STOP=1", "-q", "-f", str(SCRIPT),
         f"host={postgres.host} port={postgres.port} dbname={database} user=innovate_admin"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def rds_like(postgres):
    """A database owned by a CREATEROLE, CREATEDB master (no superuser), as on RDS."""
    database = f"users_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.libpq_url, autocommit=True) as admin:
        for role, options in (("rds_iam", "NOLOGIN"), ("innovate_admin", "LOGIN CREATEROLE CREATEDB")):
            if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f"CREATE ROLE {role} {options}")
    with psycopg.connect(postgres.libpq_url.rsplit("/", 1)[0] + "/postgres", user="innovate_admin", autocommit=True) as master:
        master.execute(f"CREATE DATABASE {database}")
    return database


def denied(postgres, user: str, database: str, statement: str) -> str:
    with psycopg.connect(url(postgres, user, database).replace("+psycopg", ""), autocommit=True) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as raised:
            connection.execute(statement)
    return str(raised.value)


def test_migrator_owns_the_schema_and_api_can_only_read_and_write_rows(postgres, rds_like):
    run_script(postgres, rds_like)
    run_script(postgres, rds_like)  # safe to run again
    migrator = create_engine(url(postgres, "migrator", rds_like))
    upgrade(migrator)
    migrator.dispose()

    app = create_app({"DATABASE_URL": url(postgres, "api", rds_like), "AUTH_LOCAL_DEV": "true"})
    try:
        client = app.test_client()
        project = client.post("/api/v1/projects", json={"name": "as api"})
        assert project.status_code == 201, project.get_json()
        items = f"/api/v1/projects/{project.get_json()['id']}/items"
        assert client.post(items, json={"title": "row"}).status_code == 201
        assert client.patch(f"/api/v1/projects/{project.get_json()['id']}", json={"name": "renamed"}).status_code == 200
        assert client.delete(f"/api/v1/projects/{project.get_json()['id']}").status_code == 204
    finally:
        dispose(app)

    assert "permission denied for schema public" in denied(postgres, "api", rds_like, "CREATE TABLE sneaky (id int)")
    assert "must be owner" in denied(postgres, "api", rds_like, "ALTER TABLE projects ADD COLUMN x int")
    assert "must be owner" in denied(postgres, "api", rds_like, "DROP TABLE items")
    assert "permission denied" in denied(postgres, "api", rds_like, "TRUNCATE projects")


def test_api_can_no_longer_run_migrations(postgres, rds_like):
    run_script(postgres, rds_like)
    engine = create_engine(url(postgres, "api", rds_like))
    try:
        with pytest.raises(Exception, match="permission denied for schema public"):
            upgrade(engine)
    finally:
        engine.dispose()


def test_a_schema_the_old_init_containers_built_as_api_is_handed_to_migrator(postgres, rds_like):
    with psycopg.connect(postgres.libpq_url.rsplit("/", 1)[0] + f"/{rds_like}", user="innovate_admin",
                         autocommit=True) as master:
        if not master.execute("SELECT 1 FROM pg_roles WHERE rolname = 'api'").fetchone():
            master.execute("CREATE ROLE api LOGIN")
        master.execute("GRANT api TO innovate_admin")
        master.execute(f"ALTER DATABASE {rds_like} OWNER TO api")
    old = create_engine(url(postgres, "api", rds_like))
    upgrade(old)  # what every API pod's init container used to do
    old.dispose()
    run_script(postgres, rds_like)
    with psycopg.connect(postgres.libpq_url.rsplit("/", 1)[0] + f"/{rds_like}", autocommit=True) as admin:
        owners = dict(admin.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall())
    assert owners == {"projects": "migrator", "items": "migrator", "alembic_version": "migrator"}
    assert "must be owner" in denied(postgres, "api", rds_like, "DROP TABLE items")
