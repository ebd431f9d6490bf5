"""Shared fixtures: the example platform and one synthesis of every stage per test worker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Picks the pinned Node for jsii (and the banner fallback) before any test imports aws_cdk.
import innovate_platform.aws  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[1]
# Tests read the upstream chart packages from ../shared (the offline stand-in for `innovate charts pull`).
SHARED_CHARTS = ROOT.parent / "shared" / "upstream-charts"
os.environ.setdefault("INNOVATE_CHARTS", str(SHARED_CHARTS))


@pytest.fixture(scope="session")
def platform():
    from innovate_platform.config import load_platform

    return load_platform(ROOT / "platform.yaml")


@pytest.fixture(scope="session")
def synthesis(platform, tmp_path_factory):
    """Every stage synthesized once (cdk-nag included: synthesis fails on any finding)."""
    from innovate_platform.aws.synth import synthesize

    return synthesize(platform, outdir=tmp_path_factory.mktemp("cdk.out"))


def edge_values(platform, app: str, env: str) -> dict:
    """The Ingress values an app's HelmRelease adds (gitops/edge.py), with cluster-vars substituted
    as Flux does: what a chart must be rendered with to stand for what the cluster gets."""
    import yaml

    from innovate_platform.checks.manifests import substitute
    from innovate_platform.gitops.charts import chart_values
    from innovate_platform.gitops.edge import ingress_values
    from innovate_platform.gitops.verify import placeholder_cluster_vars

    environment, application = platform.env(env), platform.app(app)
    values = ingress_values(environment, application, chart_values(ROOT, application, environment))
    return yaml.safe_load(substitute(yaml.safe_dump(values), placeholder_cluster_vars(platform, environment)))
