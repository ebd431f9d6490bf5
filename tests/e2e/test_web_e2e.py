"""Browser end to end: the built web app in headless Chromium against the real API, gunicorn
and PostgreSQL, all on loopback. The browser creates, fills and renames a project; the test then
checks the API and the database hold what the user did."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("create_project.mjs")
SCREENSHOTS = REPO / "test-output" / "e2e"
SCREENSHOT = SCREENSHOTS / "projects.png"
DETAIL_SCREENSHOT = SCREENSHOTS / "project-detail.png"
CHROMIUM = "/usr/bin/chromium"

sys.path.insert(0, str(REPO))
from tests.support.postgres import free_port, running_postgres  # noqa: E402
from tests.support.web_stack import running_api, serving_web  # noqa: E402


def api_get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


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
