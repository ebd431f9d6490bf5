"""platform-security runs its cluster rules: one seeded failure of each kind, added to what the
cluster receives, comes out of `platform_security.run` (not only out of the rule's own function)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks import platform_security
from innovate_platform.checks.inputs import CheckInputs, ManifestFile

ROOT = Path(__file__).resolve().parents[2]
P = "alb.ingress.kubernetes.io/"


def seeded(path: str, change) -> ManifestFile:
    docs = [d for d in yaml.safe_load_all((ROOT / path).read_text()) if d]
    changed = copy.deepcopy(docs)
    change(changed)
    return ManifestFile("prod", f"{path} (seeded)", yaml.safe_dump_all(changed), tuple(changed))


def local_dev(docs):
    release = next(d for d in docs if d["kind"] == "HelmRelease")
    release["spec"]["values"].setdefault("env", {})["AUTH_LOCAL_DEV"] = "true"


def tag_only_image(docs):
    job = next(d for d in docs if d["kind"] == "CronJob")
    job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.37.0"


@pytest.fixture(scope="module")
def inputs(platform, synthesis):
    checks = CheckInputs(platform, ROOT, ("prod",))
    checks._values["synthesis"] = (True, synthesis)  # the session's synthesis, not a second one
    yield checks
    checks.close()


@pytest.mark.parametrize(("path", "change", "says"), [
    ("gitops/apps/prod/api.yaml", local_dev, "AUTH_LOCAL_DEV"),
    ("gitops/infrastructure/configs/dev/sleep.yaml", tag_only_image, "busybox:1.37.0"),
])
def test_a_seeded_cluster_failure_comes_out_of_the_check(inputs, path, change, says):
    assert not [f for f in platform_security.run(inputs, "prod") if says in f.message or says in f.field]
    extra = seeded(path, change)
    gitops = inputs.gitops()
    gitops.files["prod"].append(extra)
    try:
        found = [f for f in platform_security.run(inputs, "prod") if f.resource.startswith(extra.path)]
    finally:
        gitops.files["prod"].remove(extra)
    assert found and any(says in f"{f.field} {f.message}" for f in found), found


def test_a_shipped_ingress_without_sign_in_comes_out_of_the_check(inputs):
    charts = inputs.charts()
    ingress = next(o for f in charts.for_env("prod") for o in f.objects() if o.get("kind") == "Ingress")
    saved = ingress["metadata"]["annotations"].pop(P + "auth-type")
    try:
        found = [f for f in platform_security.run(inputs, "prod") if f.field.endswith("auth-type")]
    finally:
        ingress["metadata"]["annotations"][P + "auth-type"] = saved
    assert found, "an Ingress without auth-type passed platform-security"
