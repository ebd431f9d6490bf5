"""The chart cache: the published package of every chart `platform.yaml` pins, read offline.

Where it is: `--charts DIR`, else $INNOVATE_CHARTS, else `~/.cache/innovate/charts`. Tests and CI
point it at ../shared/upstream-charts. `innovate charts pull` fills it with `helm pull`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..config import Platform

CHARTS_ENV = "INNOVATE_CHARTS"
DEFAULT_CACHE = Path("~/.cache/innovate/charts")

# Where each pinned chart is published (what `helm pull` fetches and Flux's sources point at).
KARPENTER_OCI = "oci://public.ecr.aws/karpenter"
REPOSITORIES: dict[str, str] = {
    "flux2": "https://fluxcd-community.github.io/helm-charts",
    "karpenter": KARPENTER_OCI,
    "karpenter-crd": KARPENTER_OCI,
    "aws-load-balancer-controller": "https://aws.github.io/eks-charts",
    "metrics-server": "https://kubernetes-sigs.github.io/metrics-server/",
    "cluster-autoscaler": "https://kubernetes.github.io/autoscaler",
    "keda": "https://kedacore.github.io/charts",
    "external-dns": "https://kubernetes-sigs.github.io/external-dns/",
}


def cache_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The chart cache in effect: the explicit directory, $INNOVATE_CHARTS, or the default."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(CHARTS_ENV):
        return Path(os.environ[CHARTS_ENV]).expanduser()
    return DEFAULT_CACHE.expanduser()


def shared_packages_dir() -> Path:
    """The chart packages the gate's helpers read when `innovate check` did not pass its cache:
    $INNOVATE_CHARTS, else ../shared/upstream-charts beside the project (the tests' and CI's copy)."""
    if os.environ.get(CHARTS_ENV):
        return Path(os.environ[CHARTS_ENV]).expanduser()
    return Path(__file__).resolve().parents[3].parent / "shared" / "upstream-charts"


def find_helm(tools_root: Path) -> Path | None:
    """The project's helm (`<tools_root>/.tools/bin/helm`, which `make setup` installs), else the one on
    PATH, else None (each caller says what it could not do without it)."""
    local = tools_root / ".tools" / "bin" / "helm"
    if local.exists():
        return local
    found = shutil.which("helm")
    return Path(found) if found else None


def package_name(chart: str, version: str) -> str:
    """The file `helm pull` writes for a chart version."""
    return f"{chart}-{version}.tgz"


def package(cache: Path, chart: str, version: str) -> Path | None:
    """The cached package of `chart` at `version`, or None."""
    path = cache / package_name(chart, version)
    return path if path.is_file() else None


@dataclass(frozen=True)
class Missing:
    """A pinned chart version with no package in the cache."""

    chart: str
    version: str

    def message(self, cache: Path) -> str:
        return f"{self.chart} {self.version} has no package in the chart cache {cache}"


def pinned_charts(platform: Platform) -> dict[str, str]:
    """Chart name -> pinned version (flux2 included, which CDK installs)."""
    return dict(platform.versions.charts)


def missing_packages(platform: Platform, cache: Path) -> list[Missing]:
    return [Missing(c, v) for c, v in pinned_charts(platform).items() if package(cache, c, v) is None]


class PullError(RuntimeError):
    """`helm pull` could not fetch a chart: one line saying what it needs."""


def pull_command(helm: Path, chart: str, version: str, destination: Path) -> list[str]:
    repo = REPOSITORIES[chart]
    if repo.startswith("oci://"):
        return [str(helm), "pull", f"{repo}/{chart}", "--version", version, "--destination", str(destination)]
    return [str(helm), "pull", chart, "--repo", repo, "--version", version, "--destination", str(destination)]


def pull(platform: Platform, cache: Path, helm: Path, timeout: int = 120) -> list[str]:
    """`helm pull` every pinned chart missing from the cache; returns the packages fetched."""
    cache.mkdir(parents=True, exist_ok=True)
    fetched = []
    for chart, version in pinned_charts(platform).items():
        if package(cache, chart, version):
            continue
        command = pull_command(helm, chart, version, cache)
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PullError(f"helm pull {chart} {version} timed out after {timeout} s: `innovate charts pull` needs "
                            f"network access to {REPOSITORIES[chart]}") from None
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["helm pull failed"])[-1]
            raise PullError(f"cannot pull {chart} {version} from {REPOSITORIES[chart]} ({reason}); `innovate charts "
                            f"pull` needs network access to the chart repositories, or copy the package into {cache}")
        fetched.append(package_name(chart, version))
    return fetched
