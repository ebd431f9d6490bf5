"""The GitOps layer: renders the gitops/ tree Flux reconciles, from platform.yaml and the charts."""

from .bootstrap import (
    CLUSTER_VARS_CONFIGMAP,
    FLUX_NAMESPACE,
    GIT_REPOSITORY_NAME,
    ROOT_KUSTOMIZATION_NAME,
    root_kustomization_path,
)
from .tree import render_tree, stale_files, write_tree

__all__ = [
    "CLUSTER_VARS_CONFIGMAP", "FLUX_NAMESPACE", "GIT_REPOSITORY_NAME", "ROOT_KUSTOMIZATION_NAME",
    "render_tree", "root_kustomization_path", "stale_files", "write_tree",
]
