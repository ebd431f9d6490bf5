"""Every Helm release a cluster gets, as Flux (or CDK, for flux2) would install it: the chart
(a package from the chart cache, or a chart directory of this repository), release name,
namespace, values files and values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Platform
from ..gitops.flux_values import FLUX_CHART, FLUX_RELEASE, flux_values
from ..gitops.bootstrap import FLUX_NAMESPACE
from .cache import package


@dataclass(frozen=True, eq=False)
class Release:
    """One release of one chart in one environment."""

    env: str
    where: str  # the tree file and object, or the CDK construct
    name: str
    namespace: str
    chart: str  # chart name (upstream) or path (this repository's chart)
    version: str | None  # None for a chart of this repository
    path: Path | None  # the package or chart directory; None when the cache lacks it
    values: dict[str, Any] = field(default_factory=dict)
    values_files: tuple[Path, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.chart} {self.version}" if self.version else self.chart


def flux_release(platform: Platform, env: str, cache: Path) -> Release:
    """The flux2 release CDK installs (aws/constructs/flux.py), with exactly its values."""
    version = platform.versions.charts[FLUX_CHART]
    return Release(env, "CDK FluxBootstrap (aws/constructs/flux.py)", FLUX_RELEASE, FLUX_NAMESPACE, FLUX_CHART,
                   version, package(cache, FLUX_CHART, version), flux_values())


def _by_kind(objects: list[tuple[str, dict]], kind: str) -> dict[tuple[str, str], dict]:
    return {(o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for _, o in objects if o.get("kind") == kind}


def tree_releases(env: str, objects: list[tuple[str, dict]], cache: Path, root: Path) -> list[Release]:
    """The HelmReleases of an environment's effective tree ((file, object) pairs, cluster-vars in)."""
    oci = _by_kind(objects, "OCIRepository")
    out = []
    for path, obj in objects:
        if obj.get("kind") != "HelmRelease":
            continue
        meta, spec = obj["metadata"], obj.get("spec") or {}
        ns = meta.get("namespace", "")
        name = spec.get("releaseName") or meta["name"]
        target = spec.get("targetNamespace") or ns
        where = f"{path}: HelmRelease {ns}/{meta['name']}"
        values = spec.get("values") or {}
        if "chartRef" in spec:
            source = oci.get((spec["chartRef"].get("namespace", ns), spec["chartRef"]["name"]))
            if source is None:
                continue  # the kubernetes check names a dangling reference
            chart = source["spec"]["url"].rstrip("/").rsplit("/", 1)[-1]
            version = str((source["spec"].get("ref") or {}).get("tag", ""))
            out.append(Release(env, where, name, target, chart, version, package(cache, chart, version), values))
            continue
        chart_spec = (spec.get("chart") or {}).get("spec") or {}
        if chart_spec.get("sourceRef", {}).get("kind") == "GitRepository":
            directory = (root / chart_spec["chart"]).resolve()
            files = tuple((root / f).resolve() for f in chart_spec.get("valuesFiles") or ())
            out.append(Release(env, where, name, target, chart_spec["chart"].removeprefix("./"), None,
                               directory if directory.is_dir() else None, values, files))
            continue
        chart, version = chart_spec.get("chart", ""), str(chart_spec.get("version", ""))
        out.append(Release(env, where, name, target, chart, version, package(cache, chart, version), values))
    return out
