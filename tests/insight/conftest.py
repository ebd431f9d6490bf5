"""Shared fixtures for the insight tests: the shipped platform and its chart values."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from innovate_platform.config import load_platform
from innovate_platform.insight.workloads import load_workloads

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def platform():
    return load_platform(ROOT / "platform.yaml")


# The shipped traces were drawn for API pods that each serve this many requests per second (the
# chart's figure before bench/api_load.py measured it). The simulator's mechanisms (unserved demand,
# zones, launch latency) are tested at that scale; the chart's own measured figure
# (charts/api/values.yaml autoscaling.rps.targetPerPod, 10x lower) is what `innovate simulate` and
# bench/simulate.py use, so the published figures are the honest ones.
TRACE_RPS_PER_POD = {"api": 200.0}


@pytest.fixture(scope="session")
def workloads(platform):
    def as_traced(w):
        return dataclasses.replace(w, rps_target_per_pod=TRACE_RPS_PER_POD.get(w.name, w.rps_target_per_pod))

    return {e: [as_traced(w) for w in load_workloads(platform, e, ROOT)] for e in ("dev", "staging", "prod")}
