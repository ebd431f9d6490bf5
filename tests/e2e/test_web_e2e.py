"""Browser end to end: the built web app in headless Chromium against the real API, gunicorn
and PostgreSQL, all on loopback. The browser creates, fills and renames a project; the test then
checks the API and the database hold what the user did."""

from __future__ import annotations

import json
import os
import shutil
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
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
WEB_DIR = REPO / "apps" / "web"
API_DIR = REPO / "apps" / "api"
SCRIPT = Path(__file__).with_name("create_project.mjs")
SCREENSHOTS = REPO / "test-output" / "e2e"
SCREENSHOT = SCREENSHOTS / "projects.png"
DETAIL_SCREENSHOT = SCREENSHOTS / "project-detail.png"
CHROMIUM = "/usr/bin/chromium"

sys.path.insert(0, str(REPO))
from tests.support.postgres import free_port, running_postgres  # noqa: E402


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
def running_api(database_url: str, port: int, web_origin: str, log: Path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AUTH_LOCAL_DEV": "true",
        "CORS_ALLOWED_ORIGINS": web_origin,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
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


def api_get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def built_web(tmp_path_factory):
    vite = WEB_DIR / "node_modules" / ".bin" / "vite"
    if not vite.exists():
        pytest.fail("apps/web/node_modules is missing: run scripts/setup.sh (npm ci in apps/web)")
    dist = tmp_path_factory.mktemp("web") / "dist"
    result = subprocess.run(
        [str(vite), "build", "--outDir", str(dist), "--emptyOutDir", "--logLevel", "error"],
        cwd=WEB_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dist


def test_user_creates_fills_and_renames_a_project_in_the_browser(built_web, tmp_path):
    assert Path(CHROMIUM).exists(), "Chromium is missing: scripts/setup.sh installs Debian's chromium"
    node = shutil.which("node")
    assert node, "node is not on PATH"
    api_port = free_port()
    with running_postgres() as pg:
        with serving_web(built_web, f"http://127.0.0.1:{api_port}") as web_url:
            with running_api(pg.url, api_port, web_url, tmp_path / "api.log") as api_url:
                for old in (SCREENSHOT, DETAIL_SCREENSHOT):
                    old.unlink(missing_ok=True)
                started = time.monotonic()
                run = subprocess.run(
                    [node, str(SCRIPT)],
                    env={
                        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                        "HOME": str(tmp_path),
                        "WEB_URL": f"{web_url}/",
                        "PROJECT_NAME": "Launch website",
                        "RENAMED_NAME": "Launch website v2",
                        "SCREENSHOT": str(SCREENSHOT),
                        "DETAIL_SCREENSHOT": str(DETAIL_SCREENSHOT),
                        "CHROMIUM": CHROMIUM,
                    },
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                browser_seconds = time.monotonic() - started
                assert run.stdout.strip(), run.stderr[-3000:]
                seen = json.loads(run.stdout.strip().splitlines()[-1])
                assert run.returncode == 0 and seen["ok"], f"{seen.get('error')}\n{seen}\n{(tmp_path / 'api.log').read_text()[-2000:]}"

                # What the user saw.
                assert seen["apiBaseUrl"] == api_url
                assert seen["itemChecked"] is True
                assert seen["listedNames"] == ["Launch website v2"]
                assert seen["pager"].split() == ["Previous", "1–1", "of", "1", "Next"]
                assert 'a project named "Launch website v2" already exists' in seen["duplicateError"]
                assert "(field: name)" in seen["duplicateError"]
                assert seen["duplicateNameInvalid"] == "true"
                # The only console error allowed is Chromium logging the refused duplicate (409).
                assert [m for m in seen["consoleErrors"] if "409" not in m] == [], seen["consoleErrors"]
                assert seen["failedRequests"] == []
                assert SCREENSHOT.stat().st_size > 10_000
                assert DETAIL_SCREENSHOT.stat().st_size > 10_000
                assert browser_seconds < 30, seen["steps"]

                # What the API holds.
                projects = api_get(f"{api_url}/api/v1/projects")
                assert projects["total"] == 1
                [project] = projects["items"]
                assert project["name"] == "Launch website v2"
                assert project["description"] == "Public launch, second pass"
                items = api_get(f"{api_url}/api/v1/projects/{project['id']}/items")
                assert [(i["title"], i["done"]) for i in items["items"]] == [("Write the launch plan", True)]

        # What the database holds, read directly.
        engine = create_engine(pg.url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT p.name, i.title, i.done FROM projects p JOIN items i ON i.project_id = p.id")
                ).all()
        finally:
            engine.dispose()
        assert [tuple(r) for r in rows] == [("Launch website v2", "Write the launch plan", True)]
