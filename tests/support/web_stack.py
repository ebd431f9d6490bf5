"""Serving the stack on loopback for browser and edge tests: the built web app (like the nginx
image, with a runtime /config.js) and the API under gunicorn, migrated, with its settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
API_DIR = REPO / "apps" / "api"


class SpaHandler(SimpleHTTPRequestHandler):
    """Serves the built app like the nginx image: runtime /config.js, index.html for app routes."""

    config_js = b""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path == "/config.js":
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(self.config_js)))
            self.end_headers()
            self.wfile.write(self.config_js)
            return
        if "." not in path.rsplit("/", 1)[-1]:
            self.path = "/index.html"
        super().do_GET()

    def log_message(self, *args):  # keep pytest output clean
        pass


@contextmanager
def serving_web(dist: Path, api_base_url: str):
    config_js = f"window.__INNOVATE_CONFIG__ = {{ apiBaseUrl: {json.dumps(api_base_url)} }};\n"
    handler = type("ConfiguredSpaHandler", (SpaHandler,), {"config_js": config_js.encode()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(dist)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def wait_until_ready(url: str, proc: subprocess.Popen, log: Path, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the API exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # a busy machine: keep waiting
            pass
        time.sleep(0.1)
    pytest.fail(f"the API was not ready at {url} within {seconds}s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_api(database_url: str, port: int, web_origin: str | None, log: Path, auth: dict[str, str] | None = None):
    """gunicorn serving the API on 127.0.0.1:``port``, migrated first.

    ``auth`` None: local development (everyone is one user) with CORS for ``web_origin``;
    otherwise the AUTH_* settings, e.g. AUTH_ALB_ARN and AUTH_PUBLIC_KEYS_URL of an ALB stand-in.
    """
    auth_env = {"AUTH_LOCAL_DEV": "true"} if auth is None else {"AUTH_LOCAL_DEV": "false", **auth}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        **auth_env,
        **({"CORS_ALLOWED_ORIGINS": web_origin} if web_origin else {}),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("KUBERNETES_SERVICE_HOST", None)  # a CI runner pod: the API refuses AUTH_LOCAL_DEV in Kubernetes
    migrate = subprocess.run(
        [sys.executable, "-m", "innovate_api.migrate", "upgrade"], cwd=API_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert migrate.returncode == 0, migrate.stderr
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(API_DIR / "gunicorn.conf.py")],
            cwd=API_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(f"{base}/readyz", proc, log)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
