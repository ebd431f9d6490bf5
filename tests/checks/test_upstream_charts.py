"""The upstream-charts check against the real chart packages in ../shared/upstream-charts, each
rule fed one deliberately broken input (a version that does not exist, a key the chart ignores,
an invalid object, a Pod Security violation, a Flux object the installed CRDs refuse)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks import upstream_charts as uc
from innovate_platform.checks.inputs import CheckInputs
from innovate_platform.checks.manifests import substitute
from innovate_platform.gitops.controllers import render_addons
from innovate_platform.gitops.flux_values import flux_values, git_repository
from innovate_platform.gitops.verify import placeholder_cluster_vars
from innovate_platform.upstream.cache import missing_packages, package
from innovate_platform.upstream.releases import Release

ROOT = Path(__file__).resolve().parents[2]
CHARTS = Path(os.environ["INNOVATE_CHARTS"])
HELM = ROOT / ".tools" / "bin" / "helm"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    return uc.Shared(HELM, "1.35", tmp_path_factory.mktemp("renders"))


def _release(chart: str, version: str, values: dict, namespace: str = "kube-system", name: str | None = None) -> Release:
    return Release("prod", "test", name or chart, namespace, chart, version, package(CHARTS, chart, version), values)


def _render(shared, release: Release) -> tuple[str, list[dict]]:
    result = shared.renderer.render(release.path, release.name, release.namespace, release.values)
    assert result.ok, result.error
    return result.text, uc.flatten(yaml.safe_load_all(result.text))


def _with_versions(platform, **charts):
    versions = platform.versions.model_copy(update={"charts": {**platform.versions.charts, **charts}})
    return platform.model_copy(update={"versions": versions})


def test_every_pinned_chart_version_exists_as_a_published_package(platform):
    """Today's pins named KEDA 2.21.1, a release that cannot be shown to exist."""
    assert missing_packages(platform, CHARTS) == []
    assert platform.versions.charts["keda"] == "2.20.2"


def test_a_version_that_does_not_exist_is_a_finding_naming_chart_and_version(platform):
    broken = _with_versions(platform, keda="2.21.1")
    inputs = CheckInputs(broken, ROOT, ("prod",), charts_dir=CHARTS)
    try:
        findings = uc.run(inputs, "prod").findings
    finally:
        inputs.close()
    assert [(f.resource, f.field) for f in findings] == [("platform.yaml", "versions.charts.keda")]
    assert "keda 2.21.1 has no package in the chart cache" in findings[0].message


def test_the_shipped_platform_passes_in_prod(platform):
    inputs = CheckInputs(platform, ROOT, ("prod",), charts_dir=CHARTS)
    try:
        assert uc.run(inputs, "prod").findings == []
    finally:
        inputs.close()


def test_flux_values_use_the_charts_keys_place_controllers_on_system_nodes_and_skip_image_automation(platform, shared):
    release = _release("flux2", platform.versions.charts["flux2"], flux_values(), "flux-system", "flux2")
    text, docs = _render(shared, release)
    assert uc.ignored_keys(shared, release, text) == []
    deployments = {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in docs if d["kind"] == "Deployment"}
    assert set(deployments) == {"helm-controller", "kustomize-controller", "source-controller", "notification-controller"}
    for spec in deployments.values():
        assert spec["nodeSelector"] == {"role": "system"}
        assert {"key": "CriticalAddonsOnly", "operator": "Exists"} in spec["tolerations"]


def test_a_value_key_the_chart_ignores_is_named_with_the_chart(shared):
    """The keys CDK passed before (lower-case controller names) are not the flux2 chart's."""
    old = {"helmcontroller": {"nodeSelector": {"role": "system"}}, "imageautomationcontroller": {"create": False}}
    release = _release("flux2", "2.18.3", old, "flux-system", "flux2")
    text, _ = _render(shared, release)
    assert uc.ignored_keys(shared, release, text) == ["helmcontroller.nodeSelector.role", "imageautomationcontroller.create"]


def test_an_invalid_rendered_object_is_named(shared):
    release = _release("metrics-server", "3.13.1", {"replicas": "two"})
    _, docs = _render(shared, release)
    findings = uc.release_findings("prod", release, docs, {}, {}, "1.35")
    assert any(f.field == ".spec.replicas" and "Deployment kube-system/metrics-server" in f.resource for f in findings), findings


def test_pod_security_is_checked_at_the_level_the_namespace_enforces(shared):
    release = _release("metrics-server", "3.13.1", {"hostNetwork": {"enabled": True}}, namespace="monitoring")
    _, docs = _render(shared, release)
    refused = uc.release_findings("prod", release, docs, {}, {"monitoring": "baseline"}, "1.35")
    assert [f.field for f in refused] == ["spec.template.spec.hostNetwork"]
    assert "baseline/hostNamespaces (enforced by namespace monitoring)" in refused[0].message
    assert uc.release_findings("prod", release, docs, {}, {"monitoring": "privileged"}, "1.35") == []


def test_flux_objects_are_validated_against_the_crds_of_the_installed_flux2_chart(platform, shared):
    _, docs = _render(shared, _release("flux2", platform.versions.charts["flux2"], flux_values(), "flux-system", "flux2"))
    crds = uc.crd_index(docs)
    assert ("helm.toolkit.fluxcd.io/v2", "HelmRelease") in crds
    good = git_repository(platform)
    broken = {**good, "spec": {**good["spec"], "branch": "main"}}  # not a GitRepository v1 field
    old = {**good, "apiVersion": "source.toolkit.fluxcd.io/v1beta1"}
    findings = uc.flux_findings("prod", [("gitops/x.yaml", broken), ("gitops/y.yaml", old)], crds, platform, "flux2 2.18.3")
    assert {f.resource.split(":")[0] for f in findings} == {"gitops/x.yaml", "gitops/y.yaml"}
    assert all("CRDs of flux2 2.18.3" in f.message for f in findings)


def test_keda_where_an_app_uses_it_renders_valid_with_every_key_used(platform, shared):
    env = platform.env("prod")
    objs = render_addons(platform, env, uses_keda=True)["keda.yaml"]
    text = substitute(yaml.safe_dump([o for o in objs if o["kind"] == "HelmRelease"][0]), placeholder_cluster_vars(platform, env))
    values = yaml.safe_load(text)["spec"]["values"]
    release = _release("keda", platform.versions.charts["keda"], values, "keda")
    rendered, docs = _render(shared, release)
    assert uc.ignored_keys(shared, release, rendered) == []
    assert uc.release_findings("prod", release, docs, uc.crd_index(docs), {"keda": "restricted"}, "1.35") == []
    roles = [d for d in docs if d["kind"] == "ClusterRole" and d["metadata"]["name"] == "keda-operator"]
    assert not any("secrets" in r.get("resources", []) for r in roles[0]["rules"])  # only its namespace's Secrets
    pdbs = {d["metadata"]["name"] for d in docs if d["kind"] == "PodDisruptionBudget"}
    assert len(pdbs) == 3


def test_charts_pull_offline_says_what_it_needs_in_one_line(tmp_path):
    proxy = "http://127.0.0.1:9"  # nothing listens: every request is refused at once, as offline
    env = {**os.environ, "HTTPS_PROXY": proxy, "HTTP_PROXY": proxy, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-m", "innovate_platform", "charts", "pull", "--charts", str(tmp_path),
                             "--config", str(ROOT / "platform.yaml")], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs network access to the chart repositories" in lines[0]
    assert "Traceback" not in result.stderr


def test_charts_pull_keeps_what_the_cache_has():
    result = subprocess.run([sys.executable, "-m", "innovate_platform", "charts", "pull", "--charts", str(CHARTS),
                             "--config", str(ROOT / "platform.yaml")], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 0 and "0 pulled" in result.stdout


def test_an_alb_ingress_in_a_namespace_without_readiness_gates_is_named(platform, shared):
    from tests.conftest import edge_values

    values = edge_values(platform, "web", "prod")
    values["ingress"]["enabled"] = True
    release = Release("prod", "test", "web", "web", "charts/web", None, ROOT / "charts" / "web", values,
                      (ROOT / "charts" / "web" / "values.yaml",))
    result = shared.renderer.render(release.path, release.name, release.namespace, values, release.values_files)
    assert result.ok, result.error
    docs = uc.flatten(yaml.safe_load_all(result.text))
    found = uc.readiness_gate_findings("prod", release, docs, {"web": {}})
    assert len(found) == 1 and "elbv2.k8s.aws/pod-readiness-gate-inject" in found[0].message
    assert uc.readiness_gate_findings("prod", release, docs, {"web": {"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}}) == []


def test_every_pinned_chart_has_a_repository_to_pull_from(platform):
    from innovate_platform.upstream.cache import REPOSITORIES

    assert sorted(set(platform.versions.charts) - set(REPOSITORIES)) == []
