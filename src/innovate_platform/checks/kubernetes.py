"""`kubernetes`: every object of the GitOps tree and of each chart, per environment, valid for the
cluster's Kubernetes version (CRDs with their CEL rules), on no removed or deprecated API
version, with pinned images and (long-running workloads) probes; and the committed tree equal
to a fresh render."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from .flux_crds import is_notification, notification_crd_root
from .inputs import CheckInputs, ManifestFile
from .manifests import validate_object
from .model import Check, CheckUnavailable, Finding

# (apiVersion, kind) -> (deprecated in, removed in or None, use instead). From the Kubernetes
# deprecated API migration guide; "*" matches every kind of the group version.
DEPRECATED_APIS: dict[tuple[str, str], tuple[str, str | None, str]] = {
    ("extensions/v1beta1", "*"): ("1.8", "1.22", "apps/v1 or networking.k8s.io/v1"),
    ("apps/v1beta1", "*"): ("1.9", "1.16", "apps/v1"),
    ("apps/v1beta2", "*"): ("1.9", "1.16", "apps/v1"),
    ("networking.k8s.io/v1beta1", "*"): ("1.19", "1.22", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "*"): ("1.17", "1.22", "rbac.authorization.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "*"): ("1.16", "1.22", "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", "*"): ("1.16", "1.22", "apiextensions.k8s.io/v1"),
    ("batch/v1beta1", "CronJob"): ("1.21", "1.25", "batch/v1"),
    ("policy/v1beta1", "*"): ("1.21", "1.25", "policy/v1 (PodSecurityPolicy: Pod Security Admission labels)"),
    ("autoscaling/v2beta1", "*"): ("1.22", "1.25", "autoscaling/v2"),
    ("autoscaling/v2beta2", "*"): ("1.23", "1.26", "autoscaling/v2"),
    ("discovery.k8s.io/v1beta1", "*"): ("1.21", "1.25", "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "*"): ("1.19", "1.25", "events.k8s.io/v1"),
    ("node.k8s.io/v1beta1", "*"): ("1.20", "1.25", "node.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): ("1.24", "1.27", "storage.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "*"): ("1.26", "1.29", "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "*"): ("1.29", "1.32", "flowcontrol.apiserver.k8s.io/v1"),
    ("v1", "Endpoints"): ("1.33", None, "discovery.k8s.io/v1 EndpointSlice"),
}


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def api_version_finding(env: str, where: str, obj: dict, kubernetes_version: str) -> Finding | None:
    """A removed or deprecated apiVersion for the cluster's version, or None."""
    api, kind = str(obj.get("apiVersion")), str(obj.get("kind"))
    entry = DEPRECATED_APIS.get((api, kind)) or DEPRECATED_APIS.get((api, "*"))
    if entry is None:
        return None
    deprecated, removed, instead = entry
    cluster = _minor(kubernetes_version)
    if removed and cluster >= _minor(removed):
        state = f"was removed in Kubernetes {removed}"
    elif cluster >= _minor(deprecated):
        state = f"is deprecated since Kubernetes {deprecated}" + (f" and removed in {removed}" if removed else "")
    else:
        return None
    return Finding(env, where, "apiVersion", f"{api} {kind} {state} (cluster runs {kubernetes_version})", f"use {instead}")


def describe(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind', '?')} {ns}{meta.get('name', '?')}"


def object_findings(env: str, file: ManifestFile, obj: dict, kubernetes_version: str,
                    schema_root: Path | None = None) -> Iterator[Finding]:
    where = f"{file.path}: {describe(obj)}"
    api = api_version_finding(env, where, obj, kubernetes_version)
    if api:
        yield api
    for problem in validate_object(obj, kubernetes_version, schema_root):
        field = problem.where[len(describe(obj)):].strip() if problem.where.startswith(describe(obj)) else problem.where
        if api and "not served" in problem.message:
            continue  # already named with its replacement
        if "latest" in problem.message or "no tag" in problem.message or "not an exact" in problem.message:
            fix = "pin an exact version tag (or digest); never latest"
        elif "not served" in problem.message:
            fix = "use the apiVersion the cluster serves"
        else:
            fix = f"make the field valid for Kubernetes {kubernetes_version} (schema and CEL rules)"
        yield Finding(env, where, field.lstrip("."), problem.message, fix)


LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")


def probe_findings(env: str, file: ManifestFile, obj: dict) -> Iterator[Finding]:
    """Long-running workloads have liveness and readiness probes on every container (one-shot
    Jobs and helm test Pods do not need them)."""
    if obj.get("kind") not in LONG_RUNNING:
        return
    containers = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    for i, container in enumerate(containers):
        for probe in ("livenessProbe", "readinessProbe"):
            if not (container or {}).get(probe):
                yield Finding(env, f"{file.path}: {describe(obj)}", f"spec.template.spec.containers[{i}].{probe}",
                              f"container {(container or {}).get('name')!r} has no {probe}",
                              f"add a {probe} (an HTTP health endpoint) so Kubernetes restarts or unroutes a broken pod")


def manifest_findings(env: str, files: Iterable[ManifestFile], kubernetes_version: str,
                      notification_root: Path | None = None) -> list[Finding]:
    """Flux notification objects are validated against the pinned flux2 chart's CRDs (checks/flux_crds.py)."""
    return [f for file in files for obj in file.objects()
            for f in (*object_findings(env, file, obj, kubernetes_version, notification_root if is_notification(obj) else None),
                      *probe_findings(env, file, obj))]


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    version = inputs.platform.versions.kubernetes
    gitops, charts = inputs.gitops(), inputs.charts()
    findings = [p for p in gitops.problems + charts.problems if p.env == env]
    findings += [Finding(env, path, "", "the committed file differs from what platform.yaml renders",
                         "run `innovate gitops` and commit the result") for path in gitops.stale if f"/{env}/" in path]
    try:
        files = gitops.for_env(env) + charts.for_env(env)
        notification_root = None
        if any(is_notification(o) for f in files for o in f.objects()):
            notification_root = notification_crd_root(inputs.platform.versions.charts["flux2"], inputs.helm, inputs.workdir)
        return findings + manifest_findings(env, files, version, notification_root)
    except FileNotFoundError as exc:  # ../shared/schemas missing: the CRDs cannot be validated
        raise CheckUnavailable(str(exc)) from None


CHECK = Check("kubernetes", "schemas, CRDs with CEL, API versions and image pins of every rendered object", run,
              needs=("gitops", "charts"), envs=("dev", "staging", "prod"))
