"""Who is calling: the identity the ALB signed into ``x-amzn-oidc-data``, and nothing else.

The ALB authenticates the user (OIDC / Cognito) and forwards the user claims as a JWT whose
header names ``alg`` (ES256), ``kid``, ``signer`` (the ALB's ARN), ``iss`` (the IdP's issuer URL),
``client`` and ``exp``. Its parts are
base64url *with* padding, which strict JWT libraries refuse, so the token is checked here with
``cryptography`` directly: header, signer and (with ``AUTH_ISSUER``) issuer (before any key
fetch: a second IdP configured on the same ALB is not trusted), key by ``kid`` from the
regional endpoint ``https://public-keys.auth.elb.<region>.amazonaws.com/<kid>`` (a PEM P-256
public key, cached per process), ES256 signature over the two first parts as sent, expiry.
Anything else is ``401 unauthenticated``. ``AUTH_LOCAL_DEV=true`` (never on EKS) skips all of
this and calls everyone ``AUTH_LOCAL_DEV_SUB``.
"""

from __future__ import annotations

import base64
import binascii
import collections
import http.client
import json
import logging
import math
import re
import threading
import time
import urllib.error
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from flask import Flask, current_app, g, request

from .cors import is_preflight
from .errors import ApiError, drain_unread_body

log = logging.getLogger("innovate_api")

HEADER = "x-amzn-oidc-data"
OPEN_ENDPOINTS = {"health.healthz", "health.readyz", "metrics.metrics_endpoint", "openapi.openapi_document"}
KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
KEY_FETCH_TIMEOUT_S = 2
MAX_CACHED_KEYS = 64
UNKNOWN_KID_TTL_S = 60  # a kid the endpoint did not know is not asked for again this long
UNKNOWN_KID_STATUSES = (403, 404)  # what the endpoint (S3/CloudFront behind it) answers for a missing key
UNKNOWN_FETCHES_PER_MINUTE = 10  # "no such kid" answers per process and minute before new kids go unasked
MAX_SUB_CHARS = 255  # projects.owner_sub is String(255)
MAX_TOKEN_CHARS = 16 * 1024


class Unauthenticated(ApiError):
    def __init__(self, reason: str):
        super().__init__(401, "unauthenticated", f"authentication required: {reason}", field=HEADER)


class UnknownKid(Unauthenticated):
    """The key endpoint answered that it has no key by this kid."""


def b64url_decode(part: str) -> bytes:
    """base64url with or without padding (the ALB pads; RFC 7515 does not)."""
    stripped = part.rstrip("=")
    if not re.fullmatch(r"[A-Za-z0-9_-]*", stripped):
        raise Unauthenticated("token is not base64url")
    try:
        return base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    except (binascii.Error, ValueError):
        raise Unauthenticated("token is not base64url") from None


def _json_part(part: str, what: str) -> dict:
    try:
        value = json.loads(b64url_decode(part))
    except (ValueError, UnicodeDecodeError):
        raise Unauthenticated(f"token {what} is not JSON") from None
    if not isinstance(value, dict):
        raise Unauthenticated(f"token {what} is not a JSON object")
    return value


def signer_matches(signer: object, expected: str) -> bool:
    """Exact ARN, or (configured with a trailing '/') that load balancer name with any id."""
    if not isinstance(signer, str):
        return False
    if expected.endswith("/"):
        rest = signer[len(expected):]
        return signer.startswith(expected) and bool(re.fullmatch(r"[0-9a-f]{1,32}", rest))
    return signer == expected


class KeyCache:
    """Public keys by kid from the ALB key endpoint; a kid's key never changes, so no expiry.

    Only a 404 or 403 from the endpoint means "no such kid" (the GovCloud endpoints are S3 buckets,
    which answer 403 for a missing object without list rights); that answer is remembered for
    UNKNOWN_KID_TTL_S, and at most UNKNOWN_FETCHES_PER_MINUTE such answers are asked for per
    process and minute (beyond that a new kid is refused unasked). Anything else going wrong
    (other statuses, a body that is not a P-256 PEM key, a broken connection) is 503 and not
    remembered as unknown; the kid is asked for again KEY_FETCH_TIMEOUT_S later (requests in
    between, such as those that waited for the failed fetch, get 503 at once). Each kid is
    fetched by one request at a time.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.keys: dict[str, ec.EllipticCurvePublicKey] = {}
        self.unknown: dict[str, float] = {}  # kid -> monotonic time until which it is refused unasked
        self.unknown_answers: collections.deque[float] = collections.deque()  # when "no such kid" was answered
        self.failed: dict[str, float] = {}  # kid -> monotonic time of its last failed (503) fetch
        self.fetching: dict[str, threading.Lock] = {}
        self.lock = threading.Lock()

    def get(self, kid: str) -> ec.EllipticCurvePublicKey:
        key = self._known(kid)
        if key is not None:
            return key
        with self.lock:
            kid_lock = self.fetching.setdefault(kid, threading.Lock())
        try:
            with kid_lock:  # concurrent requests with a new kid wait for one fetch
                return self._known(kid, after_wait=True) or self._fetch_and_remember(kid)
        finally:
            with self.lock:
                self.fetching.pop(kid, None)

    def _known(self, kid: str, after_wait: bool = False) -> ec.EllipticCurvePublicKey | None:
        with self.lock:
            key = self.keys.get(kid)
            refused_until = self.unknown.get(kid, 0.0)
            failed_at = self.failed.get(kid)
        if key is None and refused_until > time.monotonic():
            raise Unauthenticated(f"unknown signing key {kid!r}")
        if key is None and after_wait and failed_at is not None and time.monotonic() - failed_at < KEY_FETCH_TIMEOUT_S:
            raise _unavailable()  # a fetch of this kid failed just now (e.g. the one this request waited for)
        return key

    def _fetch_and_remember(self, kid: str) -> ec.EllipticCurvePublicKey:
        self._spend_unknown_budget(kid)
        try:
            key = self._fetch(kid)
        except UnknownKid:
            with self.lock:
                self.unknown_answers.append(time.monotonic())
                _bounded_put(self.unknown, kid, time.monotonic() + UNKNOWN_KID_TTL_S)
            raise
        except ApiError:
            with self.lock:
                _bounded_put(self.failed, kid, time.monotonic())
            raise
        with self.lock:
            self.failed.pop(kid, None)
            _bounded_put(self.keys, kid, key)
        return key

    def _spend_unknown_budget(self, kid: str) -> None:
        """Refuse, without fetching, once the endpoint said "no such kid" too often this minute."""
        with self.lock:
            horizon = time.monotonic() - 60
            while self.unknown_answers and self.unknown_answers[0] < horizon:
                self.unknown_answers.popleft()
            exhausted = len(self.unknown_answers) >= UNKNOWN_FETCHES_PER_MINUTE
        if exhausted:
            log.warning("not fetching signing key %r: %d unknown kids in the last minute", kid, UNKNOWN_FETCHES_PER_MINUTE)
            raise Unauthenticated(f"signing key {kid!r} not looked up: too many unknown keys, retry in a minute")

    def _fetch(self, kid: str) -> ec.EllipticCurvePublicKey:
        url = f"{self.base_url}/{kid}"
        try:
            with urllib.request.urlopen(url, timeout=KEY_FETCH_TIMEOUT_S) as response:  # noqa: S310 (https or test)
                pem = response.read(16 * 1024)
        except urllib.error.HTTPError as error:
            if error.code in UNKNOWN_KID_STATUSES:
                raise UnknownKid(f"unknown signing key {kid!r}") from None
            raise _unavailable(url, error) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise _unavailable(url, error) from None
        try:
            key = load_pem_public_key(pem)
        except (ValueError, TypeError) as error:
            raise _unavailable(url, f"signing key {kid!r} is not a PEM public key ({error})") from None
        if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
            raise _unavailable(url, f"signing key {kid!r} is not a P-256 key")
        return key


def _bounded_put(cache: dict, kid: str, value) -> None:
    if kid not in cache and len(cache) >= MAX_CACHED_KEYS:
        cache.pop(next(iter(cache)))
    cache[kid] = value


def _unavailable(url: str | None = None, error: object = None) -> ApiError:
    if url is not None:
        log.warning("ALB public key endpoint failed: %s: %s", url, error)
    return ApiError(503, "identity_unavailable", "the load balancer's signing keys cannot be fetched, retry later")


def verify(token: str, expected_signer: str, keys: KeyCache, now: float | None = None,
           expected_issuer: str | None = None) -> dict:
    """The verified claims of an ALB ``x-amzn-oidc-data`` token, or Unauthenticated naming why."""
    if len(token) > MAX_TOKEN_CHARS:
        raise Unauthenticated("token is too long")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise Unauthenticated("token is not a JWT (header.payload.signature)")
    header = _json_part(parts[0], "header")
    if header.get("alg") != "ES256":
        raise Unauthenticated("token algorithm is not ES256")
    if not signer_matches(header.get("signer"), expected_signer):
        raise Unauthenticated("token was not signed by this load balancer")
    if expected_issuer is not None and header.get("iss") != expected_issuer:
        raise Unauthenticated("token was not issued by this platform's identity provider")
    kid = header.get("kid")
    if not isinstance(kid, str) or not KID_PATTERN.fullmatch(kid):
        raise Unauthenticated("token has no valid kid")
    signature = b64url_decode(parts[2])
    if len(signature) != 64:
        raise Unauthenticated("token signature is not an ES256 signature")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        keys.get(kid).verify(der, f"{parts[0]}.{parts[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Unauthenticated("token signature is invalid") from None
    claims = _json_part(parts[1], "payload")
    now = time.time() if now is None else now
    for source in (header, claims):
        exp = source.get("exp")
        if source is header and exp is None:
            raise Unauthenticated("token has no expiry")
        if exp is not None and (not isinstance(exp, (int, float)) or isinstance(exp, bool) or not math.isfinite(exp)):
            raise Unauthenticated("token expiry is not a number")
        if exp is not None and exp <= now:
            raise Unauthenticated("token has expired")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise Unauthenticated("token has no subject")
    if len(claims["sub"]) > MAX_SUB_CHARS:
        raise Unauthenticated(f"token subject is longer than {MAX_SUB_CHARS} characters")
    return claims


def current_user() -> str:
    """The verified ``sub`` of the caller (set by the before-request check)."""
    return g.user_sub


def current_email() -> str | None:
    """The caller's verified ``email`` claim, if the IdP sent one (none in local development)."""
    email = g.get("user_claims", {}).get("email")
    return email if isinstance(email, str) and email else None


def _authenticate():
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if is_preflight():
        return None
    settings = current_app.extensions["innovate_api.settings"]
    if settings.auth_local_dev:
        g.user_sub, g.user_claims = settings.auth_local_dev_sub, {}
        return None
    token = request.headers.get(HEADER)
    try:
        if settings.auth_alb_arn is None:
            raise Unauthenticated("AUTH_ALB_ARN is not configured, so no identity can be trusted")
        if not token:
            raise Unauthenticated(f"no {HEADER} header (sign in through the load balancer)")
        g.user_claims = verify(token, settings.auth_alb_arn, current_app.extensions[KEYS],
                               expected_issuer=settings.auth_issuer)
        g.user_sub = g.user_claims["sub"]
    except ApiError:
        drain_unread_body()
        raise
    return None


KEYS = "innovate_api.alb_keys"


def init_app(app: Flask, settings) -> None:
    app.extensions[KEYS] = KeyCache(settings.auth_public_keys_url)
    if not settings.auth_local_dev and settings.auth_alb_arn is None:
        log.warning("AUTH_ALB_ARN is unset and AUTH_LOCAL_DEV is off: every /api request answers 401")
    app.before_request(_authenticate)
