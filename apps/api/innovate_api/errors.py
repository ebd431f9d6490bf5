"""Every error leaves the API as JSON: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger("innovate_api")

DRAIN_LIMIT = 1024 * 1024
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the client can act on; ``field`` names the offending input, if any."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def _api_error(error: ApiError):
    return jsonify(error_body(error.code, error.message, error.field)), error.status


def drain_unread_body(limit: int = DRAIN_LIMIT) -> None:
    """Read and drop a refused body (up to ``limit`` bytes) so the keep-alive connection stays usable.

    gunicorn only drains 64 KiB of an unread body before silently closing a connection it has
    already answered with "Connection: keep-alive"; a load balancer reusing that connection then
    fails its next request.
    """
    stream = request.environ.get("wsgi.input")
    length = request.content_length
    if stream is None or length is None or length > limit:
        return
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        remaining -= len(chunk)


def _http_error(error: HTTPException):
    """Werkzeug's HTML error pages (404, 405, 413, ...) as JSON, keeping headers like Allow."""
    if error.code == 413:
        drain_unread_body()
    response = error.get_response()
    status = error.code or 500
    response.set_data(
        jsonify(error_body(HTTP_CODES.get(status, f"http_{status}"), error.description or error.name)).get_data()
    )
    response.content_type = "application/json"
    return response


def _database_unavailable(error: Exception):
    log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else type(error).__name__)
    return jsonify(error_body("database_unavailable", "the database is unavailable, retry later")), 503


def _unexpected(error: Exception):
    log.exception("unhandled error")
    return jsonify(error_body("internal_error", "internal server error")), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(DBAPIError, _unexpected)
    app.register_error_handler(Exception, _unexpected)
