"""`upstream-charts`: every Helm release of each cluster rendered from the real upstream chart
(the chart cache) with exactly the values Flux (or CDK, for flux2) passes, then proved:

- every pinned chart version (flux2 included) has a package in the chart cache;
- the chart renders for the cluster's Kubernetes version; its objects are valid (built-in kinds
  against the strict schemas, custom resources against the CRDs the installed charts ship, no
  removed API) and meet the Pod Security level their namespace enforces;
- every value key has an effect on the render (Helm silently ignores keys a chart does not read);
- namespaces with an ALB Ingress get the Load Balancer Controller's pod readiness gates;
- the tree's Flux objects (and CDK's) are valid against the CRDs of the flux2 chart installed.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..gitops.app_needs import READINESS_GATE_LABEL
from ..gitops.flux_values import git_repository, root_kustomization
from ..upstream.cache import missing_packages
from ..upstream.effect import dotted, has_effect, leaves, marked, shape, shown
from ..upstream.releases import Release, flux_release, tree_releases
from ..upstream.render import Rendered, Renderer, content_digest
from .inputs import CheckInputs, parse_yaml
from .kubernetes import api_version_finding, describe
from .manifests import CrdVersion, strict_schema, validate_core, validate_custom_resource
from .model import Check, CheckUnavailable, Finding, Timed
from .pod_security import check_pod_security, pod_spec_of
from .pods import ENFORCE_LABEL

NAME = "upstream-charts"
FLUX_GROUP = "toolkit.fluxcd.io"
PULL_FIX = "add the package to the chart cache (`innovate charts pull`, or --charts DIR) or pin a version that exists"


class Shared:
    """What every environment's run shares: one renderer and the key proofs already made."""

    def __init__(self, helm: Path, kubernetes: str, cache: Path | None = None) -> None:
        self.renderer = Renderer(helm, kubernetes, cache)
        self.proofs: dict[tuple, bool] = {}
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max_workers=4)


def _shared(inputs: CheckInputs) -> Shared:
    return inputs._once("upstream-renderer", lambda: Shared(inputs.helm, inputs.platform.versions.kubernetes))  # noqa: SLF001


def upstream_renders(inputs: CheckInputs, env: str) -> list[tuple[Release, Rendered | None, list[dict] | None]]:
    """(release, helm's render or None without a package, its objects or None when it failed) for flux2
    and every upstream HelmRelease of the environment's tree: rendered and parsed once per run, for
    this check and platform-security's image rule."""
    return inputs._once(f"upstream-renders:{env}", lambda: _render_releases(inputs, env))  # noqa: SLF001


def _render_releases(inputs: CheckInputs, env: str) -> list[tuple[Release, Rendered | None, list[dict] | None]]:
    shared, cache = _shared(inputs), inputs.charts_dir
    objects = [(f.path, o) for f in inputs.gitops().for_env(env) for o in f.objects()]
    releases = [flux_release(inputs.platform, env, cache)] + tree_releases(env, objects, cache, inputs.root)
    renderable = [r for r in releases if r.path is not None]
    results = dict(zip(renderable, shared.pool.map(
        lambda r: shared.renderer.render(r.path, r.name, r.namespace, r.values, r.values_files), renderable)))
    out = []
    for release in releases:
        result = results.get(release)
        out.append((release, result, flatten(parse_yaml(result.text)) if result is not None and result.ok else None))
    return out


def crd_index(docs: list[dict]) -> dict[tuple[str, str], CrdVersion]:
    """(apiVersion, kind) -> schema of every served version of the CRDs among `docs`."""
    out = {}
    for doc in docs:
        if doc.get("kind") != "CustomResourceDefinition":
            continue
        group, kind = doc["spec"]["group"], doc["spec"]["names"]["kind"]
        for version in doc["spec"]["versions"]:
            if version.get("served", True):
                schema = version["schema"]["openAPIV3Schema"]
                out[(f"{group}/{version['name']}", kind)] = CrdVersion(group, version["name"], kind, schema, strict_schema(schema))
    return out


def flatten(docs) -> list[dict]:
    """Rendered documents as Helm applies them: a `v1 List` is its items (Helm flattens it)."""
    out = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "List" and doc.get("apiVersion") == "v1":
            out += [i for i in doc.get("items") or [] if isinstance(i, dict)]
        elif isinstance(doc, dict):
            out.append(doc)
    return out


def _group(obj: dict) -> str:
    api = str(obj.get("apiVersion", ""))
    return api.split("/")[0] if "/" in api else ""


def object_problems(obj: dict, crds: dict[tuple[str, str], CrdVersion], kubernetes: str) -> list[tuple[str, str]]:
    """(field, message) of one rendered object: a chart CRD's schema and CEL, or the strict core schema."""
    crd = crds.get((obj.get("apiVersion"), obj.get("kind")))
    if crd is not None:
        found = validate_custom_resource(obj, crd)
    elif _group(obj) in {c.group for c in crds.values()}:
        return [("apiVersion", f"{obj['apiVersion']} is not a served version of the {obj.get('kind')} CRD the charts ship")]
    elif "." in _group(obj) and not _group(obj).endswith("k8s.io"):
        return []  # a CRD no chart ships (EKS's, or validated from ../shared/schemas by `kubernetes`)
    else:
        found = validate_core(obj, kubernetes)
    where = describe(obj)
    return [(f.where[len(where):].strip(), f.message) for f in found]


def _labels(objects: list[tuple[str, dict]]) -> dict[str, dict]:
    return {o["metadata"]["name"]: dict(o["metadata"].get("labels") or {}) for _, o in objects if o.get("kind") == "Namespace"}


def _levels(objects: list[tuple[str, dict]]) -> dict[str, str]:
    return {name: labels.get(ENFORCE_LABEL, "privileged") for name, labels in _labels(objects).items()}


def readiness_gate_findings(env: str, release: Release, docs: list[dict], labels: dict[str, dict]) -> list[Finding]:
    """Pods behind an ALB (an `alb` Ingress) need the Load Balancer Controller's readiness gates,
    injected only in namespaces labelled for it; without them a rollout drops ALB targets."""
    out = []
    for obj in docs:
        if obj.get("kind") != "Ingress":
            continue
        annotations = obj.get("metadata", {}).get("annotations") or {}
        if (obj.get("spec") or {}).get("ingressClassName") != "alb" and annotations.get("kubernetes.io/ingress.class") != "alb":
            continue
        ns = obj.get("metadata", {}).get("namespace") or release.namespace
        if (labels.get(ns) or {}).get(READINESS_GATE_LABEL) != "enabled":
            out.append(Finding(env, f"{release.where} -> {release.label}: {describe(obj)}", "metadata.namespace",
                               f"namespace {ns} serves ALB targets but does not carry {READINESS_GATE_LABEL}: enabled, "
                               "so rollouts and consolidations leave the ALB without registered targets",
                               "render the label on the namespace (gitops/app_needs.alb_target_namespaces)"))
    return out


def _render(shared: Shared, release: Release, values: dict) -> tuple[str, bool]:
    result = shared.renderer.render(release.path, release.name, release.namespace, values, release.values_files)
    return result.text, result.ok


def _proof(shared: Shared, release: Release, path: tuple[str, ...], baseline: str) -> bool:
    key = (content_digest(release.path), release.name, release.namespace, path, shape(release.values))
    with shared.lock:
        if key in shared.proofs:
            return shared.proofs[key]
    proved = has_effect(release.values, path, baseline, lambda v: _render(shared, release, v))
    with shared.lock:
        shared.proofs[key] = proved
    return proved


def ignored_keys(shared: Shared, release: Release, baseline: str) -> list[str]:
    """Every value key of the release whose removal and change leave the render unchanged.

    One render with each key's strings replaced by markers proves every key whose marker reaches
    the output; the rest are removed, then changed, one at a time."""
    paths = list(leaves(release.values))
    text, ok = _render(shared, release, marked(release.values, paths))
    seen = shown(text, paths) if ok else set()
    rest = [p for p in paths if p not in seen]
    proved = dict(zip(rest, shared.pool.map(lambda p: _proof(shared, release, p, baseline), rest)))
    return [dotted(p) for p in paths if p not in seen and not proved[p]]


def release_findings(env: str, release: Release, docs: list[dict], crds: dict, levels: dict[str, str],
                     kubernetes: str) -> list[Finding]:
    out = []
    for obj in docs:
        if obj.get("kind") == "CustomResourceDefinition":
            continue  # validated by the API server itself; used as schemas here
        where = f"{release.where} -> {release.label}: {describe(obj)}"
        api = api_version_finding(env, where, obj, kubernetes)
        if api:
            out.append(api)
        for field, message in object_problems(obj, crds, kubernetes):
            out.append(Finding(env, where, field, message, f"change the values passed to {release.label} so it renders valid objects"))
        if pod_spec_of(obj) is not None:
            ns = obj.get("metadata", {}).get("namespace") or release.namespace
            level = levels.get(ns, "privileged")
            for v in check_pod_security(obj, level):
                out.append(Finding(env, where, v.path, f"{level}/{v.rule} (enforced by namespace {ns}): {v.message}",
                                   "set the chart's securityContext values, or run it in a namespace of a lower level"))
    return out


def flux_findings(env: str, objects: list[tuple[str, dict]], flux_crds: dict, platform, label: str) -> list[Finding]:
    """The tree's (and CDK's) Flux objects against the CRDs of the flux2 chart installed."""
    cdk = [("CDK FluxBootstrap", git_repository(platform)), ("CDK FluxBootstrap", root_kustomization(platform.env(env)))]
    out = []
    for path, obj in objects + cdk:
        if not _group(obj).endswith(FLUX_GROUP):
            continue
        for field, message in object_problems(obj, flux_crds, platform.versions.kubernetes):
            out.append(Finding(env, f"{path}: {describe(obj)}", field, f"{message} (CRDs of {label})",
                               "use the API versions and fields of the Flux version the pinned flux2 chart installs"))
    return out


def run(inputs: CheckInputs, env: str) -> Timed:
    started = time.perf_counter()
    platform, cache = inputs.platform, inputs.charts_dir
    shared = _shared(inputs)
    objects = [(f.path, o) for f in inputs.gitops().for_env(env) for o in f.objects()]
    findings = [Finding(env, "platform.yaml", f"versions.charts.{m.chart}", m.message(cache), PULL_FIX)
                for m in missing_packages(platform, cache)]
    releases = upstream_renders(inputs, env)
    findings += [Finding(env, r.where, "", f"{r.chart} {r.version} has no package in the chart cache {cache}", PULL_FIX)
                 for r, _, _ in releases if r.path is None and r.version is None]
    renderable = [(r, result) for r, result, _ in releases if result is not None]
    docs: dict[Release, list[dict]] = {}
    for release, result, objs in releases:
        if result is not None and not result.ok:
            findings.append(Finding(env, release.where, "", f"helm template of {release.label} failed: {result.error}",
                                    "fix the values (or the pin) until the chart renders for the cluster's Kubernetes version"))
        elif objs is not None:
            docs[release] = objs
    crds = crd_index([d for ds in docs.values() for d in ds])
    levels = _levels(objects)
    version = platform.versions.kubernetes
    labels = _labels(objects)
    for release, rendered in docs.items():
        findings += release_findings(env, release, rendered, crds, levels, version)
        findings += readiness_gate_findings(env, release, rendered, labels)
    for release, result in renderable:
        if result.ok:
            findings += [Finding(env, release.where, f"values.{key}",
                                 f"value {key} has no effect on chart {release.label}: the render is the same with it "
                                 "removed or changed (Helm ignores keys a chart does not read)",
                                 f"use the key {release.label}'s values.yaml defines for this, or remove it")
                         for key in ignored_keys(shared, release, result.text)]
    flux = next((r for r in docs if r.chart == "flux2" and r.version), None)
    if flux is not None:
        findings += flux_findings(env, objects, crd_index(docs[flux]), platform, flux.label)
    return Timed(findings, time.perf_counter() - started)


def _run(inputs: CheckInputs, env: str) -> Timed:
    try:
        return run(inputs, env)
    except FileNotFoundError as exc:
        raise CheckUnavailable(f"{NAME}: {exc}") from None


CHECK = Check(NAME, "the real upstream charts rendered with the values Flux passes: versions exist, objects valid, every key used",
              _run, needs=("gitops",), envs=("dev", "staging", "prod"))
