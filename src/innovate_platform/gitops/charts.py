"""What the GitOps layer needs to know about an app's chart: its workload name, pod labels, scaling."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import App, Environment


class ChartError(ValueError):
    """An app's chart or values file is missing or unreadable."""


@dataclass(frozen=True)
class ChartWorkload:
    """The Deployment an app's chart renders in one environment."""

    deployment: str
    pod_labels: dict[str, str]
    autoscaling_mode: str  # cpu (HPA), rps (KEDA ScaledObject) or off
    replicas: int  # what the morning restores: the HPA/KEDA minimum, or the fixed count
    values: dict[str, Any]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ChartError(f"{path}: cannot read ({exc.strerror}); the app's chart must exist before rendering") from None
    if not isinstance(data, dict):
        raise ChartError(f"{path}: expected a mapping")
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's values merge: mappings merge key by key, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def values_files(app: App, env: Environment) -> list[str]:
    """The chart's values files, in order, as paths from the repository root."""
    return [f"./{app.chart}/values.yaml", f"./{app.chart}/values-{env.name}.yaml"]


def chart_values(base_dir: Path, app: App, env: Environment) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for rel in values_files(app, env):
        values = merge(values, _read(base_dir / rel))
    return values


def chart_workload(base_dir: Path, app: App, env: Environment) -> ChartWorkload:
    """Names as the chart's `innovate.name`/`innovate.fullname` helpers compute them for release `app.name`."""
    chart_name = _read(base_dir / app.chart / "Chart.yaml").get("name", app.name)
    values = chart_values(base_dir, app, env)
    name = (values.get("nameOverride") or chart_name)[:63].rstrip("-")
    release = app.name
    if values.get("fullnameOverride"):
        fullname = values["fullnameOverride"]
    else:
        fullname = release if name in release else f"{release}-{name}"
    fullname = fullname[:63].rstrip("-")
    scaling = values.get("autoscaling") or {}
    mode = str(scaling.get("mode", "off"))
    replicas = int(scaling.get("minReplicas", 1)) if mode != "off" else int(values.get("replicaCount", 1))
    return ChartWorkload(
        deployment=fullname,
        pod_labels={"app.kubernetes.io/name": name, "app.kubernetes.io/instance": release},
        autoscaling_mode=mode,
        replicas=max(replicas, 1),
        values=values,
    )
