"""platform-security rule: every image reference outside our own ECR carries a digest.

Where images are named: the rendered manifests of each cluster (the GitOps tree, our charts as
Flux renders them, and the upstream charts rendered with the values Flux passes), the Dockerfiles'
FROM lines (ARG defaults resolved), `# syntax=` directives, `COPY --from=<image>` and `RUN
--mount=...,from=<image>` (checks/dockerfile_images.py), the CI workflows' `container:`, `services:`,
`docker://` steps and setup-buildx-action's BuildKit image (`driver-opts: image=`, or its default), and
the Kustomize/Flux image rewrites (checks/image_rewrites.py). A reference passes when it ends in
`@sha256:<64 hex>` (the tag stays in front of it for review) or names our shared ECR registry,
`<shared account>.dkr.ecr.<region>.amazonaws.com`, by one of its immutable tags (sha-<hex>, X.Y.Z,
X.Y.Z-rc.N; docs/adr/0006); any other tag there (latest, X.Y) is a finding.

Upstream chart images without an adopted digest are listed once, in UPSTREAM_WITHOUT_DIGEST,
each with its reason; they are reported as notes, never silently passed
(docs/adr/0018-images-pinned-by-digest.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from ..config import Platform
from .dockerfile_images import VAR, dockerfile_images
from .image_rewrites import FIX as REWRITE_FIX, rewrite_problems
from .model import NOTE, SHARED, Finding

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}\Z")
FIX = "pin it as name:tag@sha256:<multi-arch index digest> (docs/adr/0018-images-pinned-by-digest.md)"
# Our ECR's immutable tags (docs/adr/0006; ECR keeps sha-* and *.*.* immutable): the images workflow's
# sha-<7 hex> and the release tags X.Y.Z and X.Y.Z-rc.N (scripts/image_tags.py). Its X.Y tag moves.
OWN_TAG = re.compile(r"sha-[0-9a-f]{7,40}|(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)(?:-rc\.(?:0|[1-9][0-9]*))?")
OWN_FIX = "reference our image by its sha-<hex> or X.Y.Z[-rc.N] tag, or by digest (docs/adr/0006, 0018)"

_NONE_FOUND = "no public source states a digest for this tag (exact-string search of public code, 2026-11-30)"
_FLUX = " the flux2 chart prints {key}.tag as image:tag, so `{key}.tag: <tag>@sha256:<digest>` pins it once verified"
# The one exemption list: upstream chart images (as the charts render them) without an adopted digest, each
# with what the search for one found. Reported as notes, never silently passed (docs/adr/0018).
UPSTREAM_WITHOUT_DIGEST: dict[str, str] = {
    "ghcr.io/fluxcd/kustomize-controller:v1.8.3": _NONE_FOUND + ";" + _FLUX.format(key="kustomizeController"),
    "ghcr.io/fluxcd/notification-controller:v1.8.3": _NONE_FOUND + ";" + _FLUX.format(key="notificationController"),
    "ghcr.io/fluxcd/source-controller:v1.8.2": _NONE_FOUND + ";" + _FLUX.format(key="sourceController"),
    "registry.k8s.io/metrics-server/metrics-server:v0.8.1": "public sources disagree: sha256:b2d2efaf… (three files, one "
        "minikube's addon image list) and sha256:6231fb0a… (one); which one is the multi-arch index is unverified",
    "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0": _NONE_FOUND + "; the chart's image.tag would carry it",
}


def own_registry(platform: Platform) -> str:
    """Our ECR registry host, from platform.yaml (the shared services account and the region)."""
    return f"{platform.shared.account}.dkr.ecr.{platform.region}.amazonaws.com"


def fix_for(image: str, registry: str) -> str:
    return OWN_FIX if image.split("/", 1)[0] == registry else FIX


def problem(image: str, registry: str) -> str | None:
    """Why `image` is not pinned by digest, or None (pinned, or in our own registry)."""
    if DIGEST.search(image):
        return None
    if "@" in image:
        return f"image {image} has a malformed digest (want @sha256: and 64 lowercase hex)"
    if image.split("/", 1)[0] == registry:
        last = image.rsplit("/", 1)[-1]
        tag = last.split(":", 1)[1] if ":" in last else ""
        if OWN_TAG.fullmatch(tag):
            return None
        return (f"image {image} is in our ECR by {'tag ' + tag if tag else 'no tag (latest)'}, which is not one of its "
                "immutable sha-<hex> or X.Y.Z[-rc.N] tags: ECR lets it move")
    return f"image {image} is pinned by tag only: the registry can re-point the tag to other bytes"


# --- rendered manifests ------------------------------------------------------------------------


def manifest_images(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, image) for every `image: <string>` in an object (pods, templates, values)."""
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if key == "image" and isinstance(item, str):
                yield sub, item
            else:
                yield from manifest_images(item, sub)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from manifest_images(item, f"{path}[{i}]")


def _describe(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind', '?')} {ns}{meta.get('name', '?')}"


def object_findings(env: str, where: str, objects: Iterable[dict], registry: str, upstream: bool = False) -> list[Finding]:
    """Findings for the objects of one file or one release; `upstream` admits UPSTREAM_WITHOUT_DIGEST as notes."""
    out = []
    for obj in objects:
        for field, image in manifest_images(obj):
            found = problem(image, registry)
            if found is None:
                continue
            resource = f"{where}: {_describe(obj)}"
            if upstream and image in UPSTREAM_WITHOUT_DIGEST:
                out.append(Finding(env, resource, field, f"image {image} has no digest (exempt: "
                                   f"{UPSTREAM_WITHOUT_DIGEST[image]})", "verify its digest and pin it", NOTE))
            else:
                out.append(Finding(env, resource, field, found, fix_for(image, registry)))
    return out


def rewrite_findings(env: str, where: str, docs: Iterable[Any], registry: str) -> list[Finding]:
    """Kustomize and Flux image rewrites (kustomization.yaml included) that leave an image without a digest."""
    return [Finding(env, f"{where}: {_describe(obj)}", field, message, REWRITE_FIX)
            for obj, field, message in rewrite_problems(docs, lambda image: problem(image, registry))]


# --- Dockerfiles -------------------------------------------------------------------------------

def dockerfile_findings(root: Path, registry: str) -> list[Finding]:
    out = []
    for path in sorted(root.glob("apps/*/Dockerfile")):
        rel = path.relative_to(root).as_posix()
        for number, image in dockerfile_images(path.read_text()):
            unresolved = VAR.search(image)
            if unresolved:
                arg = unresolved.group(1) or unresolved.group(2)
                out.append(Finding(SHARED, rel, f"line {number}", f"image {image}: ARG {arg} has no default before the "
                                   "first FROM, so the image is whatever the build passes", f"give ARG {arg} a default "
                                   "pinned as name:tag@sha256:<multi-arch index digest> (docs/adr/0018)"))
                continue
            found = problem(image, registry)
            if found:
                out.append(Finding(SHARED, rel, f"line {number}", found, fix_for(image, registry)))
    return out


# --- CI workflows ------------------------------------------------------------------------------


def _image_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("image"), str):
        return value["image"]
    return None


def workflow_images(document: dict) -> Iterator[tuple[str, str]]:
    """(field, image) for job containers, service containers and docker:// steps of a workflow or action."""
    for job_id, job in ((document.get("jobs") or {}).items() if isinstance(document, dict) else ()):
        if not isinstance(job, dict):
            continue
        container = _image_of(job.get("container"))
        if container:
            yield f"jobs.{job_id}.container", container
        for name, service in (job.get("services") or {}).items():
            image = _image_of(service)
            if image:
                yield f"jobs.{job_id}.services.{name}", image
        yield from _docker_steps(job.get("steps"), f"jobs.{job_id}.steps")
    runs = document.get("runs") if isinstance(document, dict) else None
    if isinstance(runs, dict):
        if str(runs.get("image", "")).startswith("docker://"):
            yield "runs.image", runs["image"][len("docker://"):]
        yield from _docker_steps(runs.get("steps"), "runs.steps")


# docker/setup-buildx-action starts BuildKit from this image unless `driver-opts: image=` names one
# (its docker-container and kubernetes drivers; buildx's default image, a moving tag).
BUILDX_ACTION = "docker/setup-buildx-action@"
BUILDX_DEFAULT_IMAGE = "moby/buildkit:buildx-stable-1"


def _docker_steps(steps: Any, path: str) -> Iterator[tuple[str, str]]:
    for i, step in enumerate(steps or []):
        uses = step.get("uses") if isinstance(step, dict) else None
        if isinstance(uses, str) and uses.startswith("docker://"):
            yield f"{path}[{i}].uses", uses[len("docker://"):]
        elif isinstance(uses, str) and uses.startswith(BUILDX_ACTION):
            yield from _buildkit_image(step.get("with") or {}, f"{path}[{i}].with")


def _buildkit_image(inputs: dict, path: str) -> Iterator[tuple[str, str]]:
    """The BuildKit image of a setup-buildx-action step: each `driver-opts` line `image=...`
    (a newline-separated list), or the default when a driver that starts one names none."""
    options = str(inputs.get("driver-opts") or "")
    images = [line.strip()[len("image="):].strip().strip("\"'") for line in options.splitlines()
              if line.strip().startswith("image=")]
    for image in images:
        yield f"{path}.driver-opts", image
    if not images and str(inputs.get("driver") or "docker-container") in ("docker-container", "kubernetes"):
        yield f"{path}.driver-opts", BUILDX_DEFAULT_IMAGE


def workflow_findings(root: Path, registry: str) -> list[Finding]:
    files = sorted((root / ".github" / "workflows").glob("*.y*ml")) + sorted((root / ".github" / "actions").glob("*/action.y*ml"))
    out = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            out.append(Finding(SHARED, rel, "", f"not valid YAML: {exc}", "fix the YAML"))
            continue
        for field, image in workflow_images(document):
            found = problem(image, registry)
            if found:
                out.append(Finding(SHARED, rel, field, found, fix_for(image, registry)))
    return out


# --- entry points (registered in platform_security.run) ------------------------------------------


def repository_image_findings(inputs) -> list[Finding]:
    """The shared account's images and CI: Dockerfiles and workflows."""
    registry = own_registry(inputs.platform)
    return dockerfile_findings(inputs.root, registry) + workflow_findings(inputs.root, registry)


def upstream_findings(inputs, env: str, registry: str) -> list[Finding]:
    """The upstream charts rendered with the values Flux (or CDK, for flux2) passes, as `upstream-charts`
    renders them (upstream_charts.upstream_renders, shared with that check)."""
    from .upstream_charts import upstream_renders

    out = []
    for release, _, objects in upstream_renders(inputs, env):
        if release.version is None:
            continue  # a chart of this repository: inputs.charts() renders it
        if objects is None:
            out.append(Finding(env, release.where, "", f"{release.label} was not rendered, so its images are unchecked",
                               "see the upstream-charts check (chart cache, values)", NOTE))
            continue
        out += object_findings(env, f"{release.where} -> {release.label}", objects, registry, upstream=True)
    return out


def cluster_image_findings(inputs, env: str) -> list[Finding]:
    """One cluster: the GitOps tree, our charts and the upstream charts, as rendered."""
    registry = own_registry(inputs.platform)
    out = []
    gitops = inputs.gitops().for_env(env)
    for file in gitops + inputs.charts().for_env(env):
        out += object_findings(env, file.path, file.objects(), registry)
        out += rewrite_findings(env, file.path, file.docs, registry)
    return out + upstream_findings(inputs, env, registry)
