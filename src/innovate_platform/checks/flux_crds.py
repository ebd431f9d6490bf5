"""The notification CRDs (Alert, Provider, Receiver) of the Flux version platform.yaml pins, taken
from the flux2 chart package in ../shared/upstream-charts rendered by real helm, so the rendered
Provider and Alert are validated against the controller that will serve them."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import yaml

from ..upstream.cache import package_name, shared_packages_dir

NOTIFICATION_GROUP = "notification.toolkit.fluxcd.io"
_LOCK = threading.Lock()


def notification_crd_root(flux2_version: str, helm: Path, workdir: Path, charts: Path | None = None) -> Path:
    """A directory holding the notification CRDs of flux2 chart `flux2_version` (rendered once)."""
    package = (charts or shared_packages_dir()) / package_name("flux2", flux2_version)
    out = workdir / f"flux2-{flux2_version}-notification-crds"
    with _LOCK:
        target = out / "notification-crds.yaml"
        if target.exists():
            return out
        if not package.exists():
            raise FileNotFoundError(f"{package}: the pinned flux2 chart package is missing; pin a version that "
                                    "../shared/upstream-charts holds (versions.charts.flux2)")
        result = subprocess.run([str(helm), "template", "flux2", str(package)], capture_output=True, text=True,
                                timeout=120, check=False)
        if result.returncode != 0:
            raise FileNotFoundError(f"helm template {package.name} failed: {result.stderr.strip()[-200:]}")
        crds = [d for d in yaml.safe_load_all(result.stdout) if isinstance(d, dict)
                and d.get("kind") == "CustomResourceDefinition" and d["spec"]["group"] == NOTIFICATION_GROUP]
        out.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump_all(crds))
    return out


def is_notification(obj: dict) -> bool:
    return str(obj.get("apiVersion", "")).split("/")[0] == NOTIFICATION_GROUP
