"""The real server: gunicorn with gunicorn.conf.py on loopback, against the real PostgreSQL."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.postgres import free_port

API_DIR = Path(__file__).resolve().parents[3] / "apps" / "api"
GUNICORN = Path(sys.executable).parent / "gunicorn"


class Gunicorn:
    """gunicorn started from apps/api/gunicorn.conf.py, with its JSON output collected."""

    def __init__(self, postgres, tmp_path, *args: str):
        self.port = free_port()
        self.output = tmp_path / "gunicorn.log"
        env = {
            "PATH": os.environ["PATH"],
            "DATABASE_URL": postgres.url,
            "AUTH_LOCAL_DEV": "true",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "GRACEFUL_TIMEOUT": "10",
            "WEB_CONCURRENCY": "2",
        }
        with self.output.open("w") as out:
            self.process = subprocess.Popen(
                [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}", *args],
                cwd=API_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise AssertionError(f"gunicorn did not answer:\n{self.output.read_text()}")

    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 15):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Connection": "close"}
            payload = None
            if body is not None:
                payload, headers["Content-Type"] = json.dumps(body), "application/json"
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.output.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_gunicorn(migrated_postgres, tmp_path):
    servers = []

    def start(*args: str) -> Gunicorn:
        servers.append(Gunicorn(migrated_postgres, tmp_path, *args))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
    with psycopg.connect(migrated_postgres.libpq_url, autocommit=True) as admin:
        admin.execute("TRUNCATE items, projects RESTART IDENTITY CASCADE")


class TableLock:
    """Holds an exclusive lock on ``projects`` so API requests touching it wait: a slow request."""

    def __init__(self, postgres):
        self.connection = psycopg.connect(postgres.libpq_url)
        self.connection.execute("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE")

    def wait_for_blocked_request(self, timeout: float = 10) -> None:
        with psycopg.connect(self.connection.info.dsn, autocommit=True) as probe:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                waiting = probe.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'innovate-api' AND wait_event_type = 'Lock'"
                ).fetchone()[0]
                if waiting:
                    return
                time.sleep(0.05)
        raise AssertionError("no API request ever waited on the lock")

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def in_background(fn):
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", fn()))
    thread.start()
    return thread, result


def test_sigterm_lets_the_in_flight_request_finish_then_exits_0(start_gunicorn, migrated_postgres):
    server = start_gunicorn()
    status, body = server.request("POST", "/api/v1/projects", {"name": "graceful"})
    assert status == 201
    probe = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)  # a kept-alive connection
    probe.request("GET", "/readyz")
    response = probe.getresponse()
    assert response.status == 200 and response.read()
    lock = TableLock(migrated_postgres)
    try:
        thread, result = in_background(lambda: server.request("GET", "/api/v1/projects"))
        lock.wait_for_blocked_request()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        probe.request("GET", "/readyz")  # still served while draining: readiness now says "take me out"
        response = probe.getresponse()
        assert response.status == 503
        assert json.loads(response.read())["error"]["code"] == "shutting_down"
        time.sleep(0.7)
        assert server.process.poll() is None, "gunicorn quit while a request was still in flight"
    finally:
        probe.close()
        lock.release()
    thread.join(timeout=15)
    status, body = result["value"]
    assert status == 200 and json.loads(body)["items"][0]["name"] == "graceful"
    assert server.process.wait(timeout=15) == 0

    lines = server.log_lines()  # every line gunicorn and the app wrote is one JSON object
    access = [line for line in lines if line.get("path") == "/api/v1/projects" and line.get("method") == "GET"]
    assert access and access[0]["status"] == 200 and access[0]["duration_ms"] >= 900
    assert any(line["msg"] == "innovate-api stopped" for line in lines)


def test_metrics_add_up_across_workers(start_gunicorn, migrated_postgres):
    # Sync workers: while one is stuck in the slow request, the other must serve everything else.
    server = start_gunicorn("--worker-class", "sync", "--threads", "1")
    lock = TableLock(migrated_postgres)
    try:
        thread, result = in_background(lambda: server.request("GET", "/api/v1/projects"))
        lock.wait_for_blocked_request()
        for _ in range(5):
            assert server.request("GET", "/healthz")[0] == 200
    finally:
        lock.release()
    thread.join(timeout=15)
    assert result["value"][0] == 200

    status, body = server.request("GET", "/metrics")
    assert status == 200
    totals = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "http_requests_total":
                key = (sample.labels["route"], sample.labels["status"])
                totals[key] = totals.get(key, 0) + sample.value
    assert totals[("/api/v1/projects", "200")] == 1
    assert totals[("/healthz", "200")] >= 6  # the 5 above plus the start-up probe(s)
    pids = {line["pid"] for line in server.log_lines() if line.get("path") in ("/healthz", "/api/v1/projects")}
    assert len(pids) == 2, "the requests should have been served by both workers"


def test_oversized_body_gets_413_json_and_the_keep_alive_connection_survives(start_gunicorn):
    # A load balancer reuses connections: a refused body must not make the next request fail.
    server = start_gunicorn()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        body = json.dumps({"name": "big", "description": "d" * 200_000})
        connection.request("POST", "/api/v1/projects", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["error"]["code"] == "payload_too_large"
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert response.status == 200 and json.loads(response.read()) == {"status": "ok"}
    finally:
        connection.close()


def test_worker_exit_hook_closes_the_workers_database_connections(app):
    import importlib.util
    from types import SimpleNamespace

    from sqlalchemy import text

    from innovate_api.db import engine_of

    spec = importlib.util.spec_from_file_location("gunicorn_conf", API_DIR / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    engine = engine_of(app)
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert engine.pool.checkedin() == 1
    conf.worker_exit(server=None, worker=SimpleNamespace(wsgi=app))
    assert engine.pool.checkedin() == 0
    query = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    deadline = time.monotonic() + 5
    # The backend we had goes away in PostgreSQL too. pg_stat_activity is a snapshot taken once
    # per transaction, so each poll runs in a transaction of its own.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while connection.execute(query, {"pid": backend}).scalar_one() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert connection.execute(query, {"pid": backend}).scalar_one() == 0
