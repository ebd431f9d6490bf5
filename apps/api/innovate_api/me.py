"""GET /api/v1/me: who the load balancer says is calling, so a client can show it."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .identity import current_email, current_user

bp = Blueprint("me", __name__)


@bp.get("/api/v1/me")
def me():
    return jsonify({"sub": current_user(), "email": current_email()})
