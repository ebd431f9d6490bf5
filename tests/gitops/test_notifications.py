"""Flux delivery alerts: a Provider and an Alert per cluster, to platform.yaml's chat channel,
valid against the notification CRDs of the flux2 chart version platform.yaml pins (rendered with
real helm from ../shared/upstream-charts), and naming every namespace that holds a HelmRelease."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from innovate_platform.checks.flux_crds import notification_crd_root
from innovate_platform.checks.manifests import validate_documents
from innovate_platform.gitops.notifications import NOTIFICATION_API

REPO = Path(__file__).resolve().parents[2]
HELM = REPO / ".tools" / "bin" / "helm"


@pytest.fixture(scope="module")
def crd_root(platform, tmp_path_factory):
    return notification_crd_root(platform.versions.charts["flux2"], HELM, tmp_path_factory.mktemp("flux-crds"))


def notifications(tree, env) -> list[dict]:
    return [d for d in yaml.safe_load_all(tree[f"gitops/infrastructure/configs/{env}/notifications.yaml"]) if d]


def test_crds_come_from_the_pinned_chart(crd_root):
    crds = {d["spec"]["names"]["kind"]: d for d in yaml.safe_load_all((crd_root / "notification-crds.yaml").read_text())}
    assert {"Alert", "Provider"} <= set(crds)
    group, version = NOTIFICATION_API.split("/")
    for kind in ("Alert", "Provider"):
        served = {v["name"]: v for v in crds[kind]["spec"]["versions"] if v.get("served")}
        assert crds[kind]["spec"]["group"] == group and served[version].get("storage") is True


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_provider_and_alert_valid_for_the_installed_flux(tree, platform, crd_root, env):
    docs = notifications(tree, env)
    assert validate_documents(docs, platform.versions.kubernetes, crd_root) == []
    provider, alert = docs
    chat = platform.alerts.chat
    assert provider["spec"] == {"type": chat.provider, "secretRef": {"name": chat.webhook_secret}, "channel": chat.channel}
    assert alert["spec"]["providerRef"] == {"name": provider["metadata"]["name"]}
    assert alert["spec"]["eventSeverity"] == "error"
    flux = {(d["kind"], d["metadata"]["name"], d["metadata"].get("namespace", "flux-system"))
            for path, text in tree.items() if f"/{env}/" in path for d in yaml.safe_load_all(text)
            if d and d.get("kind") in ("Kustomization", "HelmRelease", "HelmRepository", "OCIRepository")
            and "toolkit.fluxcd.io" in d.get("apiVersion", "")}
    watched = {(s["kind"], s["name"], s["namespace"]) for s in alert["spec"]["eventSources"]}
    # Every Flux object of the tree by name (no wildcard), plus the root Kustomization and Git source CDK creates.
    assert watched == flux | {("Kustomization", "flux-system", "flux-system"), ("GitRepository", "flux-system", "flux-system")}
    assert {n for k, n, _ in watched if k == "HelmRelease"} >= {a.name for a in platform.apps}


def test_a_provider_the_crd_rejects_is_named(tree, platform, crd_root):
    provider, alert = notifications(tree, "prod")
    provider["spec"]["type"] = "email"
    del alert["spec"]["providerRef"]
    messages = [f"{p.where}: {p.message}" for p in validate_documents([provider, alert], platform.versions.kubernetes, crd_root)]
    assert any(".spec.type" in m and "'email' is not one of" in m for m in messages)
    assert any("providerRef" in m for m in messages)


def test_runbook_says_how_to_create_the_webhook_secret(platform):
    runbook = (REPO / "docs" / "runbooks" / "alerts.md").read_text()
    assert f"kubectl -n flux-system create secret generic {platform.alerts.chat.webhook_secret}" in runbook
    assert "--from-literal=address=" in runbook
