"""/healthz (the process answers), /readyz (it can serve: database reachable, not stopping)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import db
from .errors import error_body
from .lifecycle import shutting_down

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    if shutting_down.is_set():
        return jsonify(error_body("shutting_down", "this process is shutting down")), 503
    try:
        with db.engine_of(current_app).connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines() or [type(error).__name__]
        current_app.logger.warning("not ready: database unreachable: %s", reason[0])
        return jsonify(error_body("database_unavailable", "the database is unreachable")), 503
    return jsonify({"status": "ready"})
