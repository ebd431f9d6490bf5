"""The web app's own checks, run natively: Vitest unit tests and the production build.

The build is what the Dockerfile's build stage runs (`npm run build`: type check + Vite), here
into a temporary directory so a parallel e2e run never sees a half-written dist/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB_DIR = Path(__file__).resolve().parents[3] / "apps" / "web"


def _npm(*args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    if not (WEB_DIR / "node_modules" / ".bin" / "vite").exists():
        pytest.fail("apps/web/node_modules is missing: run scripts/setup.sh (npm ci in apps/web)")
    npm = shutil.which("npm")
    assert npm, "npm is not on PATH"
    return subprocess.run(
        [npm, *args],
        cwd=WEB_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CI": "true", "NO_COLOR": "1"},
    )


def test_vitest_suite_passes():
    result = _npm("test", "--", "--run")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    summary = re.search(r"Tests\s+(\d+) passed \((\d+)\)", output)
    assert summary, output[-2000:]
    assert int(summary.group(1)) == int(summary.group(2)) >= 15, summary.group(0)


def test_production_build_loads_runtime_config_before_the_app(tmp_path):
    out_dir = tmp_path / "dist"
    result = _npm("run", "build", "--", "--outDir", str(out_dir), "--emptyOutDir")
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]

    index = (out_dir / "index.html").read_text()
    config_tag = index.find('<script src="/config.js"></script>')
    bundle = re.search(r'<script type="module" crossorigin src="/assets/index-[\w-]+\.js"></script>', index)
    assert config_tag != -1, index
    assert bundle, index
    assert config_tag < bundle.start(), "config.js must run before the app bundle reads it"
    assets = [p.name for p in (out_dir / "assets").iterdir()]
    assert all(re.fullmatch(r"[\w]+-[\w-]{8}\.(js|css)", name) for name in assets), assets
    # The API base URL is runtime configuration: nothing environment-specific is baked in.
    bundle_js = (out_dir / "assets" / bundle.group(0).split("/assets/")[1].split('"')[0]).read_text()
    assert "__INNOVATE_CONFIG__" in bundle_js
    assert "127.0.0.1" not in bundle_js and "localhost" not in bundle_js
