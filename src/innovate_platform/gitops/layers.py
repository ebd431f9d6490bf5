"""clusters/<env>: one Flux Kustomization per layer, chained infra-controllers -> infra-configs -> apps.

infra-addons (metrics-server, KEDA) waits for infra-controllers but nothing waits for it: one
failing optional controller can never block NodePools, namespaces or apps."""

from __future__ import annotations

from ..config import Environment
from .bootstrap import CLUSTER_VARS_CONFIGMAP, FLUX_NAMESPACE, GIT_REPOSITORY_NAME, TREE_ROOT
from .objects import Obj, meta

# (layer, directory under gitops/ without the env, the layer it waits for)
LAYERS: tuple[tuple[str, str, str | None], ...] = (
    ("infra-controllers", "infrastructure/controllers", None),
    ("infra-addons", "infrastructure/addons", "infra-controllers"),
    ("infra-configs", "infrastructure/configs", "infra-controllers"),
    ("apps", "apps", "infra-configs"),
)


def layer_path(directory: str, env: Environment) -> str:
    return f"./{TREE_ROOT}/{directory}/{env.name}"


def layer_kustomization(name: str, directory: str, depends_on: str | None, env: Environment) -> Obj:
    """A layer: pruned, waited on until every object is healthy, substituted from cluster-vars."""
    spec: Obj = {}
    if depends_on:
        spec["dependsOn"] = [{"name": depends_on}]
    spec |= {
        "interval": "10m",
        "retryInterval": "1m",
        "timeout": "15m",
        "sourceRef": {"kind": "GitRepository", "name": GIT_REPOSITORY_NAME},
        "path": layer_path(directory, env),
        "prune": True,
        "wait": True,
        "postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": CLUSTER_VARS_CONFIGMAP}]},
    }
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": meta(name, FLUX_NAMESPACE),
        "spec": spec,
    }


def render_layers(env: Environment) -> dict[str, list[Obj]]:
    """File name -> the layer's Kustomization."""
    return {f"{name}.yaml": [layer_kustomization(name, d, dep, env)] for name, d, dep in LAYERS}


def kustomize_file(resources: list[str]) -> Obj:
    """The kustomization.yaml that lets `kubectl kustomize` (and Flux) build a directory."""
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": sorted(resources)}
