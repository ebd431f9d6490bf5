"""Wall time of `innovate check` for all environments, and its ratio to `innovate synth --env all`
measured in the same run (alternating, median of N each), as a user runs them.

Usage: python bench/check.py [--runs N]
Target: the whole gate under 60 s on the 2-core build machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INNOVATE = ROOT / ".venv" / "bin" / "innovate"
TARGET_SECONDS = 60.0


# The upstream chart packages the upstream-charts check renders (as in tests and CI).
ENV = {"INNOVATE_CHARTS": str(ROOT.parent / "shared" / "upstream-charts"), **os.environ}


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run([str(INNOVATE), *args], cwd=ROOT, capture_output=True, text=True, check=False, env=ENV)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    runs = parser.parse_args().runs
    checks, synths, slowest = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            seconds, result = timed(["synth", "--env", "all", "--out", f"{tmp}/synth{i}"])
            if result.returncode != 0:
                sys.exit(f"innovate synth failed:\n{result.stderr}")
            synths.append(seconds)
            seconds, result = timed(["check", "--env", "all", "--json"])
            if result.returncode not in (0, 1):
                sys.exit(f"innovate check could not run:\n{result.stderr}")
            checks.append(seconds)
            report = json.loads(result.stdout)
            for c in report["checks"]:
                slowest[c["name"]] = max(slowest.get(c["name"], 0.0), c["seconds"])
    check, synth = statistics.median(checks), statistics.median(synths)
    print(f"innovate check --env all: {check:.1f} s (runs: {', '.join(f'{t:.1f}' for t in checks)}; "
          f"ok={report['ok']}; target < {TARGET_SECONDS:.0f} s)")
    print(f"innovate synth --env all: {synth:.1f} s (runs: {', '.join(f'{t:.1f}' for t in synths)})")
    print(f"ratio check/synth: {check / synth:.2f}")
    print("per check (s, longest environment): " + ", ".join(f"{n} {s:.1f}" for n, s in slowest.items()))
    sys.exit(0 if check < TARGET_SECONDS and report["ok"] else 1)


if __name__ == "__main__":
    main()
