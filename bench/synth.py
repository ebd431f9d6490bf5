"""Wall time of `innovate synth --env all` (median of 3 runs), as a user runs it.

Usage: python bench/synth.py [--runs N]
Target: under 15 s on the 2-core build machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INNOVATE = ROOT / ".venv" / "bin" / "innovate"


def synth_seconds(outdir: str) -> float:
    started = time.perf_counter()
    subprocess.run([str(INNOVATE), "synth", "--env", "all", "--out", outdir], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        times = [synth_seconds(f"{tmp}/run{i}") for i in range(runs)]
    median = statistics.median(times)
    print(f"innovate synth --env all: median {median:.1f} s over {runs} runs "
          f"(runs: {', '.join(f'{t:.1f}' for t in times)}; target < 15 s)")
    sys.exit(0)


if __name__ == "__main__":
    main()
