"""Facts read from the rendered GitOps tree (gitops/): the system add-on footprint (rendered charts), Karpenter root volumes."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..config import Environment, Platform, load_platform
from .addon_footprint import chart_addons
from .addons import AddonPods, system_addons
from .workloads import REPO_ROOT

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


def system_addons_from_gitops(env: Environment, root: Path | None = None, platform: Platform | None = None) -> tuple[AddonPods, ...]:
    """The system node group's pods: the EKS managed add-ons, then every controller the GitOps tree
    (and CDK's flux2) installs, derived from its rendered chart (replicas x requests)."""
    root = root or REPO_ROOT
    platform = platform or load_platform(root / "platform.yaml")
    return system_addons(env) + chart_addons(platform, env, root)
