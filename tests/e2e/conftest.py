"""The browser tests' shared fixture: the web app built once per test session (each worker)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB_DIR = REPO / "apps" / "web"


@pytest.fixture(scope="session")
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
