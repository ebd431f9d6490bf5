"""platform-security rule: every image reference outside our own ECR carries a digest.

Where images are named: the rendered manifests of each cluster (the GitOps tree, our charts as
Flux renders them, and the upstream charts rendered with the values Flux passes), the Dockerfiles'
FROM lines (ARG defaults resolved), `# syntax=` directives and `COPY --from=<image>`, and the CI
workflows' `container:`, `services:` and `docker://` steps. A reference passes when it ends in
`@sha256:<64 hex>` (the tag stays in front of it for review) or names our shared ECR registry,
`<shared account>.dkr.ecr.<region>.amazonaws.com`, whose release tags are immutable (docs/adr/0006).

Upstream chart images we could not verify a digest for are listed once, in UPSTREAM_WITHOUT_DIGEST,
each with its reason; they are reported as notes, never silently passed
(docs/adr/0018-images-pinned-by-digest.md).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from ..config import Platform
from .model import NOTE, SHARED, Finding

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
FIX = "pin it as name:tag@sha256:<multi-arch index digest> (docs/adr/0018-images-pinned-by-digest.md)"

_UPSTREAM_REASON = ("upstream chart image pinned by chart version and tag only: no digest for this tag from an upstream "
                    "release artifact was found when the pins were made, and the chart has no digest value; pin it "
                    "through the chart's tag value (tag@sha256:...) once the digest is verified")
# The one exemption list: upstream chart images (as the charts render them) without a verified digest.
UPSTREAM_WITHOUT_DIGEST: dict[str, str] = {
    "ghcr.io/fluxcd/flux-cli:v2.8.5": _UPSTREAM_REASON,
    "ghcr.io/fluxcd/helm-controller:v1.5.3": _UPSTREAM_REASON,
    "ghcr.io/fluxcd/kustomize-controller:v1.8.3": _UPSTREAM_REASON,
    "ghcr.io/fluxcd/notification-controller:v1.8.3": _UPSTREAM_REASON,
    "ghcr.io/fluxcd/source-controller:v1.8.2": _UPSTREAM_REASON,
    "registry.k8s.io/external-dns/external-dns:v0.21.0": _UPSTREAM_REASON,
    "registry.k8s.io/metrics-server/metrics-server:v0.8.1": _UPSTREAM_REASON,
    "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0": _UPSTREAM_REASON,
    "public.ecr.aws/eks/aws-load-balancer-controller:v3.5.0": _UPSTREAM_REASON,
}


def own_registry(platform: Platform) -> str:
    """Our ECR registry host, from platform.yaml (the shared services account and the region)."""
    return f"{platform.shared.account}.dkr.ecr.{platform.region}.amazonaws.com"


def problem(image: str, registry: str) -> str | None:
    """Why `image` is not pinned by digest, or None (pinned, or in our own registry)."""
    if DIGEST.search(image) or image.split("/", 1)[0] == registry:
        return None
    if "@" in image:
        return f"image {image} has a malformed digest (want @sha256: and 64 lowercase hex)"
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
                out.append(Finding(env, resource, field, found, FIX))
    return out


# --- Dockerfiles -------------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out, buffer, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        out.append((start, buffer + line))
        buffer = ""
    return out


def dockerfile_images(text: str) -> Iterator[tuple[int, str]]:
    """(line, image) for the `# syntax=` directive, every FROM (ARG defaults before the first FROM
    resolved; earlier stage names and scratch skipped) and every COPY --from=<image>."""
    args: dict[str, str] = {}
    stages: set[str] = {"scratch"}
    seen_from = False
    for number, line in _logical_lines(text):
        stripped = line.strip()
        directive = re.match(r"#\s*syntax\s*=\s*(\S+)", stripped, flags=re.I)
        if directive and not seen_from:
            yield number, directive.group(1)
        if not stripped or stripped.startswith("#"):
            continue
        words = shlex.split(stripped, posix=False)
        instruction = words[0].upper()
        if instruction == "ARG" and not seen_from and len(words) > 1 and "=" in words[1]:
            name, default = words[1].split("=", 1)
            args[name] = default.strip("\"'")
        elif instruction == "FROM":
            seen_from = True
            refs = [w for w in words[1:] if not w.startswith("--")]
            image = _VAR.sub(lambda m: args.get(m.group(1) or m.group(2), m.group(0)), refs[0]) if refs else ""
            if image and image.lower() not in stages:
                yield number, image
            if len(refs) >= 3 and refs[1].upper() == "AS":
                stages.add(refs[2].lower())
        elif instruction == "COPY":
            for word in words[1:]:
                source = word[len("--from="):] if word.startswith("--from=") else None
                if source and source.lower() not in stages and not source.isdigit():
                    yield number, source


def dockerfile_findings(root: Path, registry: str) -> list[Finding]:
    out = []
    for path in sorted(root.glob("apps/*/Dockerfile")):
        rel = path.relative_to(root).as_posix()
        for number, image in dockerfile_images(path.read_text()):
            found = problem(image, registry)
            if found:
                out.append(Finding(SHARED, rel, f"line {number}", found, FIX))
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


def _docker_steps(steps: Any, path: str) -> Iterator[tuple[str, str]]:
    for i, step in enumerate(steps or []):
        uses = step.get("uses") if isinstance(step, dict) else None
        if isinstance(uses, str) and uses.startswith("docker://"):
            yield f"{path}[{i}].uses", uses[len("docker://"):]


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
                out.append(Finding(SHARED, rel, field, found, FIX))
    return out


# --- entry points (registered in platform_security.run) ------------------------------------------


def repository_image_findings(inputs) -> list[Finding]:
    """The shared account's images and CI: Dockerfiles and workflows."""
    registry = own_registry(inputs.platform)
    return dockerfile_findings(inputs.root, registry) + workflow_findings(inputs.root, registry)


def upstream_findings(inputs, env: str, objects: list[tuple[str, dict]], registry: str) -> list[Finding]:
    """The upstream charts rendered with the values Flux (or CDK, for flux2) passes, as `upstream-charts` does."""
    from ..upstream.releases import flux_release, tree_releases
    from .inputs import parse_yaml
    from .upstream_charts import _shared, flatten

    shared = _shared(inputs)
    releases = [flux_release(inputs.platform, env, inputs.charts_dir)] + tree_releases(env, objects, inputs.charts_dir, inputs.root)
    out = []
    for release in releases:
        if release.version is None:
            continue  # a chart of this repository: inputs.charts() renders it
        result = shared.renderer.render(release.path, release.name, release.namespace, release.values,
                                        release.values_files) if release.path is not None else None
        if result is None or not result.ok:
            out.append(Finding(env, release.where, "", f"{release.label} was not rendered, so its images are unchecked",
                               "see the upstream-charts check (chart cache, values)", NOTE))
            continue
        out += object_findings(env, f"{release.where} -> {release.label}", flatten(parse_yaml(result.text)), registry,
                               upstream=True)
    return out


def cluster_image_findings(inputs, env: str) -> list[Finding]:
    """One cluster: the GitOps tree, our charts and the upstream charts, as rendered."""
    registry = own_registry(inputs.platform)
    out = []
    gitops = inputs.gitops().for_env(env)
    for file in gitops + inputs.charts().for_env(env):
        out += object_findings(env, file.path, file.objects(), registry)
    return out + upstream_findings(inputs, env, [(f.path, o) for f in gitops for o in f.objects()], registry)
