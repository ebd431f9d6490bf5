"""platform-security's image-digest rule: every image outside our ECR is pinned by digest, in the
Dockerfiles, the CI workflows and the manifests as rendered (our charts, the GitOps tree, the real
upstream charts with the values Flux passes). Each seeded failure must be named with its file and image."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks import upstream_charts as uc
from innovate_platform.checks.image_digests import (
    UPSTREAM_WITHOUT_DIGEST, cluster_image_findings, dockerfile_findings, object_findings, own_registry,
    repository_image_findings, workflow_findings)
from innovate_platform.checks.inputs import CheckInputs
from innovate_platform.checks.model import ERROR, NOTE
from innovate_platform.gitops.sleep import KUBECTL_IMAGES, kubectl_image
from innovate_platform.upstream.cache import package
from innovate_platform.upstream.releases import Release

ROOT = Path(__file__).resolve().parents[2]
CHARTS = Path(os.environ["INNOVATE_CHARTS"])
HELM = ROOT / ".tools" / "bin" / "helm"
DIGEST = "sha256:" + "ab" * 32


def errors(findings):
    return [f for f in findings if f.severity == ERROR]


def test_the_registry_is_derived_from_platform_yaml(platform):
    assert own_registry(platform) == f"{platform.shared.account}.dkr.ecr.{platform.region}.amazonaws.com"


def test_a_dockerfile_from_without_digest_is_named_with_file_line_and_image(platform, tmp_path):
    app = tmp_path / "apps" / "worker"
    app.mkdir(parents=True)
    (app / "Dockerfile").write_text(
        "# syntax=docker/dockerfile:1\n"
        f"ARG BASE=python:3.11.15-slim-bookworm@{DIGEST}\n"
        "FROM ${BASE} AS build\n"
        "FROM build AS test\n"
        "COPY --from=build /app /app\n"
        "COPY --from=ghcr.io/astral-sh/uv:0.8.4 /uv /bin/uv\n"
        "FROM \\\n  gcr.io/distroless/python3-debian12:nonroot\n")
    found = {(f.resource, f.field, f.message.split(" ")[1]) for f in errors(dockerfile_findings(tmp_path, own_registry(platform)))}
    assert found == {("apps/worker/Dockerfile", "line 1", "docker/dockerfile:1"),
                     ("apps/worker/Dockerfile", "line 6", "ghcr.io/astral-sh/uv:0.8.4"),
                     ("apps/worker/Dockerfile", "line 7", "gcr.io/distroless/python3-debian12:nonroot")}


def test_an_arg_default_without_digest_is_resolved_and_named(platform, tmp_path):
    (tmp_path / "apps" / "api").mkdir(parents=True)
    (tmp_path / "apps" / "api" / "Dockerfile").write_text("ARG PYTHON_IMAGE=python:3.11.15-slim-bookworm\nFROM ${PYTHON_IMAGE}\n")
    (finding,) = dockerfile_findings(tmp_path, own_registry(platform))
    assert finding.resource == "apps/api/Dockerfile" and "python:3.11.15-slim-bookworm" in finding.message
    assert "@sha256:" in finding.fix


def test_a_workflow_container_service_or_docker_step_without_digest_is_named(platform, tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(yaml.safe_dump({"on": "push", "jobs": {
        "test": {"runs-on": "ubuntu-24.04", "container": {"image": "python:3.11.15-bookworm"},
                 "services": {"db": {"image": f"postgres:17.6@{DIGEST}"}, "cache": "redis:8.2"},
                 "steps": [{"uses": "docker://alpine:3.22"}, {"uses": "actions/checkout@" + "a" * 40}]},
        "lint": {"runs-on": "ubuntu-24.04", "container": f"python:3.11.15-bookworm@{DIGEST}"}}}))
    found = {(f.resource, f.field, f.message.split(" ")[1]) for f in workflow_findings(tmp_path, own_registry(platform))}
    assert found == {(".github/workflows/ci.yml", "jobs.test.container", "python:3.11.15-bookworm"),
                     (".github/workflows/ci.yml", "jobs.test.services.cache", "redis:8.2"),
                     (".github/workflows/ci.yml", "jobs.test.steps[0].uses", "alpine:3.22")}


def test_rendered_objects_pass_only_with_a_digest_or_from_our_ecr(platform):
    registry = own_registry(platform)
    pod = {"kind": "Pod", "metadata": {"name": "p", "namespace": "web"}, "spec": {
        "initContainers": [{"name": "i", "image": f"{registry}/web:1.2.0"}],
        "containers": [{"name": "c", "image": "busybox:1.37.0"}, {"name": "d", "image": f"busybox:1.37.0@{DIGEST}"},
                       {"name": "e", "image": "busybox:1.37.0@sha256:abc"}]}}
    found = object_findings("dev", "charts/web (values-dev.yaml)", [pod], registry)
    assert [(f.resource, f.field) for f in found] == [("charts/web (values-dev.yaml): Pod web/p", "spec.containers[0].image"),
                                                      ("charts/web (values-dev.yaml): Pod web/p", "spec.containers[2].image")]
    assert "busybox:1.37.0 is pinned by tag only" in found[0].message and "malformed digest" in found[1].message


def test_a_cluster_minor_without_a_pinned_kubectl_renders_a_finding(platform):
    assert kubectl_image("1.35") == KUBECTL_IMAGES["1.35"]
    job = {"kind": "CronJob", "metadata": {"name": "workloads-down", "namespace": "innovate-sleep"},
           "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "api", "image": kubectl_image("1.99")}]}}}}}}
    (finding,) = object_findings("dev", "gitops/infrastructure/configs/dev/sleep.yaml", [job], own_registry(platform))
    assert "registry.k8s.io/kubectl:v1.99.0" in finding.message and finding.severity == ERROR


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    return uc.Shared(HELM, "1.35", tmp_path_factory.mktemp("renders"))


def _metrics_server(shared, tag: str) -> list[dict]:
    release = Release("prod", "test", "metrics-server", "kube-system", "metrics-server", "3.13.1",
                      package(CHARTS, "metrics-server", "3.13.1"), {"image": {"tag": tag}})
    result = shared.renderer.render(release.path, release.name, release.namespace, release.values)
    assert result.ok, result.error
    return uc.flatten(yaml.safe_load_all(result.text))


def test_an_upstream_chart_image_by_tag_fails_unless_exempt_and_an_exemption_is_a_note(platform, shared):
    registry = own_registry(platform)
    other = object_findings("prod", "metrics-server.yaml", _metrics_server(shared, "v0.8.0"), registry, upstream=True)
    assert [(f.severity, f.field) for f in other] == [(ERROR, "spec.template.spec.containers[0].image")]
    assert "registry.k8s.io/metrics-server/metrics-server:v0.8.0 is pinned by tag only" in other[0].message
    exempt = object_findings("prod", "metrics-server.yaml", _metrics_server(shared, "v0.8.1"), registry, upstream=True)
    assert [f.severity for f in exempt] == [NOTE] and "exempt:" in exempt[0].message
    pinned = object_findings("prod", "metrics-server.yaml", _metrics_server(shared, f"v0.8.1@{DIGEST}"), registry, upstream=True)
    assert pinned == []


def test_the_shipped_repository_passes_and_every_exemption_is_still_rendered(platform):
    inputs = CheckInputs(platform, ROOT, ("dev", "staging", "prod", "shared"), charts_dir=CHARTS)
    try:
        assert errors(repository_image_findings(inputs)) == []
        notes = []
        for env in ("dev", "staging", "prod"):
            found = cluster_image_findings(inputs, env)
            assert errors(found) == [], [str(f) for f in errors(found)]
            notes += found
    finally:
        inputs.close()
    exempt_seen = {image for image in UPSTREAM_WITHOUT_DIGEST for f in notes if f"image {image} has no digest" in f.message}
    assert exempt_seen == set(UPSTREAM_WITHOUT_DIGEST), "an exemption no chart renders any more: remove it"
