"""The system add-on footprint derived from the rendered upstream charts: for every controller
release of the environment's GitOps tree (and the flux2 release CDK installs), each Deployment
and StatefulSet the real chart renders with those values, as replicas x the pod's requests.

Read from the committed gitops/ tree (cluster-vars substituted with placeholders) and the chart
cache (`innovate charts pull`, $INNOVATE_CHARTS); renders are shared with `innovate check`'s disk
cache, so this costs a helm run per release only the first time.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..checks.manifests import substitute
from ..config import ConfigError, Environment, Platform
from ..gitops.bootstrap import TREE_ROOT
from ..gitops.objects import SYSTEM_NODE_SELECTOR
from ..gitops.verify import placeholder_cluster_vars
from ..upstream.cache import cache_dir, find_helm
from ..upstream.releases import Release, flux_release, tree_releases
from ..upstream.render import Renderer
from .addons import AddonPods
from .workloads import REPO_ROOT, cpu_millicores, memory_mib

CONTROLLER_DIRS = ("infrastructure/controllers", "infrastructure/addons")
WORKLOADS = ("Deployment", "StatefulSet")


def _helm() -> Path:
    found = find_helm(REPO_ROOT)
    if found is None:
        raise ConfigError("helm is not installed (.tools/bin/helm): the add-on footprint is rendered from the charts; run `make setup`")
    return found


def controller_releases(platform: Platform, env: Environment, root: Path, cache: Path) -> list[Release]:
    """The flux2 release and every upstream-chart HelmRelease of the environment's controller layers."""
    variables = placeholder_cluster_vars(platform, env)
    objects = []
    for directory in CONTROLLER_DIRS:
        folder = root / TREE_ROOT / directory / env.name
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            text = substitute(path.read_text(), variables)
            rel = path.relative_to(root).as_posix()
            objects += [(rel, d) for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    releases = [flux_release(platform, env.name, cache)] + tree_releases(env.name, objects, cache, root)
    return [r for r in releases if r.version]  # the apps' own charts are modelled from their values


def _pod_requests(pod: dict, where: str) -> tuple[int, int]:
    cpu = mem = 0
    for container in pod.get("containers") or []:
        requests = (container.get("resources") or {}).get("requests") or {}
        cpu += cpu_millicores(requests["cpu"], where) if "cpu" in requests else 0
        mem += memory_mib(requests["memory"], where) if "memory" in requests else 0
    return cpu, mem


def rendered_addons(release: Release, text: str) -> list[AddonPods]:
    """System-group workloads of one rendered release (pods selecting the system nodes)."""
    out = []
    for doc in yaml.safe_load_all(text):
        if not isinstance(doc, dict) or doc.get("kind") not in WORKLOADS:
            continue
        pod = ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
        if any((pod.get("nodeSelector") or {}).get(k) != v for k, v in SYSTEM_NODE_SELECTOR.items()):
            continue  # not on the system group
        name = doc["metadata"]["name"]
        cpu, mem = _pod_requests(pod, f"{release.label} {doc['kind']} {name}")
        replicas = int((doc.get("spec") or {}).get("replicas", 1))
        out.append(AddonPods(name, replicas, cpu, mem, f"{release.label} rendered with the values of {release.where}"))
    return out


def chart_addons(platform: Platform, env: Environment, root: Path | None = None, cache: Path | None = None,
                 renderer: Renderer | None = None) -> tuple[AddonPods, ...]:
    """Every system-group pod the platform's charts run in this environment, from the real renders."""
    root = root or REPO_ROOT
    cache = cache or cache_dir()
    renderer = renderer or Renderer(_helm(), platform.versions.kubernetes)
    out: list[AddonPods] = []
    for release in controller_releases(platform, env, root, cache):
        if release.path is None:
            raise ConfigError(f"versions.charts.{release.chart}: {release.chart} {release.version} is not in the chart "
                              f"cache {cache}; the add-on footprint is rendered from it: run `innovate charts pull` "
                              "(or set INNOVATE_CHARTS)")
        result = renderer.render(release.path, release.name, release.namespace, release.values)
        if not result.ok:
            raise ConfigError(f"{release.where}: helm template of {release.label} failed ({result.error}); run innovate check")
        out += rendered_addons(release, result.text)
    return tuple(out)
