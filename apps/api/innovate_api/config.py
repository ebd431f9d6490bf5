"""API settings read from the environment (or a test mapping), validated once at startup."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
ORIGIN_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
BUCKET_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# An ALB's ARN, or its name's prefix ending in "/" (the id changes when the controller recreates it).
ALB_ARN_PATTERN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):elasticloadbalancing:(?P<region>[a-z]{2}(-[a-z]+)+-\d+):\d{12}:loadbalancer/app/"
    r"[A-Za-z0-9-]{1,32}/([0-9a-f]{1,32})?$"
)
# The IdP's issuer the ALB names in the token header's `iss` (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>).
ISSUER_PATTERN = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~%/-]*)?$")
KEYS_URL_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~/-]*)?$")
# The RDS CA bundle the image ships (Dockerfile: fetch_pinned.py checks its SHA-256 at build).
RDS_CA_BUNDLE = "/app/certs/rds-global-bundle.pem"


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable and the fix."""

    def __init__(self, name: str, reason: str):
        self.name = name
        super().__init__(f"invalid configuration: {name}: {reason}")


@dataclass(frozen=True)
class Settings:
    """Validated API settings; every field documents its environment variable and default."""

    database_url: URL  # DATABASE_URL, or built from DB_HOST/DB_PORT/DB_NAME/DB_USER(/DB_PASSWORD)
    db_iam_auth: bool = False  # DB_IAM_AUTH: RDS IAM token as the password of each new connection
    db_pool_size: int = 5  # DB_POOL_SIZE: connections per worker process (match gunicorn threads)
    db_connect_timeout: int = 2  # DB_CONNECT_TIMEOUT seconds; bounds a request when the DB is gone
    db_statement_timeout_ms: int = 5000  # DB_STATEMENT_TIMEOUT_MS
    s3_bucket: str | None = None  # S3_BUCKET for attachments; unset = attachments answer 503
    aws_region: str | None = None  # AWS_REGION (IRSA sets it on EKS); required for IAM DB auth
    presign_expires_s: int = 900  # PRESIGN_EXPIRES_SECONDS for attachment URLs
    attachment_max_bytes: int = 10 * 1024 * 1024  # ATTACHMENT_MAX_BYTES: S3 refuses larger uploads
    s3_endpoint_url: str | None = None  # S3_ENDPOINT_URL: only for local S3 look-alikes
    cors_allowed_origins: tuple[str, ...] = ()  # CORS_ALLOWED_ORIGINS, comma-separated
    max_content_length: int = 64 * 1024  # MAX_CONTENT_LENGTH bytes of a request body
    log_level: str = "INFO"  # LOG_LEVEL
    auth_alb_arn: str | None = None  # AUTH_ALB_ARN: the only signer of x-amzn-oidc-data trusted (identity.py)
    auth_issuer: str | None = None  # AUTH_ISSUER: if set, the only IdP issuer (header `iss`) trusted (identity.py)
    auth_public_keys_url: str = ""  # AUTH_PUBLIC_KEYS_URL: default the ALB key endpoint of the ARN's region
    auth_local_dev: bool = False  # AUTH_LOCAL_DEV: no ALB, everyone is AUTH_LOCAL_DEV_SUB (never on EKS)
    auth_local_dev_sub: str = "local-developer"  # AUTH_LOCAL_DEV_SUB


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = str(env.get(name, "true" if default else "false")).strip().lower()
    if raw in TRUE_VALUES:
        return True
    if raw in FALSE_VALUES:
        return False
    raise ConfigError(name, f"{raw!r} is not a boolean (use true or false)")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = str(env.get(name, default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"{raw!r} is not an integer ({low}..{high})") from None
    if not low <= value <= high:
        raise ConfigError(name, f"{value} is out of range ({low}..{high})")
    return value


def _text(env: Mapping[str, str], name: str) -> str | None:
    value = str(env.get(name, "")).strip()
    return value or None


def _root_cert(env: Mapping[str, str], iam_auth: bool) -> str | None:
    """With IAM auth the server certificate is verified against this CA bundle (it must exist)."""
    if not iam_auth:
        return _text(env, "DB_SSL_ROOT_CERT")
    path = _text(env, "DB_SSL_ROOT_CERT") or RDS_CA_BUNDLE
    if not os.path.isfile(path):
        raise ConfigError("DB_SSL_ROOT_CERT", f"{path} is not a file (the RDS CA bundle; the image ships {RDS_CA_BUNDLE})")
    return path


def _database_url(env: Mapping[str, str], iam_auth: bool, region: str | None) -> URL:
    raw = _text(env, "DATABASE_URL")
    if iam_auth:
        missing = [n for n in ("DB_HOST", "DB_NAME", "DB_USER") if not _text(env, n)]
        if missing:
            raise ConfigError(missing[0], "required when DB_IAM_AUTH=true")
        if region is None:
            raise ConfigError("AWS_REGION", "required when DB_IAM_AUTH=true (the token is signed for a region)")
    if raw and not iam_auth:
        try:
            url = make_url(raw)
        except ArgumentError:
            raise ConfigError("DATABASE_URL", "not a URL like postgresql+psycopg://user:password@host:5432/db") from None
        if url.get_backend_name() not in ("postgresql", "postgres"):
            raise ConfigError("DATABASE_URL", f"backend {url.get_backend_name()!r} is not PostgreSQL")
        return url.set(drivername="postgresql+psycopg")
    host = _text(env, "DB_HOST")
    if host is None:
        raise ConfigError("DATABASE_URL", "set DATABASE_URL, or DB_HOST, DB_NAME and DB_USER")
    for name in ("DB_NAME", "DB_USER"):
        if _text(env, name) is None:
            raise ConfigError(name, "required with DB_HOST")
    return URL.create(
        "postgresql+psycopg",
        username=_text(env, "DB_USER"),
        password=None if iam_auth else _text(env, "DB_PASSWORD"),
        host=host,
        port=_int(env, "DB_PORT", 5432, 1, 65535),
        database=_text(env, "DB_NAME"),
        # The IAM token is a 15-minute bearer credential: only ever sent to the verified RDS host.
        query={"sslmode": "verify-full", "sslrootcert": _root_cert(env, iam_auth)} if iam_auth else {},
    )


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    origins = tuple(o.strip().rstrip("/") for o in str(env.get("CORS_ALLOWED_ORIGINS", "")).split(",") if o.strip())
    for origin in origins:
        if not ORIGIN_PATTERN.match(origin):
            raise ConfigError(
                "CORS_ALLOWED_ORIGINS", f"{origin!r} is not an origin like https://app.example.com (no '*', no path)"
            )
    return origins


def _auth(env: Mapping[str, str]) -> dict:
    """AUTH_*: which load balancer's signed identity to trust, and where its public keys are."""
    arn = _text(env, "AUTH_ALB_ARN")
    keys_url = _text(env, "AUTH_PUBLIC_KEYS_URL")
    if keys_url is not None and not KEYS_URL_PATTERN.match(keys_url):
        raise ConfigError("AUTH_PUBLIC_KEYS_URL", f"{keys_url!r} is not a URL like https://public-keys.example")
    if arn is not None:
        match = ALB_ARN_PATTERN.match(arn)
        if match is None:
            raise ConfigError(
                "AUTH_ALB_ARN",
                f"{arn!r} is not an ALB ARN like arn:aws:elasticloadbalancing:eu-west-1:123456789012:"
                "loadbalancer/app/NAME/ID (or .../app/NAME/ for any id)",
            )
        if keys_url is None and match["partition"] != "aws":
            raise ConfigError(
                "AUTH_PUBLIC_KEYS_URL",
                f"required for partition {match['partition']!r}: its key endpoint is not "
                "public-keys.auth.elb.<region>.amazonaws.com (see the ALB user-claims docs for the region)",
            )
        keys_url = keys_url or f"https://public-keys.auth.elb.{match['region']}.amazonaws.com"
    local_dev = _flag(env, "AUTH_LOCAL_DEV")
    if local_dev and arn is not None:
        raise ConfigError("AUTH_LOCAL_DEV", "true together with AUTH_ALB_ARN: unset AUTH_LOCAL_DEV to trust the ALB")
    if local_dev and _text(env, "KUBERNETES_SERVICE_HOST"):
        raise ConfigError(
            "AUTH_LOCAL_DEV", "true inside Kubernetes (KUBERNETES_SERVICE_HOST is set): unset it and set AUTH_ALB_ARN"
        )
    issuer = _text(env, "AUTH_ISSUER")
    if issuer is not None and not ISSUER_PATTERN.match(issuer):
        raise ConfigError("AUTH_ISSUER", f"{issuer!r} is not an issuer URL like "
                          "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123 (https, no query)")
    local_sub = _text(env, "AUTH_LOCAL_DEV_SUB") or "local-developer"
    if len(local_sub) > 255:
        raise ConfigError("AUTH_LOCAL_DEV_SUB", "longer than 255 characters")
    return {
        "auth_alb_arn": arn,
        "auth_issuer": issuer,
        "auth_public_keys_url": keys_url or "",
        "auth_local_dev": local_dev,
        "auth_local_dev_sub": local_sub,
    }


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Validate ``env`` (default: the process environment) into Settings or raise ConfigError."""
    env = os.environ if env is None else env
    region = _text(env, "AWS_REGION") or _text(env, "AWS_DEFAULT_REGION")
    if region is not None and not REGION_PATTERN.match(region):
        raise ConfigError("AWS_REGION", f"{region!r} is not a region like eu-west-1")
    iam_auth = _flag(env, "DB_IAM_AUTH")
    bucket = _text(env, "S3_BUCKET")
    if bucket is not None and not BUCKET_PATTERN.match(bucket):
        raise ConfigError("S3_BUCKET", f"{bucket!r} is not a valid bucket name")
    log_level = str(env.get("LOG_LEVEL", "INFO")).strip().upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError("LOG_LEVEL", f"{log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    return Settings(
        database_url=_database_url(env, iam_auth, region),
        db_iam_auth=iam_auth,
        db_pool_size=_int(env, "DB_POOL_SIZE", 5, 1, 100),
        db_connect_timeout=_int(env, "DB_CONNECT_TIMEOUT", 2, 1, 60),
        db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", 5000, 100, 600000),
        s3_bucket=bucket,
        aws_region=region,
        presign_expires_s=_int(env, "PRESIGN_EXPIRES_SECONDS", 900, 60, 7 * 24 * 3600),
        # S3 accepts at most 5 GiB in one POST upload
        attachment_max_bytes=_int(env, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024, 1, 5 * 1024**3),
        s3_endpoint_url=_text(env, "S3_ENDPOINT_URL"),
        cors_allowed_origins=_origins(env),
        max_content_length=_int(env, "MAX_CONTENT_LENGTH", 64 * 1024, 1024, 10 * 1024 * 1024),
        log_level=log_level,
        **_auth(env),
    )
