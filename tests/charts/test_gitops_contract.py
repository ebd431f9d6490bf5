"""The GitOps layer's HelmReleases render these charts: their values files exist and their
cluster-vars substitutions (as Flux does them, unquoted) pass the values schema."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from innovate_platform.config import load_platform
from tests.conftest import ROOT

from innovate_platform.checks.pod_security import check_pod_security, pod_spec_of

ACCOUNTS = {name: e.account for name, e in load_platform(ROOT / "platform.yaml").environments.items()}
HOSTS = {"dev": "dev.innovate.example.com", "staging": "staging.innovate.example.com", "prod": "app.innovate.example.com"}
CIDRS = {"dev": "10.10.0.0/16", "staging": "10.20.0.0/16", "prod": "10.30.0.0/16"}
VAR = re.compile(r"\$\{([a-z0-9_]+)\}")


def cluster_vars(env: str) -> dict[str, str]:
    """Plausible cluster-vars values, the shape CDK writes after deployment."""
    return {
        "api_role_arn": f"arn:aws:iam::{ACCOUNTS[env]}:role/innovate-{env}-api",
        "api_migrator_role_arn": f"arn:aws:iam::{ACCOUNTS[env]}:role/innovate-{env}-api-migrator",
        "db_host": f"innovate-{env}.cluster-c0ffee.us-east-1.rds.amazonaws.com",
        "db_port": "5432",
        "db_name": "projects",
        "db_user": "api",
        "api_bucket": f"innovate-{env}-api-{ACCOUNTS[env]}",
        "aws_region": "us-east-1",
        "vpc_cidr": CIDRS[env],
        "certificate_arn": f"arn:aws:acm:us-east-1:{ACCOUNTS[env]}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "waf_acl_arn": f"arn:aws:wafv2:us-east-1:{ACCOUNTS[env]}:regional/webacl/innovate-{env}-edge/"
                       "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "alb_log_bucket": f"innovate-{env}-alb-logs-{ACCOUNTS[env]}",
        "api_host": HOSTS[env],
        "web_host": HOSTS[env],
        "user_pool_arn": f"arn:aws:cognito-idp:us-east-1:{ACCOUNTS[env]}:userpool/us-east-1_Ab12Cd34E",
        "user_pool_client_id": "4n0ther3xampl3client1d2345",
        "user_pool_domain": f"innovate-{env}-{ACCOUNTS[env]}",
        "user_pool_issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E",
    }


def helm_release(charts, app: str, env: str) -> tuple[dict, str]:
    path = charts.repo / "gitops" / "apps" / env / f"{app}.yaml"
    if not path.exists():
        pytest.skip(f"{path} is not rendered yet")
    text = path.read_text()
    docs = [d for d in yaml.safe_load_all(text) if d]
    return next(d for d in docs if d["kind"] == "HelmRelease"), text


def test_the_helmrelease_values_render_the_chart(charts, app, env, tmp_path):
    release, text = helm_release(charts, app, env)
    chart = release["spec"]["chart"]["spec"]
    assert chart["chart"] == f"./charts/{app}"
    assert chart["valuesFiles"] == [f"./charts/{app}/values.yaml", f"./charts/{app}/values-{env}.yaml"]
    assert release["spec"]["targetNamespace"] == charts.namespaces[app]

    known = cluster_vars(env)
    unknown = set(VAR.findall(text)) - set(known)
    assert not unknown, f"cluster vars this test does not know a sample for: {sorted(unknown)}"
    substituted = VAR.sub(lambda m: known[m.group(1)], text)  # Flux's envsubst: plain text, unquoted
    values = next(d for d in yaml.safe_load_all(substituted) if d and d["kind"] == "HelmRelease")["spec"].get("values", {})

    objects = charts.render_with(app, env, values, tmp_path)
    ingress = charts.only(objects, "Ingress")
    assert ingress["spec"]["rules"][0]["host"] == HOSTS[env]
    assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] == known["certificate_arn"]
    assert ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/wafv2-acl-arn"] == known["waf_acl_arn"]
    assert f"access_logs.s3.bucket={known['alb_log_bucket']}" in \
        ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/load-balancer-attributes"]
    notes = ingress["metadata"]["annotations"]
    assert notes["alb.ingress.kubernetes.io/auth-type"] == "cognito"
    assert json.loads(notes["alb.ingress.kubernetes.io/auth-idp-cognito"]) == {
        "userPoolARN": known["user_pool_arn"], "userPoolClientID": known["user_pool_client_id"],
        "userPoolDomain": known["user_pool_domain"]}
    # The browser is sent to sign in; the API answers 401 itself (never `allow`).
    assert notes["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"] == \
        {"web": "authenticate", "api": "deny"}[app]
    assert notes["alb.ingress.kubernetes.io/auth-scope"] == "openid email"
    assert notes["alb.ingress.kubernetes.io/auth-session-cookie"] == f"innovate-{env}-session"
    assert 0 < int(notes["alb.ingress.kubernetes.io/auth-session-timeout"]) <= 604800
    for obj in objects:
        if pod_spec_of(obj) is not None:
            assert check_pod_security(obj) == []
    if app == "api":
        container = charts.only(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]
        env_vars = {e["name"]: e["value"] for e in container["env"]}
        assert env_vars["DB_HOST"] == known["db_host"] and env_vars["DB_PORT"] == "5432"
        # The one ALB whose signed identities the API trusts: the shared class's loadBalancerName, any id.
        assert env_vars["AUTH_ALB_ARN"] == \
            f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNTS[env]}:loadbalancer/app/innovate-{env}/"
        # ... and the one IdP: the pool's issuer, as the ALB names it in the token header's `iss`.
        assert env_vars["AUTH_ISSUER"] == known["user_pool_issuer"]
