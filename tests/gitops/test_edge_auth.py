"""Sign-in at the ALB as the tree renders it: the shared class names its ALB, the API trusts exactly
that ALB (AUTH_ALB_ARN, accepted by the API's own settings parser), and an environment that signs
in through an external OIDC issuer gets its endpoints and Secret on the Ingress and the controller
may read that one Secret, nothing more."""

from __future__ import annotations

import copy
import json
import sys

import pytest
import yaml

from innovate_platform.checks.manifests import validate_object
from innovate_platform.config import parse_platform
from innovate_platform.gitops.edge import ingress_values
from innovate_platform.gitops.charts import chart_values
from innovate_platform.naming import LOAD_BALANCER_CONTROLLER, cluster_var_names

from tests.conftest import edge_values

from .conftest import ENVS, REPO, helm_template

sys.path.insert(0, str(REPO / "apps" / "api"))
from innovate_api.config import ALB_ARN_PATTERN  # noqa: E402


def api_env(objects, select, env: str) -> dict:
    (release,) = select(objects[env], "HelmRelease", "api")
    return release["spec"]["values"]["env"]


@pytest.mark.parametrize("env", ENVS)
def test_the_api_trusts_exactly_the_alb_the_shared_class_names(objects, select, platform, env):
    (params,) = select(objects[env], "IngressClassParams", "alb")
    name = params["spec"]["loadBalancerName"]
    arn = api_env(objects, select, env)["AUTH_ALB_ARN"]
    assert arn == f"arn:aws:elasticloadbalancing:{platform.region}:{platform.env(env).account}:loadbalancer/app/{name}/"
    assert ALB_ARN_PATTERN.match(arn), "the API's settings parser must accept it"
    assert validate_object(params, platform.versions.kubernetes) == []  # the 3.5.0 chart's CRD knows the field
    broken = copy.deepcopy(params)
    broken["spec"]["loadBalancerName"] = 32
    assert validate_object(broken, platform.versions.kubernetes)


def test_each_environment_names_its_own_alb(objects, select):
    names = {select(objects[env], "IngressClassParams", "alb")[0]["spec"]["loadBalancerName"] for env in ENVS}
    assert len(names) == len(ENVS) and all(len(n) <= 32 for n in names)


def test_only_exposed_apps_behind_the_shared_alb_get_the_arn(objects, select, platform):
    for app in platform.apps:
        (release,) = select(objects["prod"], "HelmRelease", app.name)
        has = "AUTH_ALB_ARN" in (release["spec"]["values"].get("env") or {})
        assert has == (app.exposed and app.name == "api"), app.name  # web's chart has no env


OIDC = {"provider": "oidc", "session_timeout_seconds": 3600, "scope": ["openid", "email", "profile"],
        "oidc": {"issuer": "https://login.example.com", "authorization_endpoint": "https://login.example.com/authorize",
                 "token_endpoint": "https://login.example.com/token",
                 "user_info_endpoint": "https://login.example.com/userinfo", "client_secret_name": "oidc-client"}}


@pytest.fixture(scope="module")
def oidc_platform():
    data = yaml.safe_load((REPO / "platform.yaml").read_text())
    data["environments"]["prod"].setdefault("edge", {})["auth"] = OIDC
    return parse_platform(yaml.safe_dump(data, sort_keys=False), "platform.yaml")


@pytest.mark.parametrize("app", ["web", "api"])
def test_an_oidc_issuer_reaches_the_ingress_and_cognito_leaves_cluster_vars(oidc_platform, app, tmp_path):
    env, application = oidc_platform.env("prod"), oidc_platform.app(app)
    values = ingress_values(env, application, chart_values(REPO, application, env))
    values["ingress"] |= {"host": "app.innovate.example.com", "accessLogBucket": "innovate-prod-alb-logs",
                          "certificateArn": "arn:aws:acm:us-east-1:333333333333:certificate/"
                                            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                          "wafAclArn": "arn:aws:wafv2:us-east-1:333333333333:regional/webacl/innovate-prod-edge/"
                                       "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}
    extra = tmp_path / "edge.yaml"
    extra.write_text(yaml.safe_dump(values))
    chart = REPO / "charts" / app
    docs = helm_template(chart, application.namespace, chart / "values-prod.yaml", extra)
    (ingress,) = [d for d in docs if d["kind"] == "Ingress"]
    notes = ingress["metadata"]["annotations"]
    assert notes["alb.ingress.kubernetes.io/auth-type"] == "oidc"
    assert json.loads(notes["alb.ingress.kubernetes.io/auth-idp-oidc"]) == {
        "issuer": "https://login.example.com", "authorizationEndpoint": "https://login.example.com/authorize",
        "tokenEndpoint": "https://login.example.com/token", "userInfoEndpoint": "https://login.example.com/userinfo",
        "secretName": "oidc-client"}
    assert "alb.ingress.kubernetes.io/auth-idp-cognito" not in notes
    assert notes["alb.ingress.kubernetes.io/auth-scope"] == "openid email profile"
    assert notes["alb.ingress.kubernetes.io/auth-session-timeout"] == "3600"
    assert not {"user_pool_arn", "user_pool_client_id", "user_pool_domain"} & set(cluster_var_names(oidc_platform, env))


def test_the_idp_json_survives_any_character_in_an_endpoint(platform, tmp_path):
    """config refuses quotes in the URLs; the annotation must not break even so (it used `squote`,
    which a "'" ended early)."""
    chart = REPO / "charts" / "web"
    values = edge_values(platform, "web", "prod")
    idp = {"issuer": "https://login.example.com/it's", "authorizationEndpoint": 'https://login.example.com/a"b\\c',
           "tokenEndpoint": "https://login.example.com/t\u00e9", "userInfoEndpoint": "https://login.example.com/u",
           "secretName": "oidc-client"}
    values["ingress"]["auth"] = {**values["ingress"]["auth"], "type": "oidc", "idpOidc": idp}
    values["ingress"]["auth"].pop("idpCognito", None)
    extra = tmp_path / "quotes.yaml"
    extra.write_text(yaml.safe_dump(values))
    (ingress,) = [d for d in helm_template(chart, "web", chart / "values-prod.yaml", extra) if d["kind"] == "Ingress"]
    assert json.loads(ingress["metadata"]["annotations"]["alb.ingress.kubernetes.io/auth-idp-oidc"]) == idp


def test_an_enabled_ingress_without_sign_in_does_not_render(platform, tmp_path):
    chart = REPO / "charts" / "web"
    values = edge_values(platform, "web", "prod")
    values["ingress"]["auth"]["idpCognito"]["userPoolARN"] = ""
    extra = tmp_path / "no-pool.yaml"
    extra.write_text(yaml.safe_dump(values))
    with pytest.raises(AssertionError, match="ingress.auth.idpCognito.userPoolARN is required with auth type cognito"):
        helm_template(chart, "web", chart / "values-prod.yaml", extra)
    for auth_type in ("none", ""):
        values["ingress"]["auth"]["type"] = auth_type
        extra.write_text(yaml.safe_dump(values))
        with pytest.raises(AssertionError, match="ingress/auth/type"):
            helm_template(chart, "web", chart / "values-prod.yaml", extra)


def test_the_controller_may_read_the_oidc_secret_only(oidc_platform):
    from innovate_platform.gitops.edge_auth import render_oidc_secret_access

    env = oidc_platform.env("prod")
    objects = render_oidc_secret_access(oidc_platform, env)
    namespaces = sorted({a.namespace for a in oidc_platform.apps if a.exposed})
    roles = [o for o in objects if o["kind"] == "Role"]
    bindings = [o for o in objects if o["kind"] == "RoleBinding"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == namespaces
    for role in roles:
        assert role["rules"] == [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["oidc-client"],
                                  "verbs": ["get", "list", "watch"]}]
    for binding in bindings:
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": LOAD_BALANCER_CONTROLLER.service_account,
                                        "namespace": LOAD_BALANCER_CONTROLLER.namespace}]
    assert render_oidc_secret_access(oidc_platform, oidc_platform.env("dev")) == []  # Cognito: no Secret to read


def test_a_team_granted_an_internet_facing_class_may_bring_its_oidc_client():
    """Its Ingresses must sign in, and the platform's client lists only the platform's hosts: the
    controller may read the team's own client Secret (same name) in the team's namespaces."""
    from innovate_platform.gitops.edge_auth import render_oidc_secret_access

    data = yaml.safe_load((REPO / "platform.yaml").read_text())
    data["environments"]["prod"].setdefault("edge", {})["auth"] = OIDC
    before = parse_platform(yaml.safe_dump(data, sort_keys=False), "platform.yaml")
    internal = {r["metadata"]["namespace"] for r in render_oidc_secret_access(before, before.env("prod"))
                if r["kind"] == "Role"}
    assert "analytics" not in internal
    team = next(t for t in data["environments"]["prod"]["teams"] if "analytics" in t["namespaces"])
    team["ingress"] = "internet-facing"
    granted = parse_platform(yaml.safe_dump(data, sort_keys=False), "platform.yaml")
    roles = [r for r in render_oidc_secret_access(granted, granted.env("prod")) if r["kind"] == "Role"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == sorted(internal | {"analytics"})
    assert all(r["rules"][0]["resourceNames"] == ["oidc-client"] for r in roles)


def test_the_api_checks_the_issuer_it_signs_in_with(objects, select, oidc_platform):
    """Cognito: the pool's issuer from cluster-vars; OIDC: the configured issuer, which the API's parser accepts."""
    from innovate_api.config import load_settings

    from innovate_platform.gitops.apps import cluster_values

    from innovate_platform.gitops.verify import placeholder_cluster_vars
    from innovate_platform.naming import USER_POOL_ISSUER_VAR

    dev = oidc_platform.env("dev")  # Cognito there: the issuer comes from cluster-vars
    assert api_env(objects, select, "dev")["AUTH_ISSUER"] == \
        placeholder_cluster_vars(oidc_platform, dev)[USER_POOL_ISSUER_VAR]
    env, api = oidc_platform.env("prod"), oidc_platform.app("api")
    issuer = cluster_values(oidc_platform, env, api, chart_values(REPO, api, env))["env"]["AUTH_ISSUER"]
    assert issuer == OIDC["oidc"]["issuer"]
    settings = load_settings({"DATABASE_URL": "postgresql://u@h/db", "AUTH_ISSUER": issuer})
    assert settings.auth_issuer == issuer
