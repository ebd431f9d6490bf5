"""Shared fixtures: the example platform and one synthesis of every stage per test worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def platform():
    from innovate_platform.config import load_platform

    return load_platform(ROOT / "platform.yaml")


@pytest.fixture(scope="session")
def synthesis(platform, tmp_path_factory):
    """Every stage synthesized once (cdk-nag included: synthesis fails on any finding)."""
    from innovate_platform.aws.synth import synthesize

    return synthesize(platform, outdir=tmp_path_factory.mktemp("cdk.out"))
