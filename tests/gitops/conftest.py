"""Shared, cached fixtures: the platform, its rendered tree and each layer built by real kubectl."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks.manifests import substitute
from innovate_platform.config import load_platform
from innovate_platform.gitops import render_tree
from innovate_platform.gitops.verify import placeholder_cluster_vars

REPO = Path(__file__).resolve().parents[2]
KUBECTL = REPO / ".tools" / "bin" / "kubectl"
HELM = REPO / ".tools" / "bin" / "helm"
ENVS = ("dev", "staging", "prod")
LAYER_DIRS = ("clusters", "infrastructure/controllers", "infrastructure/addons", "infrastructure/configs", "apps")


def kustomize(path: Path) -> str:
    """`kubectl kustomize` of one directory (what Flux's kustomize-controller builds)."""
    result = subprocess.run([str(KUBECTL), "kustomize", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"kubectl kustomize {path} failed: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def platform():
    return load_platform(REPO / "platform.yaml")


@pytest.fixture(scope="session")
def tree(platform) -> dict[str, str]:
    return render_tree(platform, REPO)


@pytest.fixture(scope="session")
def built(platform) -> dict[tuple[str, str], str]:
    """(env, layer directory) -> kustomize output of the committed tree, before substitution."""
    return {(env, layer): kustomize(REPO / "gitops" / layer / env) for env in ENVS for layer in LAYER_DIRS}


@pytest.fixture(scope="session")
def cluster_vars(platform) -> dict[str, dict[str, str]]:
    return {env: placeholder_cluster_vars(platform, platform.env(env)) for env in ENVS}


@pytest.fixture(scope="session")
def objects(platform, built) -> dict[str, list[dict]]:
    """env -> every object Flux would apply, after substituting sample cluster-vars."""
    out: dict[str, list[dict]] = {}
    for env_name in ENVS:
        variables = placeholder_cluster_vars(platform, platform.env(env_name))
        docs = []
        for layer in LAYER_DIRS:
            docs += [d for d in yaml.safe_load_all(substitute(built[(env_name, layer)], variables)) if d]
        out[env_name] = docs
    return out


def find(objs: list[dict], kind: str, name: str | None = None, namespace: str | None = None) -> list[dict]:
    return [
        o
        for o in objs
        if o["kind"] == kind
        and (name is None or o["metadata"]["name"] == name)
        and (namespace is None or o["metadata"].get("namespace") == namespace)
    ]


@pytest.fixture(scope="session")
def select():
    """find(objs, kind, name=None, namespace=None) -> matching objects."""
    return find


def helm_template(chart: Path, namespace: str, *values_files: Path) -> list[dict]:
    """Render a chart of this repository with real helm."""
    args = [str(HELM), "template", chart.name, str(chart), "--namespace", namespace]
    for f in values_files:
        args += ["-f", str(f)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


@pytest.fixture(scope="session")
def render_chart():
    return helm_template
