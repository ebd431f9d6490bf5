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
    BUILDX_DEFAULT_IMAGE, DIGEST as DIGEST_RULE, UPSTREAM_WITHOUT_DIGEST, cluster_image_findings, dockerfile_findings,
    object_findings, own_registry, problem, repository_image_findings, rewrite_findings, workflow_findings)
from innovate_platform.checks.inputs import CheckInputs, ManifestFile, parse_yaml
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


# --- issue 14 review: rewrites, RUN --mount, BuildKit, our ECR's tags, nits ---------------------


def _yaml_file(path: str, text: str) -> ManifestFile:
    return ManifestFile("dev", path, text, parse_yaml(text))


def test_kustomize_and_flux_image_rewrites_without_a_digest_are_named(platform):
    """A rewrite moves the image after the manifest named it: kustomization.yaml `images:`, a Flux
    Kustomization's spec.images and a HelmRelease post-renderer's images need `digest` too."""
    registry = own_registry(platform)
    kustomization = _yaml_file("gitops/apps/dev/kustomization.yaml", f"""
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [api.yaml]
images:
  - name: busybox
    newTag: "1.37.0"
  - name: nginx
    newName: nginxinc/nginx-unprivileged
    newTag: 1.28.0-alpine
    digest: {DIGEST}
  - name: api
    newName: {registry}/api
    newTag: sha-1a2b3c4
""")
    flux = _yaml_file("gitops/clusters/dev/apps.yaml", f"""
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: flux-system}}
spec:
  images:
    - name: web
      newName: ghcr.io/example/web
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: metrics-server, namespace: kube-system}}
spec:
  postRenderers:
    - kustomize:
        images:
          - name: registry.k8s.io/metrics-server/metrics-server
            newTag: v0.8.0
          - name: registry.k8s.io/metrics-server/metrics-server
            newTag: v0.8.1
            digest: sha256:abc
          - name: {registry}/api
            newTag: latest
""")
    found = rewrite_findings("dev", kustomization.path, kustomization.docs, registry)
    found += rewrite_findings("dev", flux.path, flux.docs, registry)
    assert all(f.severity == ERROR and "digest:" in f.fix for f in found)
    assert [(f.resource.split(":")[0], f.field) for f in found] == [
        ("gitops/apps/dev/kustomization.yaml", "images[0]"),
        ("gitops/clusters/dev/apps.yaml", "spec.images[0]"),
        ("gitops/clusters/dev/apps.yaml", "spec.postRenderers[0].kustomize.images[0]"),
        ("gitops/clusters/dev/apps.yaml", "spec.postRenderers[0].kustomize.images[1]"),
        ("gitops/clusters/dev/apps.yaml", "spec.postRenderers[0].kustomize.images[2]")]
    assert "busybox:1.37.0 has no digest" in found[0].message and "ghcr.io/example/web has no digest" in found[1].message
    assert "malformed digest" in found[3].message and f"{registry}/api:latest" in found[4].message


def test_run_mount_from_an_image_is_named_and_a_stage_is_not(platform, tmp_path):
    (tmp_path / "apps" / "api").mkdir(parents=True)
    (tmp_path / "apps" / "api" / "Dockerfile").write_text(
        f"FROM python:3.11.15-slim-bookworm@{DIGEST} AS build\n"
        "RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=build,source=/a,target=/b true\n"
        "RUN --mount=type=bind,from=ghcr.io/astral-sh/uv:0.8.4,source=/uv,target=/bin/uv uv sync\n"
        f"RUN --mount=from=ghcr.io/astral-sh/uv:0.8.4@{DIGEST},source=/uv,target=/bin/uv \\\n    uv sync\n")
    (finding,) = dockerfile_findings(tmp_path, own_registry(platform))
    assert (finding.field, finding.message.split(" ")[1]) == ("line 3", "ghcr.io/astral-sh/uv:0.8.4")


def test_from_an_arg_without_default_says_so(platform, tmp_path):
    (tmp_path / "apps" / "api").mkdir(parents=True)
    (tmp_path / "apps" / "api" / "Dockerfile").write_text("ARG BASE\nFROM ${BASE}\n")
    (finding,) = dockerfile_findings(tmp_path, own_registry(platform))
    assert "ARG BASE has no default" in finding.message and "pinned by tag" not in finding.message
    assert "ARG BASE a default" in finding.fix


def test_setup_buildx_action_buildkit_image_is_read_from_driver_opts_or_its_default(platform, tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    action = "docker/setup-buildx-action@" + "b" * 40
    (workflows / "images.yml").write_text(yaml.safe_dump({"on": "push", "jobs": {"image": {"runs-on": "ubuntu-24.04", "steps": [
        {"uses": action},
        {"uses": action, "with": {"driver-opts": "network=host\nimage=moby/buildkit:v0.29.0\n"}},
        {"uses": action, "with": {"driver-opts": f"image=moby/buildkit:v0.29.0@{DIGEST}"}},
        {"uses": action, "with": {"driver": "docker"}}]}}}))
    found = {(f.field, f.message.split(" ")[1]) for f in workflow_findings(tmp_path, own_registry(platform))}
    assert found == {("jobs.image.steps[0].with.driver-opts", BUILDX_DEFAULT_IMAGE),
                     ("jobs.image.steps[1].with.driver-opts", "moby/buildkit:v0.29.0")}


def test_the_images_workflow_pins_buildkit_by_digest(platform):
    document = yaml.safe_load((ROOT / ".github" / "workflows" / "images.yml").read_text())
    (step,) = [s for s in document["jobs"]["image"]["steps"] if str(s.get("uses", "")).startswith("docker/setup-buildx-action@")]
    assert DIGEST_RULE.search(step["with"]["driver-opts"].split("image=", 1)[1].strip())


def test_our_ecr_passes_only_immutable_release_tags_or_a_digest(platform):
    """What images.yml publishes (scripts/image_tags.py): sha-<7 hex>, X.Y.Z-rc.N, X.Y.Z and the moving X.Y.
    Only the immutable ones pass (docs/adr/0006); latest, X.Y or no tag on our host is a finding."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("image_tags", ROOT / "scripts" / "image_tags.py")
    image_tags = importlib.util.module_from_spec(spec)
    sys.modules["image_tags"] = image_tags  # its dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(image_tags)
    registry = own_registry(platform)
    sha = "1a2b3c4d" * 5
    published = set(image_tags.plan_for("refs/tags/v1.4.0", sha).tags) | set(image_tags.plan_for("refs/tags/v1.4.0-rc.2", sha).tags)
    assert published == {"sha-1a2b3c4", "1.4.0", "1.4", "1.4.0-rc.2"}
    verdicts = {tag: problem(f"{registry}/api:{tag}", registry) is None for tag in published | {"latest"}}
    assert verdicts == {"sha-1a2b3c4": True, "1.4.0": True, "1.4.0-rc.2": True, "1.4": False, "latest": False}
    assert "not one of its immutable" in problem(f"{registry}/api", registry)
    assert problem(f"{registry}/api:latest@{DIGEST}", registry) is None


def test_the_digest_form_refuses_a_trailing_newline(platform):
    assert problem(f"busybox:1.37.0@{DIGEST}", own_registry(platform)) is None
    assert problem(f"busybox:1.37.0@{DIGEST}\n", own_registry(platform)) is not None


def test_flux_cli_is_pinned_through_the_chart_tag_value_of_the_chart_version_we_install(platform, shared):
    """flux2's template prints cli.tag as image:tag, so tag@digest renders the pinned reference;
    the tag must stay the chart's own, or the digest would pin another version."""
    from innovate_platform.gitops.flux_values import FLUX_CHART, FLUX_CLI_DIGEST, FLUX_CLI_TAG, flux_values

    version = platform.versions.charts[FLUX_CHART]
    chart = package(CHARTS, FLUX_CHART, version)
    defaults = shared.renderer.render(chart, "flux2", "flux-system", {})
    ours = shared.renderer.render(chart, "flux2", "flux-system", flux_values())
    assert defaults.ok and ours.ok, (defaults.error, ours.error)
    assert f"image: ghcr.io/fluxcd/flux-cli:{FLUX_CLI_TAG}\n" in defaults.text
    assert f"image: ghcr.io/fluxcd/flux-cli:{FLUX_CLI_TAG}@{FLUX_CLI_DIGEST}\n" in ours.text
