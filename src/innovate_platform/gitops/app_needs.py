"""What the apps of an environment need from the platform, read from their charts' values:
KEDA (an app scaling on requests per second) and ALB pod readiness gates (an app behind an ALB)."""

from __future__ import annotations

from pathlib import Path

from ..config import Environment, Platform
from .charts import chart_values, chart_workload

# The AWS Load Balancer Controller injects target-health readiness gates into pods created in
# namespaces carrying this label, so a rollout or consolidation waits for ALB registration.
READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"


def uses_keda(platform: Platform, env: Environment, base_dir: Path) -> bool:
    """True when some app of the environment scales with a KEDA ScaledObject."""
    return any(chart_workload(base_dir, app, env).autoscaling_mode == "rps" for app in platform.apps)


def alb_target_namespaces(platform: Platform, env: Environment, base_dir: Path) -> frozenset[str]:
    """Namespaces of the apps whose chart renders an (ALB) Ingress in this environment."""
    return frozenset(
        app.namespace for app in platform.apps
        if ((chart_values(base_dir, app, env).get("ingress") or {}).get("enabled"))
    )
