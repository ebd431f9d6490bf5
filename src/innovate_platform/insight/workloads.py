"""The apps as the insight commands see them: each chart's values.yaml merged with values-<env>.yaml."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..config import ConfigError, Platform

REPO_ROOT = Path(__file__).resolve().parents[3]


class ValuesError(ConfigError):
    """A chart values file the insight commands cannot read or understand."""


def cpu_millicores(value: object, where: str) -> int:
    """'250m' -> 250, '1' or 1 -> 1000, 0.5 -> 500."""
    text = str(value).strip()
    try:
        if text.endswith("m"):
            return int(text[:-1])
        return round(float(text) * 1000)
    except ValueError:
        raise ValuesError(f"{where}: '{value}' is not a CPU quantity (for example 250m or 1)") from None


_MEMORY_UNITS = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "Ti": 1024 * 1024, "K": 1000 / 1048576, "M": 1e6 / 1048576, "G": 1e9 / 1048576}


def memory_mib(value: object, where: str) -> int:
    """'256Mi' -> 256, '1Gi' -> 1024, '512M' -> 489 (rounded up); bytes without a unit."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]i?)?", text)
    if not match:
        raise ValuesError(f"{where}: '{value}' is not a memory quantity (for example 256Mi or 1Gi)")
    number, unit = float(match.group(1)), match.group(2)
    return math.ceil(number * _MEMORY_UNITS[unit] if unit else number / 1048576)


@dataclass(frozen=True)
class AppWorkload:
    """One app in one environment: what it requests, how it scales, where it may run."""

    name: str
    env: str
    cpu_request_m: int
    memory_request_mib: int
    cpu_limit_m: int
    min_replicas: int
    max_replicas: int
    autoscaling_mode: str  # cpu | rps | off
    cpu_target_percent: int
    rps_target_per_pod: float
    zone_spread: str = "ScheduleAnyway"
    zone_min_domains: int | None = None
    zone_max_skew: int = 1
    hostname_spread: str = "ScheduleAnyway"
    pdb_enabled: bool = True
    pdb_max_unavailable: object = 1
    pdb_min_available: object = None
    node_selector: dict[str, str] = field(default_factory=dict)
    tolerations: tuple[dict, ...] = ()
    on_demand_only: bool = False
    ingress_group: str | None = None  # the ALB group name when ingress is enabled
    source: str = ""

    @property
    def cpu_m_per_rps(self) -> float:
        """CPU one request per second costs, assuming a pod at rps.targetPerPod runs at the CPU target."""
        return self.cpu_request_m * self.cpu_target_percent / 100 / self.rps_target_per_pod

    def tolerates(self, key: str, value: str | None = None) -> bool:
        for t in self.tolerations:
            if t.get("operator") == "Exists" and (t.get("key") in (None, key)):
                return True
            if t.get("key") == key and (value is None or str(t.get("value")) == value):
                return True
        return False


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ValuesError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ValuesError(f"{path}: malformed YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ValuesError(f"{path}: expected a mapping of chart values")
    return data


def chart_values(chart_dir: Path, env: str) -> dict:
    """values.yaml merged with values-<env>.yaml (the way Helm merges -f files)."""
    values = _read(chart_dir / "values.yaml")
    env_file = chart_dir / f"values-{env}.yaml"
    if env_file.exists():
        values = _merge(values, _read(env_file))
    return values


def workload_from_values(name: str, env: str, values: dict, source: str = "") -> AppWorkload:
    """Read the fields sizing depends on; a missing or malformed one names the key."""
    where = source or f"charts/{name}"

    def get(path: str, default: object = ...) -> object:
        node: object = values
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                if default is ...:
                    raise ValuesError(f"{where}: {path}: required value is missing")
                return default
            node = node[part]
        return node

    scaling = str(get("autoscaling.mode", "cpu"))
    replicas = int(get("replicaCount", 1))
    pdb = get("podDisruptionBudget", {}) or {}
    return AppWorkload(
        name=name,
        env=env,
        cpu_request_m=cpu_millicores(get("resources.requests.cpu"), f"{where}: resources.requests.cpu"),
        memory_request_mib=memory_mib(get("resources.requests.memory"), f"{where}: resources.requests.memory"),
        cpu_limit_m=cpu_millicores(get("resources.limits.cpu", get("resources.requests.cpu")), f"{where}: resources.limits.cpu"),
        min_replicas=int(get("autoscaling.minReplicas", replicas)) if scaling != "off" else replicas,
        max_replicas=int(get("autoscaling.maxReplicas", replicas)) if scaling != "off" else replicas,
        autoscaling_mode=scaling,
        cpu_target_percent=int(get("autoscaling.cpu.targetUtilization", 70)),
        rps_target_per_pod=float(get("autoscaling.rps.targetPerPod", 100)),
        zone_spread=str(get("topologySpread.zone.whenUnsatisfiable", "ScheduleAnyway")),
        zone_min_domains=get("topologySpread.zone.minDomains", None),  # type: ignore[arg-type]
        zone_max_skew=int(get("topologySpread.zone.maxSkew", 1)),
        hostname_spread=str(get("topologySpread.hostname.whenUnsatisfiable", "ScheduleAnyway")),
        pdb_enabled=bool(pdb.get("enabled", False)),
        pdb_max_unavailable=pdb.get("maxUnavailable"),
        pdb_min_available=pdb.get("minAvailable"),
        node_selector=dict(get("nodeSelector", {}) or {}),
        tolerations=tuple(get("tolerations", ()) or ())
        + (({"key": "innovate.io/lifecycle", "operator": "Equal", "value": "on-demand", "effect": "NoSchedule"},)
           if get("placement.onDemandOnly", False) else ()),
        on_demand_only=bool(get("placement.onDemandOnly", False)),
        ingress_group=name if get("ingress.enabled", False) else None,  # its own ALB unless exposed (below)
        source=where,
    )


def load_workloads(platform: Platform, env: str, root: Path | None = None) -> tuple[AppWorkload, ...]:
    """Every app of platform.yaml in one environment, from its chart's values."""
    root = root or REPO_ROOT
    out = []
    for app in platform.apps:
        chart = root / app.chart
        if not (chart / "values.yaml").exists():
            raise ValuesError(f"{chart / 'values.yaml'}: missing; apps.{app.name}.chart must point at a chart")
        work = workload_from_values(app.name, env, chart_values(chart, env), f"{app.chart}/values[-{env}].yaml")
        if app.exposed and work.ingress_group:
            # The shared class's IngressClassParams put every exposed app in one group (gitops/ingress_classes.py).
            work = dataclasses.replace(work, ingress_group=platform.organisation)
        out.append(work)
    return tuple(out)
