"""A database outage under load, through the real gunicorn: the pods stay ready, requests that need
the database get a quick 503 with Retry-After (never a 500, never a hang), and service resumes by
itself within seconds of PostgreSQL's return. This is what keeps the ALB from draining every target
during an RDS Multi-AZ failover."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass

import psycopg
import pytest

from tests.apps.api.test_gunicorn import Gunicorn

OUTAGE_SECONDS = 4
RECOVERY_BOUND_SECONDS = 5  # service is back this soon after PostgreSQL accepts connections again
REQUEST_TIMEOUT = 10  # client side; the API must answer well within it
ANSWER_BOUND_SECONDS = 8  # DB_CONNECT_TIMEOUT (2) + pool/statement bounds: no request hangs past this


@dataclass
class Sample:
    path: str
    started: float
    seconds: float
    status: int | None
    code: str | None
    retry_after: str | None
    failure: str | None = None


def one_request(port: int, path: str) -> Sample:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read()
        code = json.loads(body).get("error", {}).get("code") if response.status >= 400 else None
        return Sample(path, started, time.monotonic() - started, response.status, code,
                      response.getheader("Retry-After"))
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Sample(path, started, time.monotonic() - started, None, None, None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


class Load:
    """Threads requesting ``paths`` round-robin until stopped; every answer is kept."""

    def __init__(self, port: int, paths: list[str], threads: int):
        self.port, self.paths, self.samples = port, paths, []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, index: int) -> None:
        turn = index
        while not self.stopping.is_set():
            sample = one_request(self.port, self.paths[turn % len(self.paths)])
            turn += 1
            with self.lock:
                self.samples.append(sample)
            time.sleep(0.02)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)


@pytest.fixture
def server(migrated_postgres, tmp_path):
    running = Gunicorn(migrated_postgres, tmp_path)
    yield running
    running.stop()
    if not migrated_postgres.running:
        migrated_postgres.start()
    with psycopg.connect(migrated_postgres.libpq_url, autocommit=True) as admin:
        admin.execute("TRUNCATE items, projects RESTART IDENTITY CASCADE")


def test_stopping_postgresql_under_load_keeps_the_pods_ready_and_recovers_within_seconds(server, migrated_postgres):
    status, body = server.request("POST", "/api/v1/projects", {"name": "failover"})
    assert status == 201
    project = f"/api/v1/projects/{json.loads(body)['id']}"
    database_paths = [project, "/api/v1/projects", f"{project}/items"]
    with Load(server.port, database_paths, threads=4) as db_load, \
            Load(server.port, ["/healthz", "/readyz"], threads=1) as probes:
        time.sleep(1.5)
        down = time.monotonic()
        migrated_postgres.stop()
        time.sleep(OUTAGE_SECONDS)
        migrated_postgres.start()
        back = time.monotonic()
        time.sleep(RECOVERY_BOUND_SECONDS + 2)

    failures = [s for s in db_load.samples + probes.samples if s.failure]
    assert not failures, failures[:5]
    assert probes.samples and {s.status for s in probes.samples} == {200}, "a probe failed during the outage"

    statuses = {s.status for s in db_load.samples}
    assert statuses <= {200, 503}, f"only 200 or 503, got {statuses}"
    slow = [s for s in db_load.samples if s.seconds > ANSWER_BOUND_SECONDS]
    assert not slow, f"requests hung: {slow[:3]}"
    unavailable = [s for s in db_load.samples if s.status == 503]
    assert unavailable, "the outage was never observed"
    assert all(s.code == "database_unavailable" and s.retry_after == "5" for s in unavailable), unavailable[:3]
    assert all(down - 0.5 <= s.started <= back + RECOVERY_BOUND_SECONDS for s in unavailable), \
        "a 503 outside the outage (or too long after PostgreSQL returned)"
    after = [s for s in db_load.samples if s.started > back + RECOVERY_BOUND_SECONDS]
    assert after and all(s.status == 200 for s in after), "service did not resume by itself"
    first_ok = min(s.started + s.seconds for s in db_load.samples if s.status == 200 and s.started > back)
    print(f"failover: {len(db_load.samples)} API requests, {len(unavailable)} answered 503; "
          f"service back {first_ok - back:.2f} s after PostgreSQL")
