"""apps: one HelmRelease per app, from its chart in this repository with the environment's values file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import App, Environment, Platform
from ..network_layout import subnet_layout
from ..naming import USER_POOL_ISSUER_VAR, alb_arn_prefix, app_role, migrator_role
from .bootstrap import FLUX_NAMESPACE
from .charts import chart_values, values_files
from .edge import ingress_values
from .objects import Obj, chart_from_git, helm_release, var
from .reconciler import reconciler_name


def cluster_values(platform: Platform, env: Environment, app: App, chart: dict[str, Any]) -> Obj:
    """Only what cluster-vars knows (role ARN, database endpoint, bucket, region, VPC CIDR, host and
    certificate) and the shared ALB's ARN prefix an exposed app trusts identities from, and only for
    keys the chart has; everything else stays in the chart's values files."""
    values: Obj = {}
    if (app.s3_bucket or app.database) and "serviceAccount" in chart:
        values["serviceAccount"] = {"roleArn": var(app_role(app.name, app.namespace).var)}
    if app.database and "serviceAccount" in (chart.get("migrations") or {}):
        values["migrations"] = {"serviceAccount": {"roleArn": var(migrator_role(app.name, app.namespace).var)}}
    chart_env = chart.get("env") or {}
    env_values = {}
    if app.database:
        # Not DB_PORT: Flux substitution turns a numeric value into a YAML number, and the chart
        # wants strings; the chart's default port is RDS's.
        env_values |= {"DB_HOST": var("db_host"), "DB_NAME": var("db_name"), "DB_USER": var("db_user")}
    if app.s3_bucket:
        env_values["S3_BUCKET"] = var(f"{app.name}_bucket")
    env_values["AWS_REGION"] = var("aws_region")
    if app.exposed:
        # Known before deployment (the ALB's name is fixed; ELB picks the id): literal.
        env_values["AUTH_ALB_ARN"] = alb_arn_prefix(platform, env)
        # The IdP the API trusts: the Cognito pool's issuer from cluster-vars, or the OIDC issuer (literal).
        oidc = env.edge.auth.oidc
        env_values["AUTH_ISSUER"] = oidc.issuer if oidc is not None else var(USER_POOL_ISSUER_VAR)
    env_values = {k: v for k, v in env_values.items() if k in chart_env}
    if env_values:
        values["env"] = env_values
    if "vpcCidrs" in (chart.get("networkPolicy") or {}):
        # The ALB subnets are known before deployment (network_layout), so they are literal.
        values["networkPolicy"] = {"vpcCidrs": [var("vpc_cidr")], "albSubnetCidrs": list(subnet_layout(env).public)}
    values |= ingress_values(env, app, chart)
    return values


def app_release(platform: Platform, env: Environment, app: App, base_dir: Path) -> Obj:
    chart = chart_values(base_dir, app, env)
    release = helm_release(
        app.name,
        FLUX_NAMESPACE,
        chart=chart_from_git(f"./{app.chart}", values_files(app, env)),
        values=cluster_values(platform, env, app, chart),
        extra_spec={
            "targetNamespace": app.namespace,
            "storageNamespace": app.namespace,
            # Not as helm-controller's cluster-admin: a Role in the app's namespace only (reconciler.py).
            "serviceAccountName": reconciler_name(app),
            # The HPA and the dev sleep own the replica count, not the chart.
            "driftDetection": {
                "mode": "enabled",
                "ignore": [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}],
            },
            "test": {"enable": False},
        },
    )
    return release


def render_apps(platform: Platform, env: Environment, base_dir: Path) -> dict[str, list[Obj]]:
    """File name -> the app's HelmRelease."""
    return {f"{app.name}.yaml": [app_release(platform, env, app, base_dir)] for app in platform.apps}
