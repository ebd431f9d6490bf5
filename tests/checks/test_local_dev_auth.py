"""platform-security's AUTH_LOCAL_DEV rule: the API's no-identity shortcut, seeded into what a
cluster receives (a HelmRelease's values, a rendered container env), is named with its field; the
api chart's schema refuses it too; the shipped tree passes."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks.inputs import CheckInputs
from innovate_platform.checks.local_dev_auth import VARIABLE, cluster_local_dev_findings, object_findings

ROOT = Path(__file__).resolve().parents[2]
HELM = ROOT / ".tools" / "bin" / "helm"
RELEASE = next(d for d in yaml.safe_load_all((ROOT / "gitops/apps/prod/api.yaml").read_text()) if d and d["kind"] == "HelmRelease")
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "api"},
              "spec": {"template": {"spec": {"containers": [{"name": "api", "env": [
                  {"name": "DB_HOST", "value": "db"}, {"name": "AUTH_ALB_ARN", "value": "arn:..."}]}]}}}}


def release_with(value) -> dict:
    release = copy.deepcopy(RELEASE)
    release["spec"].setdefault("values", {}).setdefault("env", {})[VARIABLE] = value
    return release


def deployment_with(entry: dict) -> dict:
    deployment = copy.deepcopy(DEPLOYMENT)
    deployment["spec"]["template"]["spec"]["containers"][0]["env"].append(entry)
    return deployment


def test_a_helm_release_turning_on_local_development_is_named():
    assert object_findings("prod", "gitops/apps/prod/api.yaml", [RELEASE]) == []
    (finding,) = object_findings("prod", "gitops/apps/prod/api.yaml", [release_with("true")])
    assert finding.resource == "gitops/apps/prod/api.yaml: HelmRelease flux-system/api"
    assert finding.field == "spec.values.env.AUTH_LOCAL_DEV" and "'true'" in finding.message
    assert "remove AUTH_LOCAL_DEV" in finding.fix


@pytest.mark.parametrize("entry", [{"name": VARIABLE, "value": "1"},
                                   {"name": VARIABLE, "valueFrom": {"configMapKeyRef": {"name": "x", "key": "y"}}}])
def test_a_container_env_entry_is_named(entry):
    (finding,) = object_findings("dev", "charts/api (values-dev.yaml)", [deployment_with(entry)])
    assert finding.resource == "charts/api (values-dev.yaml): Deployment api/api"
    assert finding.field == "spec.template.spec.containers[0].env[2]"


@pytest.mark.parametrize("off", ["false", "", False, "0"])
def test_an_explicit_false_passes(off):
    assert object_findings("prod", "x.yaml", [release_with(off), deployment_with({"name": VARIABLE, "value": off})]) == []


def test_the_api_charts_schema_refuses_it_too():
    rendered = subprocess.run([str(HELM), "template", "api", str(ROOT / "charts/api"), "-f", str(ROOT / "charts/api/values-dev.yaml"),
                               "--set", f"env.{VARIABLE}=true"], capture_output=True, text=True, timeout=120)
    assert rendered.returncode != 0 and f"additional properties '{VARIABLE}' not allowed" in rendered.stderr


def test_the_shipped_tree_and_charts_pass(platform):
    inputs = CheckInputs(platform, ROOT, ("prod",), charts_dir=Path(os.environ["INNOVATE_CHARTS"]))
    try:
        assert cluster_local_dev_findings(inputs, "prod") == []
        assert inputs.charts().for_env("prod") and inputs.gitops().for_env("prod")
    finally:
        inputs.close()
