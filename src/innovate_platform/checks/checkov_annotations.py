"""checkov's per-resource skips: `checkov.io/skip<N>: <CHECK_ID>=<reason>` annotations on the
manifests checkov scans (our charts put one on a workload whose image is our ECR image by tag).

Listed as notes next to `.checkov.yaml`'s skips, so `innovate check` shows every skip with its reason.
An annotation without a reason, or whose reason contains `=`, is an error: checkov 3.3.30 reads it
with `id, reason = value.split("=")` (checkov/kubernetes/kubernetes_utils.py), which fails on a
second `=`.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from .model import ERROR, NOTE, Finding

SKIP_KEY = re.compile(r"(?:checkov|bridgecrew|cortex)\.io/skip\d*")


def skip_annotations(obj: dict) -> Iterator[tuple[str, str]]:
    """(annotation key, value) for each checkov skip annotation of one object."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    for key, value in annotations.items() if isinstance(annotations, dict) else ():
        if SKIP_KEY.fullmatch(str(key)):
            yield str(key), str(value)


def annotation_findings(env: str, label: str, objects: Iterable[dict]) -> list[Finding]:
    out = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        resource = f"{label}: {obj.get('kind', '?')} {meta.get('namespace', '')}/{meta.get('name', '?')}".replace(" /", " ")
        for key, value in skip_annotations(obj):
            check_id, _, reason = value.partition("=")
            field = f"metadata.annotations.{key}"
            if "=" in reason:
                out.append(Finding(env, resource, field, f"the reason for skipping {check_id} contains '=': checkov "
                                   "splits the annotation on every '=' and fails to read it",
                                   "write the reason without '='", ERROR))
            elif len(reason.strip()) < 10:
                out.append(Finding(env, resource, field, f"{check_id} skipped without a reason",
                                   f"write why {check_id} does not apply after '{check_id}=', or stop skipping it", ERROR))
            else:
                out.append(Finding(env, resource, field, f"{check_id} skipped on this resource: {reason.strip()}",
                                   "none (skipped with a reason)", NOTE))
    return out
