"""Browser: the built web app in headless Chromium against the real API and PostgreSQL. Each view
has a URL (Back, Forward and reload work), a 100-character unbroken name neither overflows nor is
lost, an error clears when the input changes, and at desktop and phone (390 px) width nothing is
wider than the window: checked in the DOM and on the screenshots' own pixel width."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import urllib.request
from pathlib import Path

from tests.e2e.test_web_e2e import CHROMIUM, REPO
from tests.support.postgres import free_port, running_postgres
from tests.support.web_stack import running_api, serving_web

SCRIPT = Path(__file__).with_name("navigate.mjs")
SHOTS = REPO / "test-output" / "e2e" / "navigation"
LONG_NAME = "Q" * 100  # the API's maximum, no break opportunity


def png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def create(api_url: str, name: str) -> None:
    request = urllib.request.Request(
        f"{api_url}/api/v1/projects", data=json.dumps({"name": name, "description": "d" * 300}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201


def test_urls_back_reload_long_names_and_phone_width_in_chromium(built_web, tmp_path):
    node = shutil.which("node")
    assert node and Path(CHROMIUM).exists(), "node and Debian's chromium are needed (scripts/setup.sh)"
    api_port = free_port()
    with running_postgres() as pg, serving_web(built_web, f"http://127.0.0.1:{api_port}") as web_url, \
            running_api(pg.url, api_port, web_url, tmp_path / "api.log") as api_url:
        create(api_url, LONG_NAME)
        for n in range(2, 13):
            create(api_url, f"Project {n:02d}")
        shutil.rmtree(SHOTS, ignore_errors=True)
        run = subprocess.run(
            [node, str(SCRIPT)],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "WEB_URL": web_url,
                 "LONG_NAME": LONG_NAME, "TAKEN_NAME": "Project 02", "SHOTS": str(SHOTS), "CHROMIUM": CHROMIUM},
            capture_output=True, text=True, timeout=120,
        )
    assert run.stdout.strip(), run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert run.returncode == 0 and seen["ok"], seen

    # A URL per view; Back, Forward and reload land where the user was.
    assert seen["urls"]["start"] == "/" and seen["urls"]["page2"] == "/?page=2"
    assert seen["page2Pager"].split() == ["Previous", "11–12", "of", "12", "Next"]
    assert seen["urls"]["project"].startswith("/projects/")
    assert seen["urls"]["afterBack"] == "/?page=2"
    assert seen["pagerAfterBack"] == seen["page2Pager"]
    assert seen["urls"]["afterForward"] == seen["urls"]["afterReload"] == seen["urls"]["project"]
    assert seen["headingAfterReload"].startswith("Project ")

    # The long name: whole in the list's tooltip and on its page.
    assert seen["longNameTitle"] == LONG_NAME
    assert seen["longHeading"].replace("\n", "") == LONG_NAME

    # The 409 message goes as soon as the name changes.
    assert "already exists" in seen["conflict"]
    assert seen["alertsAfterTyping"] == 0 and seen["invalidAfterTyping"] is None

    # No horizontal overflow, in the DOM and in the pixels.
    for view, measured in seen["overflow"].items():
        assert measured["scrollWidth"] <= measured["clientWidth"] and not measured["sticking"], (view, measured)
    for name, width in (("desktop-list", 1280), ("desktop-project", 1280), ("phone-list", 390), ("phone-project", 390)):
        shot = Path(seen["shots"][name])
        assert png_size(shot)[0] == width, (name, png_size(shot))
        assert shot.stat().st_size > 5_000
    assert [m for m in seen["consoleErrors"] if "409" not in m] == [], seen["consoleErrors"]
    # Navigating away (Back, reload) may abort a fetch still in flight; nothing else may fail.
    assert [r for r in seen["failedRequests"] if "ERR_ABORTED" not in r] == [], seen["failedRequests"]
