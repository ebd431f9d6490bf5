"""The apps' Ingress values that come from the edge CDK builds: the hostname (platform.yaml
`dns.hosts`), the ACM certificate ARN, the WAF web ACL ARN and the access-log bucket, all through
`cluster-vars`, the ALB's source ranges and deletion protection from `edge`, and the sign-in
(`edge.auth`): the Cognito pool, client and domain from `cluster-vars`, or the external OIDC
issuer's endpoints and Secret name; scope, session timeout and the one session cookie of the
shared listener. No values file types them; each chart keeps only what an unauthenticated request
gets (web: the sign-in page, api: 401)."""

from __future__ import annotations

from typing import Any

from ..config import App, Environment
from ..config.edge_auth import EdgeAuth
from ..naming import (ALB_LOG_BUCKET_VAR, CERTIFICATE_ARN_VAR, USER_POOL_ARN_VAR, USER_POOL_CLIENT_ID_VAR,
                      USER_POOL_DOMAIN_VAR, WAF_ACL_ARN_VAR, auth_session_cookie, host_var)
from .charts import ChartError
from .objects import Obj, var

# alb.ingress.kubernetes.io/group.order of a catch-all (`/`) Ingress: the controller's maximum, so the
# shared listener evaluates it after every other member. Without it every member has order 0 and the
# controller sorts them by namespace/name (sortGroupMembers, pkg/ingress/group_loader.go): an exposed
# app whose namespace sorts after web's would sit behind web's `/` and never be reached. Tenant
# admission allows group.order with this value only (it can only move an Ingress back).
CATCH_ALL_GROUP_ORDER = 1000
CATCH_ALL_PATH = "/"


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
                   "wafAclArn": var(WAF_ACL_ARN_VAR), "accessLogBucket": var(ALB_LOG_BUCKET_VAR),
                   "auth": auth_values(env)}
    # Known before deployment (platform.yaml edge), so literal.
    if env.edge.inbound_cidrs:
        values["inboundCidrs"] = list(env.edge.inbound_cidrs)
    if env.edge.deletion_protection:
        values["deletionProtection"] = True
    if ingress.get("path") == CATCH_ALL_PATH:
        values["groupOrder"] = CATCH_ALL_GROUP_ORDER
    return {"ingress": values}


def idp_values(auth: EdgeAuth) -> tuple[str, Obj]:
    """The values key and JSON of the controller's auth-idp-cognito / auth-idp-oidc annotation
    (key names of its AuthIDPConfigCognito / AuthIDPConfigOIDC, pkg/ingress/config_types.go)."""
    if auth.provider == "cognito":
        return "idpCognito", {"userPoolARN": var(USER_POOL_ARN_VAR), "userPoolClientID": var(USER_POOL_CLIENT_ID_VAR),
                              "userPoolDomain": var(USER_POOL_DOMAIN_VAR)}
    oidc = auth.oidc
    assert oidc is not None  # config/edge_auth.py refuses oidc without its section
    return "idpOidc", {"issuer": oidc.issuer, "authorizationEndpoint": oidc.authorization_endpoint,
                       "tokenEndpoint": oidc.token_endpoint, "userInfoEndpoint": oidc.user_info_endpoint,
                       "secretName": oidc.client_secret_name}


def auth_values(env: Environment) -> Obj:
    """ingress.auth: the same IdP, scope, session and cookie on every Ingress of the shared listener."""
    auth = env.edge.auth
    key, idp = idp_values(auth)
    return {"type": auth.provider, key: idp, "scope": " ".join(auth.scope),
            "sessionTimeoutSeconds": auth.session_timeout_seconds, "sessionCookie": auth_session_cookie(env)}
