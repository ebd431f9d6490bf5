"""Security groups for pods: the database-using apps' pods get their own security group (prod)."""

from __future__ import annotations

from pathlib import Path

from ..config import Environment, Platform
from .charts import chart_workload
from .objects import Obj, meta, var


def render_security_group_policies(platform: Platform, env: Environment, base_dir: Path) -> list[Obj]:
    """One SecurityGroupPolicy per database app, selecting exactly that app's pods by the chart's selector labels."""
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
                    "podSelector": {"matchLabels": dict(work.pod_labels)},
                    "securityGroups": {"groupIds": [var(f"{app.name}_pod_security_group_id")]},
                },
            }
        )
    return out
