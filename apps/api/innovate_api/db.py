"""The database engine (pool, timeouts, RDS IAM auth) and the per-request session."""

from __future__ import annotations

from functools import partial

import psycopg

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings

ENGINE_KEY = "innovate_api.engine"
SESSIONS_KEY = "innovate_api.sessions"


def rds_client(region: str):
    """A boto3 RDS client on the default credential chain (IRSA on EKS)."""
    import boto3

    return boto3.client("rds", region_name=region)


def inject_iam_token(settings: Settings, client, dialect, conn_rec, cargs, cparams) -> None:
    """SQLAlchemy ``do_connect`` hook: a fresh 15-minute RDS IAM token as this connection's password."""
    from botocore.exceptions import BotoCoreError

    url = settings.database_url
    try:
        cparams["password"] = client.generate_db_auth_token(
            DBHostname=url.host, Port=url.port or 5432, DBUsername=url.username, Region=settings.aws_region
        )
    except BotoCoreError as error:  # e.g. no IRSA credentials: a connection error, not a crash
        raise psycopg.OperationalError(f"cannot create an RDS IAM auth token: {error}") from None
    # TLS comes from the URL: sslmode=verify-full against the RDS CA bundle (config.py).


def build_engine(settings: Settings, client_factory=None) -> Engine:
    """An engine whose connections time out quickly and, with DB_IAM_AUTH, log in with IAM tokens."""
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=2,
        pool_timeout=5,
        pool_pre_ping=True,
        pool_recycle=600,
        connect_args={
            "connect_timeout": settings.db_connect_timeout,
            "application_name": "innovate-api",
            "options": f"-c statement_timeout={settings.db_statement_timeout_ms} -c timezone=UTC",
            # A failed-over primary may vanish without a TCP reset: give up on an unanswered
            # connection instead of hanging a worker thread (libpq keepalives, tcp_user_timeout).
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": settings.db_statement_timeout_ms + 1000,
        },
    )
    if settings.db_iam_auth:
        event.listen(engine, "do_connect", partial(inject_iam_token, settings, (client_factory or rds_client)(settings.aws_region)))
    return engine


def init_app(app: Flask, settings: Settings) -> None:
    engine = build_engine(settings)
    app.extensions[ENGINE_KEY] = engine
    app.extensions[SESSIONS_KEY] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)


def engine_of(app: Flask) -> Engine:
    return app.extensions[ENGINE_KEY]


def session() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[SESSIONS_KEY]()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        try:
            db_session.close()
        except SQLAlchemyError as error:  # the connection died with the database: the pool replaces it
            current_app.logger.warning("closing a session on a lost connection: %s", type(error).__name__)


def dispose(app: Flask) -> None:
    """Close every pooled connection (worker exit, tests)."""
    engine = app.extensions.get(ENGINE_KEY)
    if engine is not None:
        engine.dispose()
