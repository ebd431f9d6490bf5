"""Names the CDK bootstrap and the rendered tree share: Flux's source, root Kustomization, cluster-vars.

CDK installs Flux, a GitRepository and a root Kustomization with these names; the rendered
layers refer to them, so neither side may rename them alone.
"""

from __future__ import annotations

from ..config import Environment

FLUX_NAMESPACE = "flux-system"
GIT_REPOSITORY_NAME = "flux-system"
ROOT_KUSTOMIZATION_NAME = "flux-system"
CLUSTER_VARS_CONFIGMAP = "cluster-vars"
TREE_ROOT = "gitops"


def root_kustomization_path(env: Environment | str) -> str:
    """The path the root Kustomization reconciles, e.g. `./gitops/clusters/dev`."""
    name = env if isinstance(env, str) else env.name
    return f"./{TREE_ROOT}/clusters/{name}"
