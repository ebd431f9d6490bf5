"""EdgeUserPool: the environment's Cognito user pool, the ALB signs users in against
(platform.yaml `edge.auth.provider: cognito`, the default).

- Users are created by an administrator only (no self sign-up; docs/runbooks/deploy.md shows
  `aws cognito-idp admin-create-user`), sign in with their email address, and must set up an
  authenticator app (TOTP): MFA is required in every environment.
- A Cognito prefix domain `<organisation>-<env>-<account>` (naming.user_pool_domain_prefix)
  serves the managed sign-in pages.
- One app client with a secret, for the ALB: authorization-code grant, the scopes of
  `edge.auth.scope`, and `https://<host>/oauth2/idpresponse` (the ALB's fixed callback path) for
  every distinct host of `dns.hosts`.
- The environment's regional WAFv2 web ACL (aws/constructs/waf.py) is associated with the pool
  (AWS::WAFv2::WebACLAssociation with the pool's ARN): users sign in on the Cognito hosted domain,
  not through the ALB, so the ALB's association alone would leave sign-in unfiltered and not
  rate-limited; the pool's association puts the same managed rules and per-IP rate limit on its
  managed login pages and public API.

The pool's ARN, the client id and the domain prefix reach the Ingresses' `auth-idp-cognito`
annotation through `cluster-vars` (naming.USER_POOL_VARS). In prod the pool keeps its users: it is
retained on stack deletion and has deletion protection.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from ...config import Environment, Platform
from ...naming import user_pool_domain_prefix, user_pool_issuer
from ..nag import acknowledge

# The ALB's redirect path after the IdP signs a user in (fixed by Elastic Load Balancing).
ALB_CALLBACK_PATH = "/oauth2/idpresponse"
# Cognito's built-in scopes by the name platform.yaml uses (config/edge_auth.COGNITO_SCOPES).
SCOPES = {"openid": cognito.OAuthScope.OPENID, "email": cognito.OAuthScope.EMAIL, "phone": cognito.OAuthScope.PHONE,
          "profile": cognito.OAuthScope.PROFILE, "aws.cognito.signin.user.admin": cognito.OAuthScope.COGNITO_ADMIN}


def callback_urls(env: Environment) -> list[str]:
    return [f"https://{host}{ALB_CALLBACK_PATH}" for host in env.dns.certificate_names]


def logout_urls(env: Environment) -> list[str]:
    return [f"https://{host}/" for host in env.dns.certificate_names]


class EdgeUserPool(Construct):
    """User pool, hosted domain and the ALB's app client of one environment."""

    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment,
                 web_acl_arn: str) -> None:
        super().__init__(scope, construct_id)
        prod = env.name == "prod"
        self.user_pool = cognito.UserPool(
            self, "UserPool",
            user_pool_name=f"{env.cluster_name}-users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_lowercase=True, require_uppercase=True, require_digits=True,
                require_symbols=True, temp_password_validity=cdk.Duration.days(3)),
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=prod,
            removal_policy=cdk.RemovalPolicy.RETAIN if prod else cdk.RemovalPolicy.DESTROY,
        )
        acknowledge(self.user_pool, "AwsSolutions-COG8",
                    "Essentials plan: users are few and created by administrators (no self sign-up), MFA is "
                    "required, and the environment's WAF web ACL is associated with the user pool itself "
                    "(managed common and known-bad-inputs rules, a per-IP rate limit on its hosted sign-in "
                    "and API); the Plus plan's threat protection is priced per monthly active user and not "
                    "needed for that")
        self.firewall = wafv2.CfnWebACLAssociation(
            self, "Firewall", resource_arn=self.user_pool.user_pool_arn, web_acl_arn=web_acl_arn)
        # The OIDC issuer of the pool: what the ALB names in x-amzn-oidc-data's `iss` (API: AUTH_ISSUER).
        self.issuer = user_pool_issuer(platform.region, self.user_pool.user_pool_id)
        self.domain_prefix = user_pool_domain_prefix(platform, env)
        self.domain = self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=self.domain_prefix))
        self.client = self.user_pool.add_client(
            "AlbClient",
            user_pool_client_name=f"{env.cluster_name}-alb",
            generate_secret=True,  # the ALB is a confidential client (authorization code + secret)
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[SCOPES[name] for name in env.edge.auth.scope],
                callback_urls=callback_urls(env),
                logout_urls=logout_urls(env),
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
        )
