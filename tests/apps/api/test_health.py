"""/healthz needs no database; /readyz answers 503 while the database is down or the process stops."""

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


def test_readyz_is_503_quickly_when_nothing_listens(make_app):
    app = make_app(DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/innovate")
    started = time.monotonic()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert time.monotonic() - started < 3


def test_readyz_follows_the_database_going_down_and_coming_back(client, project, postgres):
    assert client.get("/readyz").status_code == 200  # the pool now holds a live connection
    postgres.stop()
    try:
        assert client.get("/readyz").status_code == 503
        response = client.get(f"/api/v1/projects/{project['id']}")
        assert response.status_code == 503
        assert response.get_json()["error"]["code"] == "database_unavailable"
    finally:
        postgres.start()
    assert client.get("/readyz").status_code == 200
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
