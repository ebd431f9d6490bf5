"""bench/api_load.py measures the API and a bare WSGI app under the same gunicorn settings in one
run, and states the API's requests per CPU-second as a ratio to the baseline's."""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_a_short_run_reports_both_apps_and_the_ratio():
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "api_load.py"), "--requests", "300", "--concurrency", "4"],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    api = float(re.search(r"->\s+([\d.]+) req per server CPU-second", result.stdout).group(1))
    baseline = float(re.search(r"baseline .*\n.*->\s+([\d.]+) req per server CPU-second", result.stdout).group(1))
    ratio = float(re.search(r"API / baseline\s+([\d.]+) of the baseline", result.stdout).group(1))
    assert 0 < api < baseline, result.stdout  # the API does real work per request; the baseline does none
    assert abs(ratio - api / baseline) < 0.01, result.stdout
