"""Security groups for pods: the database-using apps' pods get their own security group (prod)."""

from __future__ import annotations

from pathlib import Path

from ..config import Environment, Platform
from .charts import chart_workload
from .objects import Obj, meta, var


MIGRATION_SUFFIX = "-migrate"  # charts/api/templates/_migration.tpl: the migration Job's pods are <name>-migrate


def _selector(pod_labels: dict[str, str], migrations: bool) -> dict:
    """The app's pods and, when the chart runs a migration Job, its pods too (they reach RDS)."""
    if not migrations:
        return {"matchLabels": dict(pod_labels)}
    name, instance = pod_labels["app.kubernetes.io/name"], pod_labels["app.kubernetes.io/instance"]
    return {"matchExpressions": [
        {"key": "app.kubernetes.io/instance", "operator": "In", "values": [instance]},
        {"key": "app.kubernetes.io/name", "operator": "In", "values": [name, f"{name}{MIGRATION_SUFFIX}"]},
    ]}


def render_security_group_policies(platform: Platform, env: Environment, base_dir: Path) -> list[Obj]:
    """One SecurityGroupPolicy per database app, selecting exactly that app's pods (and its migration Job's)."""
    if not env.pod_security_groups:
        return []
    out = []
    for app in platform.apps:
        if not app.database:
            continue
        work = chart_workload(base_dir, app, env)
        out.append(
            {
                "apiVersion": "vpcresources.k8s.aws/v1beta1",
                "kind": "SecurityGroupPolicy",
                "metadata": meta(app.name, app.namespace),
                "spec": {
                    "podSelector": _selector(work.pod_labels, migrations=bool((work.values.get("migrations") or {}).get("enabled"))),
                    "securityGroups": {"groupIds": [var(f"{app.name}_pod_security_group_id")]},
                },
            }
        )
    return out
