"""The apps' Ingress values that come from the edge CDK builds: the hostname (platform.yaml
`dns.hosts`), the ACM certificate ARN, the WAF web ACL ARN and the access-log bucket, all through
`cluster-vars`, and the ALB's source ranges and deletion protection from `edge`. No values file
types them."""

from __future__ import annotations

from typing import Any

from ..config import App, Environment
from ..naming import ALB_LOG_BUCKET_VAR, CERTIFICATE_ARN_VAR, WAF_ACL_ARN_VAR, host_var
from .charts import ChartError
from .objects import Obj, var


def ingress_values(env: Environment, app: App, chart: dict[str, Any]) -> Obj:
    """Host and certificate for a chart whose Ingress is enabled in this environment; else nothing."""
    ingress = chart.get("ingress") or {}
    if not ingress.get("enabled"):
        return {}
    if app.name not in env.dns.hosts:
        raise ChartError(
            f"{app.chart}/values-{env.name}.yaml enables the Ingress but environments.{env.name}.dns.hosts "
            f"has no host for {app.name}; add `{app.name}: <name in {env.dns.zone_name}>` there"
        )
    values: Obj = {"host": var(host_var(app.name)), "certificateArn": var(CERTIFICATE_ARN_VAR),
                   "wafAclArn": var(WAF_ACL_ARN_VAR), "accessLogBucket": var(ALB_LOG_BUCKET_VAR)}
    # Known before deployment (platform.yaml edge), so literal.
    if env.edge.inbound_cidrs:
        values["inboundCidrs"] = list(env.edge.inbound_cidrs)
    if env.edge.deletion_protection:
        values["deletionProtection"] = True
    return {"ingress": values}
