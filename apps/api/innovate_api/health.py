"""/healthz (the process answers) and /readyz (it has started and is not shutting down).

Readiness deliberately does not touch the database: during a database failover every pod would
turn unready at once and the load balancer would answer 503 for the whole API, then need more
health checks after the database is back. Instead each request that needs the database answers
503 database_unavailable with Retry-After, and the pool reconnects by itself (errors.py, db.py).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

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
    return jsonify({"status": "ready"})
