"""Fixtures for the API tests: a real PostgreSQL per xdist worker, migrated once, emptied per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
API_DIR = REPO_ROOT / "apps" / "api"
for path in (str(API_DIR), str(REPO_ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

from sqlalchemy import create_engine, text  # noqa: E402

from innovate_api import create_app  # noqa: E402
from innovate_api.migrate import upgrade  # noqa: E402
from tests.support.postgres import running_postgres  # noqa: E402

ALLOWED_ORIGIN = "http://localhost:5173"
BUCKET = "innovate-attachments"


@pytest.fixture(scope="session")
def postgres():
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def migrated_postgres(postgres):
    engine = create_engine(postgres.url)
    upgrade(engine)
    engine.dispose()
    return postgres


def api_env(postgres, **overrides: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": postgres.url,
        "S3_BUCKET": BUCKET,
        "AWS_REGION": "eu-west-1",
        "CORS_ALLOWED_ORIGINS": f"{ALLOWED_ORIGIN},https://app.innovate.example",
        "AUTH_LOCAL_DEV": "true",  # identity at the edge is tested in test_identity.py
    }
    env.update(overrides)
    return env


@pytest.fixture
def make_app(migrated_postgres):
    """Build an app on the test database with some settings overridden; disposed after the test."""
    apps = []

    def build(**overrides: str):
        app = create_app(api_env(migrated_postgres, **overrides))
        apps.append(app)
        return app

    yield build
    from innovate_api.db import dispose

    for app in apps:
        dispose(app)


@pytest.fixture
def bucket():
    return BUCKET


@pytest.fixture
def app(migrated_postgres):
    app = create_app(api_env(migrated_postgres))
    yield app
    from innovate_api.db import dispose, engine_of

    with engine_of(app).begin() as connection:
        connection.execute(text("TRUNCATE items, projects RESTART IDENTITY CASCADE"))
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def project(client):
    response = client.post("/api/v1/projects", json={"name": "checkout", "description": "the checkout service"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()
