"""/healthz and /readyz need no database (readiness is the process); /readyz is 503 once the process stops."""

import time

from innovate_api.lifecycle import shutting_down
from tests.support.postgres import free_port


def test_healthz_needs_no_database(make_app):
    app = make_app(DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/innovate")
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_is_200_with_the_database_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ready"}


def test_readiness_ignores_the_database_and_requests_get_a_quick_503_with_retry_after(make_app):
    app = make_app(DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/innovate")
    client = app.test_client()
    assert client.get("/readyz").status_code == 200  # the process can serve; the database is per request
    started = time.monotonic()
    response = client.get("/api/v1/projects")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == "5"
    assert time.monotonic() - started < 3


def test_the_pool_recovers_by_itself_after_the_database_comes_back(client, project, postgres):
    assert client.get(f"/api/v1/projects/{project['id']}").status_code == 200  # the pool holds a connection
    postgres.stop()
    try:
        assert client.get("/readyz").status_code == 200
        response = client.get(f"/api/v1/projects/{project['id']}")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert "Retry-After" in response.headers
    finally:
        postgres.start()
    assert client.get(f"/api/v1/projects/{project['id']}").status_code == 200


def test_readyz_is_503_once_shutdown_begins(client):
    shutting_down.set()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "shutting_down"
        assert client.get("/healthz").status_code == 200
    finally:
        shutting_down.clear()
