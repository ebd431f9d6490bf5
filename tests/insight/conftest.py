"""Shared fixtures for the insight tests: the shipped platform and its chart values."""

from __future__ import annotations

from pathlib import Path

import pytest

from innovate_platform.config import load_platform
from innovate_platform.insight.workloads import load_workloads

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def platform():
    return load_platform(ROOT / "platform.yaml")


@pytest.fixture(scope="session")
def workloads(platform):
    return {e: load_workloads(platform, e, ROOT) for e in ("dev", "staging", "prod")}
