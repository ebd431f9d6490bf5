"""platform-security's image-digest rule, part two: image *rewrites*.

Kustomize and Flux can replace the image a manifest names before it reaches the cluster, so a
digest in the manifest proves nothing once a rewrite moves it to a tag. The rewrites are:

- a kustomization.yaml (`kustomize.config.k8s.io`) `images:` list,
- a Flux Kustomization (`kustomize.toolkit.fluxcd.io`) `spec.images`,
- a HelmRelease (`helm.toolkit.fluxcd.io`) `spec.postRenderers[].kustomize.images`.

Each entry (`name`, `newName`, `newTag`, `digest`) that changes the image must carry `digest`
(`sha256:<64 hex>`), unless its result is one of our own ECR images by an immutable release tag,
exactly as `image_digests.problem` judges a plain reference (docs/adr/0018).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

REWRITE_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
FIX = ("add `digest: sha256:<multi-arch index digest>` to the entry (keep newTag for the reader), or drop the "
       "rewrite and pin the image where it is named (docs/adr/0018-images-pinned-by-digest.md)")


def _entries(value: Any, path: str) -> Iterator[tuple[str, dict]]:
    for i, entry in enumerate(value if isinstance(value, list) else []):
        if isinstance(entry, dict):
            yield f"{path}[{i}]", entry


def rewrite_entries(obj: dict) -> Iterator[tuple[str, dict]]:
    """(field path, entry) for every image rewrite an object declares."""
    api = str(obj.get("apiVersion", ""))
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if api.startswith("kustomize.config.k8s.io/"):
        yield from _entries(obj.get("images"), "images")
    elif api.startswith("kustomize.toolkit.fluxcd.io/") and obj.get("kind") == "Kustomization":
        yield from _entries(spec.get("images"), "spec.images")
    elif api.startswith("helm.toolkit.fluxcd.io/") and obj.get("kind") == "HelmRelease":
        for j, renderer in enumerate(spec.get("postRenderers") or []):
            kustomize = renderer.get("kustomize") if isinstance(renderer, dict) else None
            if isinstance(kustomize, dict):
                yield from _entries(kustomize.get("images"), f"spec.postRenderers[{j}].kustomize.images")


def entry_problem(entry: dict, problem) -> str | None:
    """Why a rewrite entry leaves its image unpinned, or None. `problem` judges a plain reference."""
    name = str(entry.get("newName") or entry.get("name") or "?")
    digest = entry.get("digest")
    if digest is not None:
        if REWRITE_DIGEST.fullmatch(str(digest)):
            return None
        return f"image rewrite of {entry.get('name', '?')} has a malformed digest {digest!r} (want sha256: and 64 lowercase hex)"
    if "newName" not in entry and "newTag" not in entry:
        return None  # names an image but changes nothing
    result = f"{name}:{entry['newTag']}" if "newTag" in entry else name
    if problem(result) is None:
        return None  # e.g. our ECR image by an immutable release tag
    return (f"image rewrite of {entry.get('name', '?')} to {result} has no digest: the rewritten image is "
            "pinned by tag only, whatever the manifest it rewrites names")


def rewrite_problems(docs: Iterable[Any], problem) -> Iterator[tuple[dict, str, str]]:
    """(object, field, message) for every unpinned rewrite in the documents of one file."""
    for obj in docs:
        if not isinstance(obj, dict):
            continue
        for field, entry in rewrite_entries(obj):
            found = entry_problem(entry, problem)
            if found:
                yield obj, field, found
