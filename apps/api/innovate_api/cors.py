"""CORS for the configured front-end origins only, including preflight requests."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request

from .errors import error_body

ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "Content-Type, X-Request-ID"
PREFLIGHT_MAX_AGE = "600"


def is_preflight() -> bool:
    """A CORS preflight (browsers send it without credentials)."""
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _origin_allowed(origin: str | None) -> bool:
    return origin is not None and origin in current_app.extensions["innovate_api.settings"].cors_allowed_origins


def _reject_foreign_preflight():
    """A preflight from an origin we do not serve gets a clear 403 instead of a silent 200."""
    if is_preflight() and not _origin_allowed(request.headers.get("Origin")):
        return jsonify(error_body("cors_origin_not_allowed", "this origin may not call the API", "Origin")), 403
    return None


def _add_cors_headers(response):
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not _origin_allowed(origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "X-Request-ID"
    if is_preflight():
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def init_app(app: Flask) -> None:
    app.before_request(_reject_foreign_preflight)
    app.after_request(_add_cors_headers)
