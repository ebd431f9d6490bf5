"""The `edge.auth` section of an environment: who signs users in before the ALB forwards to the apps.

- `provider: cognito` (the default): CDK creates the environment's Cognito user pool, hosted
  domain and app client (aws/constructs/user_pool.py); their ids reach the Ingresses through
  `cluster-vars`.
- `provider: oidc`: an external OpenID Connect issuer. Its client id and secret live in a
  Kubernetes Secret (keys `clientID` and `clientSecret`, as the AWS Load Balancer Controller
  reads them) in each exposed app's namespace; the platform grants the controller `get` on that
  one Secret there (gitops/edge_auth.py), never on all Secrets.

The ALB answers the browser's sign-in and forwards only signed-in requests (docs/adr/0013-...).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, StrictInt, field_validator, model_validator

from .model_base import Model

# ELB AuthenticateCognito/OidcActionConfig.SessionTimeout: up to 7 days (also its default); at
# least 5 minutes (our floor) so users are not sent to sign in again and again.
SESSION_TIMEOUT_MAX = 604800
SESSION_TIMEOUT_MIN = 300
# The scopes a Cognito app client can allow (its built-in OAuth scopes).
COGNITO_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
# A Kubernetes object name (DNS-1123 subdomain, as a Secret's name must be).
K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
# An https URL of RFC 3986 characters without quotes, backslash, '$' or braces: it is written
# into an annotation's JSON and a YAML string and passes Flux's ${var} substitution unchanged
# (percent-encode anything else, e.g. ' as %27).
HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%!&()*+,;=:@/-]*)?(\?[A-Za-z0-9._~%!&()*+,;=:@/?-]*)?$")
# The issuer: no query or fragment (OpenID Connect Discovery), the path characters the API's
# AUTH_ISSUER accepts (apps/api/innovate_api/config.py ISSUER_PATTERN), which checks it as `iss`.
ISSUER_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$")
# An OAuth 2.0 scope token (RFC 6749 section 3.3: printable ASCII without space, '"' and '\\').
SCOPE_TOKEN = re.compile(r'^[\x21\x23-\x5B\x5D-\x7E]+$')


class Oidc(Model):
    """An external OpenID Connect identity provider (its discovery document lists these URLs)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    user_info_endpoint: str
    # The Secret (keys clientID, clientSecret) in every exposed app's namespace.
    client_secret_name: str

    @field_validator("issuer", "authorization_endpoint", "token_endpoint", "user_info_endpoint")
    @classmethod
    def _https(cls, value: str) -> str:
        if not HTTPS_URL.match(value):
            raise ValueError(f"'{value}' is not an https:// URL of plain URL characters (the ALB talks to the IdP "
                             "over TLS only; no quotes, spaces, '$', braces or fragment: percent-encode them); copy it "
                             "from the issuer's /.well-known/openid-configuration")
        return value

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, value: str) -> str:
        if not ISSUER_URL.match(value):
            raise ValueError(f"'{value}' is not an issuer URL: https, a host and a path of letters, digits and "
                             "'._~%/-', no query (the API compares it with the token's iss); copy `issuer` from the "
                             "issuer's /.well-known/openid-configuration")
        return value

    @field_validator("client_secret_name")
    @classmethod
    def _secret_name(cls, value: str) -> str:
        if not K8S_NAME.match(value):
            raise ValueError(f"'{value}' is not a Kubernetes Secret name (lower-case letters, digits, '-' and '.'); "
                             "name the Secret like oidc-client")
        return value


class EdgeAuth(Model):
    """How the shared ALB authenticates users before forwarding to the apps."""

    provider: Literal["cognito", "oidc"] = "cognito"
    oidc: Oidc | None = None
    # How long a signed-in browser session lasts before the ALB asks the IdP again.
    session_timeout_seconds: StrictInt = Field(default=28800, ge=SESSION_TIMEOUT_MIN, le=SESSION_TIMEOUT_MAX)
    # Claims requested from the IdP; with Cognito also the app client's allowed OAuth scopes.
    scope: tuple[str, ...] = ("openid", "email")

    @field_validator("scope")
    @classmethod
    def _scope_has_openid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in value if not SCOPE_TOKEN.match(s)]
        if bad:
            raise ValueError(f"{bad} is not a scope name: each item is one token without spaces or quotes (the ALB "
                             "joins them with spaces); write one scope per list item, like [openid, email]")
        if "openid" not in value:
            raise ValueError(f"{list(value)} lacks openid: the ALB signs users in with OpenID Connect and needs it; "
                             "add openid")
        if len(set(value)) != len(value):
            raise ValueError(f"{list(value)} lists a scope twice; list each once")
        return value

    @model_validator(mode="before")
    @classmethod
    def _oidc_only_with_oidc(cls, data: object) -> object:
        """Before the fields: an (even incomplete) oidc section under cognito is one error, not one
        "required key is missing" line per oidc field the ignored section lacks."""
        if isinstance(data, dict) and data.get("provider", "cognito") == "cognito" and data.get("oidc") is not None:
            raise ValueError("an oidc section is set but provider is cognito, which ignores it; set provider: oidc "
                             "or remove the oidc section")
        return data

    @model_validator(mode="after")
    def _provider_matches(self) -> EdgeAuth:
        if self.provider == "oidc" and self.oidc is None:
            raise ValueError("provider is oidc but the oidc section is missing: add oidc with issuer, "
                             "authorization_endpoint, token_endpoint, user_info_endpoint and client_secret_name")
        if self.provider == "cognito":
            unknown = [s for s in self.scope if s not in COGNITO_SCOPES]
            if unknown:
                raise ValueError(f"scope {', '.join(unknown)} is not a Cognito app client scope; use "
                                 f"{', '.join(COGNITO_SCOPES)}")
        return self
