"""Every error leaves the API as JSON: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger("innovate_api")

DRAIN_LIMIT = 1024 * 1024
RETRY_AFTER_SECONDS = 5  # a Multi-AZ failover takes 60-120 s; clients back off and try again
HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    411: "length_required",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
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
    message = error.description or error.name
    if status == 413:  # whatever the framing (Content-Length or chunked, see bodies.py)
        message = f"request body is larger than {request.max_content_length} bytes (MAX_CONTENT_LENGTH)"
    response.set_data(jsonify(error_body(HTTP_CODES.get(status, f"http_{status}"), message)).get_data())
    response.content_type = "application/json"
    return response


def _database_unavailable(error: Exception):
    log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else type(error).__name__)
    response = jsonify(error_body("database_unavailable", "the database is unavailable, retry later"))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, 503


def _database_error(error: DBAPIError):
    """A lost or refused connection is the database being unavailable (503); anything else is a bug."""
    if error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError)):
        return _database_unavailable(error)
    return _unexpected(error)


def _unexpected(error: Exception):
    log.exception("unhandled error")
    return jsonify(error_body("internal_error", "internal server error")), 500


def init_app(app: Flask) -> None:
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(InterfaceError, _database_unavailable)
    app.register_error_handler(DBAPIError, _database_error)
    app.register_error_handler(Exception, _unexpected)
