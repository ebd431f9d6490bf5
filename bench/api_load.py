"""Load figures for the API: gunicorn + PostgreSQL on loopback, a mixed workload with 10% bad input,
and the same load on a minimal WSGI app (bench/baseline_app.py) under the same gunicorn settings.

    python bench/api_load.py [--requests 5000] [--workers 2] [--threads 4] [--concurrency 16]

Starts a throwaway PostgreSQL (tests/support/postgres.py), migrates it, starts gunicorn with
apps/api/gunicorn.conf.py on 127.0.0.1, seeds projects and items, then sends a fixed number of
requests (bounded also by --time-limit) from keep-alive client threads: list/read/create/update
projects and items, plus malformed requests (bad JSON, wrong types, unknown fields, oversized
bodies, wrong content type, bad query parameters). Prints requests/s (total, per worker and per
server CPU-second), latency percentiles, status counts, 5xx (target 0) and whether every
malformed request got a 4xx. Loopback only; the client shares the machine's cores with the server.

Then, in the same run and on the same pinned CPU, the same requests go to bench/baseline_app.py
served by the same gunicorn.conf.py; the API's requests per server CPU-second are also printed as
a ratio to the baseline's, which says what the API costs independent of how fast the machine is.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
API_DIR = REPO_ROOT / "apps" / "api"
sys.path[:0] = [str(API_DIR), str(REPO_ROOT)]

from sqlalchemy import create_engine  # noqa: E402

from innovate_api.migrate import upgrade  # noqa: E402
from tests.support.postgres import free_port, running_postgres  # noqa: E402

JSON = {"Content-Type": "application/json"}


@dataclass
class Call:
    kind: str
    method: str
    path: str
    body: bytes | None = None
    headers: dict | None = None
    malformed: bool = False


def malformed_calls(rng: random.Random, project_id: int) -> Call:
    projects = "/api/v1/projects"
    options = [
        Call("bad_json", "POST", projects, b'{"name": ', JSON),
        Call("not_object", "POST", projects, b'["name"]', JSON),
        Call("wrong_type", "POST", projects, b'{"name": 42}', JSON),
        Call("unknown_field", "POST", projects, b'{"name": "x", "owner": "me"}', JSON),
        Call("missing_field", "POST", f"{projects}/{project_id}/items", b"{}", JSON),
        Call("too_long", "POST", projects, json.dumps({"name": "n" * 101}).encode(), JSON),
        Call("oversized", "POST", projects, json.dumps({"name": "big", "description": "d" * 70_000}).encode(), JSON),
        Call("wrong_content_type", "POST", projects, b"name=x", {"Content-Type": "application/x-www-form-urlencoded"}),
        Call("bad_limit", "GET", f"{projects}?limit=1000"),
        Call("bad_id", "GET", f"{projects}/not-a-number"),
    ]
    call = rng.choice(options)
    call.malformed = True
    return call


def workload(count: int, malformed_ratio: float, project_ids: list[int], item_ids: dict[int, list[int]], seed: int):
    rng = random.Random(seed)
    for n in range(count):
        project_id = rng.choice(project_ids)
        if rng.random() < malformed_ratio:
            yield malformed_calls(rng, project_id)
            continue
        roll = rng.random()
        base = f"/api/v1/projects/{project_id}"
        if roll < 0.40:
            yield Call("list_projects", "GET", f"/api/v1/projects?limit=20&offset={rng.randrange(0, 40)}")
        elif roll < 0.60:
            yield Call("read_project", "GET", base)
        elif roll < 0.75:
            yield Call("list_items", "GET", f"{base}/items?limit=20")
        elif roll < 0.87:
            yield Call("create_item", "POST", f"{base}/items", json.dumps({"title": f"load {n}"}).encode(), JSON)
        elif roll < 0.95:
            item_id = rng.choice(item_ids[project_id])
            yield Call("update_item", "PATCH", f"{base}/items/{item_id}", b'{"done": true}', JSON)
        else:
            yield Call("create_project", "POST", "/api/v1/projects", json.dumps({"name": f"load-{seed}-{n}"}).encode(), JSON)


class Gunicorn:
    def __init__(self, database_url: str, workers: int, threads: int, workdir: Path, cpus: list[int] | None,
                 app: str | None = None):
        self.port = free_port()
        self.log = workdir / f"gunicorn-{'baseline' if app else 'api'}.log"
        env = {
            "PATH": os.environ["PATH"], "DATABASE_URL": database_url, "WEB_CONCURRENCY": str(workers),
            "AUTH_LOCAL_DEV": "true",  # no ALB in front: everyone is the local developer
            "GUNICORN_THREADS": str(threads), "DB_POOL_SIZE": str(threads),
            "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
        }
        gunicorn = Path(sys.executable).parent / "gunicorn"
        pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
        if app:  # the baseline: same settings file, another WSGI app (found on PYTHONPATH)
            env["PYTHONPATH"] = str(REPO_ROOT / "bench")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(gunicorn), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{self.port}", *([app] if app else [])],
                cwd=API_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pin,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(self.worker_pids()) == workers and self._healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"api_load: gunicorn did not start, see {self.log}")

    def _healthy(self) -> bool:
        try:
            return request(self.connect(), Call("health", "GET", "/healthz"))[0] == 200
        except OSError:
            return False

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def cpu_seconds(self) -> float:
        """User + system CPU time of the master and its workers so far."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def request(connection: http.client.HTTPConnection, call: Call) -> tuple[int, float]:
    started = time.perf_counter()
    connection.request(call.method, call.path, body=call.body, headers=call.headers or {})
    response = connection.getresponse()
    response.read()
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status, time.perf_counter() - started


def seed_data(server: Gunicorn, projects: int, items_per_project: int):
    connection = server.connect()
    project_ids, item_ids = [], {}
    for p in range(projects):
        body = json.dumps({"name": f"seed-{p}", "description": "benchmark seed"}).encode()
        connection.request("POST", "/api/v1/projects", body=body, headers=JSON)
        project_id = json.loads(connection.getresponse().read())["id"]
        project_ids.append(project_id)
        item_ids[project_id] = []
        for i in range(items_per_project):
            connection.request("POST", f"/api/v1/projects/{project_id}/items",
                               body=json.dumps({"title": f"seed {i}"}).encode(), headers=JSON)
            item_ids[project_id].append(json.loads(connection.getresponse().read())["id"])
    connection.close()
    return project_ids, item_ids


def drive(server: Gunicorn, calls, concurrency: int, time_limit: float):
    lock = threading.Lock()
    results: list[tuple[Call, int, float]] = []
    errors = Counter()
    deadline = time.monotonic() + time_limit

    def client():
        connection = server.connect()
        while time.monotonic() < deadline:
            with lock:
                call = next(calls, None)
            if call is None:
                break
            try:
                status, seconds = request(connection, call)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = server.connect()
                with lock:
                    errors[type(error).__name__] += 1
                continue
            with lock:
                results.append((call, status, seconds))
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (GUNICORN_THREADS)")
    parser.add_argument("--concurrency", type=int, default=16, help="client connections")
    parser.add_argument("--malformed", type=float, default=0.10, help="share of malformed requests")
    parser.add_argument("--time-limit", type=float, default=180.0, help="stop sending after this many seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--server-cpus", type=int, default=1,
        help="pin gunicorn to this many cores (like a pod's CPU limit) and the client to the others; 0 = no pinning",
    )
    args = parser.parse_args(argv)
    available = sorted(os.sched_getaffinity(0))
    server_cpus = None
    if args.server_cpus and len(available) > args.server_cpus:
        server_cpus = available[-args.server_cpus:]
        os.sched_setaffinity(0, available[: -args.server_cpus])  # the client (and PostgreSQL) elsewhere
    if not 1 <= args.requests <= 200_000 or not 1 <= args.concurrency <= 256:
        parser.error("--requests must be 1..200000 and --concurrency 1..256")

    with running_postgres() as postgres, tempfile.TemporaryDirectory(prefix="api-load-") as workdir:
        engine = create_engine(postgres.url)
        upgrade(engine)
        engine.dispose()
        server = Gunicorn(postgres.url, args.workers, args.threads, Path(workdir), server_cpus)
        try:
            project_ids, item_ids = seed_data(server, projects=20, items_per_project=5)
            calls = workload(args.requests, args.malformed, project_ids, item_ids, args.seed)
            cpu_before = server.cpu_seconds()
            results, errors, elapsed = drive(server, calls, args.concurrency, args.time_limit)
            server_cpu = server.cpu_seconds() - cpu_before
        finally:
            exit_code = server.stop()
        baseline = Gunicorn(postgres.url, args.workers, args.threads, Path(workdir), server_cpus,
                            app="baseline_app:app")
        try:
            calls = workload(args.requests, args.malformed, project_ids, item_ids, args.seed)
            cpu_before = baseline.cpu_seconds()
            base_results, base_errors, base_elapsed = drive(baseline, calls, args.concurrency, args.time_limit)
            base_cpu = baseline.cpu_seconds() - cpu_before
        finally:
            baseline.stop()

    statuses = Counter(status for _, status, _ in results)
    latencies = [seconds * 1000 for _, _, seconds in results]
    valid = [seconds * 1000 for call, _, seconds in results if not call.malformed]
    malformed = [(call, status) for call, status, _ in results if call.malformed]
    malformed_4xx = sum(1 for _, status in malformed if 400 <= status < 500)
    valid_non_2xx = Counter(
        (call.kind, status) for call, status, _ in results if not call.malformed and not 200 <= status < 300
    )
    server_5xx = sum(n for status, n in statuses.items() if status >= 500)
    rps = len(results) / elapsed

    placement = (f"gunicorn pinned to CPU {','.join(map(str, server_cpus))}, client and PostgreSQL on the rest"
                 if server_cpus else f"client and server share {len(available)} CPUs")
    print(f"api_load: {len(results)} requests in {elapsed:.2f} s, {args.workers} gunicorn workers x {args.threads} threads, "
          f"{args.concurrency} client connections, loopback; {placement}")
    print(f"  throughput       {rps:8.1f} req/s total, {rps / args.workers:8.1f} req/s per worker")
    print(f"  server CPU       {server_cpu:8.2f} s -> {len(results) / server_cpu if server_cpu else float('nan'):8.1f} req per server CPU-second")
    print(f"  latency (all)    p50 {percentile(latencies, 50):6.1f} ms   p90 {percentile(latencies, 90):6.1f} ms   "
          f"p99 {percentile(latencies, 99):6.1f} ms")
    print(f"  latency (valid)  p50 {percentile(valid, 50):6.1f} ms   p99 {percentile(valid, 99):6.1f} ms")
    print(f"  statuses         {dict(sorted(statuses.items()))}")
    print(f"  5xx              {server_5xx} (target 0)")
    print(f"  malformed        {len(malformed)} sent, {malformed_4xx} answered 4xx"
          f" ({'all' if malformed_4xx == len(malformed) else 'NOT all'})")
    if valid_non_2xx:
        print(f"  valid non-2xx    {dict(valid_non_2xx)}")
    if errors:
        print(f"  client errors    {dict(errors)}")
    print(f"  gunicorn exit    {exit_code} after SIGTERM")
    api_per_cpu = len(results) / server_cpu if server_cpu else float("nan")
    base_per_cpu = len(base_results) / base_cpu if base_cpu else float("nan")
    base_latencies = [seconds * 1000 for _, _, seconds in base_results]
    print(f"baseline (bench/baseline_app.py, same gunicorn.conf.py, same CPU pinning and client load):")
    print(f"  throughput       {len(base_results) / base_elapsed:8.1f} req/s total; server CPU {base_cpu:.2f} s -> "
          f"{base_per_cpu:8.1f} req per server CPU-second; p50 {percentile(base_latencies, 50):.1f} ms, "
          f"p99 {percentile(base_latencies, 99):.1f} ms")
    print(f"  API / baseline   {api_per_cpu / base_per_cpu:8.3f} of the baseline's requests per CPU-second "
          f"(one API request costs {base_per_cpu / api_per_cpu:.1f}x a bare gunicorn request)")
    ok = not base_errors and server_5xx == 0 and malformed_4xx == len(malformed) and not errors and exit_code == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
