"""Sign-in at the ALB, asserted on the synthesized templates: each environment's Cognito user pool
(administrators create users, MFA required, prod retained), its hosted domain and the ALB's app
client with a callback for every app host; cluster-vars carry the three values the Ingresses need."""

from __future__ import annotations

import pytest

from innovate_platform.naming import user_pool_domain_prefix

from .helpers import one, text

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_a_user_pool_without_self_sign_up_and_with_mfa(synthesis, env):
    pool = one(synthesis, env, "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert pool["MfaConfiguration"] == "ON" and pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))


def test_only_prod_keeps_its_users_when_the_stack_goes(synthesis):
    resources = {env: next(r for s in synthesis.for_stage(env) for r in s.of_type("AWS::Cognito::UserPool").values())
                 for env in ENVS}
    assert resources["prod"]["DeletionPolicy"] == "Retain"
    assert resources["prod"]["Properties"]["DeletionProtection"] == "ACTIVE"
    assert resources["dev"]["DeletionPolicy"] == "Delete"
    assert resources["dev"]["Properties"].get("DeletionProtection", "INACTIVE") == "INACTIVE"


@pytest.mark.parametrize("env", ENVS)
def test_a_hosted_domain_derived_from_the_names(synthesis, platform, env):
    domain = one(synthesis, env, "AWS::Cognito::UserPoolDomain")
    assert domain["Domain"] == user_pool_domain_prefix(platform, platform.env(env))
    assert platform.env(env).account in domain["Domain"]


@pytest.mark.parametrize("env", ENVS)
def test_the_alb_client_has_a_secret_the_code_grant_and_a_callback_per_host(synthesis, platform, env):
    client = one(synthesis, env, "AWS::Cognito::UserPoolClient")
    hosts = platform.env(env).dns.certificate_names
    assert client["GenerateSecret"] is True
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthScopes"] == list(platform.env(env).edge.auth.scope)
    assert client["CallbackURLs"] == [f"https://{host}/oauth2/idpresponse" for host in hosts]
    assert client["LogoutURLs"] == [f"https://{host}/" for host in hosts]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]


@pytest.mark.parametrize("env", ENVS)
def test_cluster_vars_carry_the_pool_the_client_and_the_domain(synthesis, platform, env):
    pool, client = one(synthesis, env, "AWS::Cognito::UserPool"), one(synthesis, env, "AWS::Cognito::UserPoolClient")
    manifest = text(one(synthesis, env, "Custom::AWSCDK-EKS-KubernetesResource")["Manifest"])
    assert '\\"user_pool_arn\\":\\"' in manifest and pool["_id"] in manifest
    assert '\\"user_pool_client_id\\":\\"' in manifest and client["_id"] in manifest
    assert f'\\"user_pool_domain\\":\\"{user_pool_domain_prefix(platform, platform.env(env))}\\"' in manifest
    # The issuer the API checks (AUTH_ISSUER): https://cognito-idp.<region>.amazonaws.com/<pool id>.
    assert f'\\"user_pool_issuer\\":\\"https://cognito-idp.{platform.region}.amazonaws.com/' in manifest


@pytest.mark.parametrize("env", ENVS)
def test_the_environment_waf_guards_the_hosted_sign_in(synthesis, env):
    """Sign-in happens on the Cognito domain, not through the ALB: the web ACL is associated with the pool."""
    association = one(synthesis, env, "AWS::WAFv2::WebACLAssociation")
    pool, acl = one(synthesis, env, "AWS::Cognito::UserPool"), one(synthesis, env, "AWS::WAFv2::WebACL")
    assert association["ResourceArn"] == {"Fn::GetAtt": [pool["_id"], "Arn"]}
    assert association["WebACLArn"] == {"Fn::GetAtt": [acl["_id"], "Arn"]}
    assert acl["Scope"] == "REGIONAL"
