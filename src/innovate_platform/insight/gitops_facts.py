"""Facts read from the rendered GitOps tree (gitops/): add-on replicas and requests, Karpenter root volumes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from ..config import Environment
from .addons import AddonPods, system_addons
from .workloads import REPO_ROOT, ValuesError, cpu_millicores, memory_mib

KARPENTER_DEFAULT_ROOT_GIB = 20  # Karpenter's AL2023 default blockDeviceMappings (verify) when gitops/ has none


def _documents(path: Path) -> list[dict]:
    try:
        return [d for d in yaml.safe_load_all(path.read_text()) if isinstance(d, dict)]
    except (OSError, yaml.YAMLError):
        return []


def karpenter_root_volume_gib(env: Environment, root: Path | None = None) -> int:
    """The EC2NodeClass root volume size the GitOps layer renders for this environment."""
    path = (root or REPO_ROOT) / "gitops" / "infrastructure" / "configs" / env.name / "node-pools.yaml"
    for doc in _documents(path):
        if doc.get("kind") != "EC2NodeClass":
            continue
        for mapping in (doc.get("spec") or {}).get("blockDeviceMappings") or []:
            if mapping.get("rootVolume") or mapping.get("deviceName") == "/dev/xvda":
                size = str((mapping.get("ebs") or {}).get("volumeSize", ""))
                if size.endswith("Gi") and size[:-2].isdigit():
                    return int(size[:-2])
    return KARPENTER_DEFAULT_ROOT_GIB


def _requests(values: dict) -> dict | None:
    for path in (("controller", "resources", "requests"), ("resources", "requests"), ("operator", "resources", "requests")):
        node: object = values
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node
    return None


def system_addons_from_gitops(env: Environment, root: Path | None = None) -> tuple[AddonPods, ...]:
    """The add-on table with replicas and requests overridden by the HelmReleases in gitops/."""
    folder = (root or REPO_ROOT) / "gitops" / "infrastructure" / "controllers" / env.name
    releases: dict[str, dict] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        for doc in _documents(path):
            if doc.get("kind") == "HelmRelease":
                releases[(doc.get("metadata") or {}).get("name", "")] = ((doc.get("spec") or {}).get("values") or {}, path)
    out = []
    for addon in system_addons(env):
        found = releases.get(addon.name)
        if not found:
            out.append(addon)
            continue
        values, path = found
        requests = _requests(values) or {}
        where = f"{path.relative_to(root or REPO_ROOT)}"
        try:
            cpu = cpu_millicores(requests["cpu"], where) if "cpu" in requests else addon.cpu_m
            mem = memory_mib(requests["memory"], where) if "memory" in requests else addon.memory_mib
        except ValuesError:
            cpu, mem = addon.cpu_m, addon.memory_mib
        replicas = int(values.get("replicas", values.get("replicaCount", addon.replicas)))
        out.append(replace(addon, replicas=replicas, cpu_m=cpu, memory_mib=mem, source=f"{where} (requests: {addon.source})"
                           if not requests else where))
    return tuple(out)
