"""Request bodies without a Content-Length (chunked) get the same MAX_CONTENT_LENGTH as the rest.

Werkzeug enforces MAX_CONTENT_LENGTH on the Content-Length header; for a chunked body it reads up
to the limit and stops, silently truncating it (a valid JSON prefix followed by anything was
accepted). This WSGI middleware reads a chunked body up to one byte past the limit: over it, the
request is answered 413 by the app (JSON, logged, counted); within it, the app sees an ordinary
body with a Content-Length.
"""

from __future__ import annotations

import io

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import DRAIN_LIMIT

TOO_LARGE = "innovate_api.body_too_large"


def _read_at_most(stream, size: int) -> bytes:
    parts, remaining = [], size
    while remaining > 0:
        chunk = stream.read(min(remaining, 64 * 1024))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


class BodyLimit:
    """WSGI middleware: a chunked body over ``limit`` bytes becomes an empty body flagged too large."""

    def __init__(self, wsgi_app, limit: int):
        self.wsgi_app, self.limit = wsgi_app, limit

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            stream = environ["wsgi.input"]
            body = _read_at_most(stream, self.limit + 1)
            if len(body) > self.limit:
                environ[TOO_LARGE] = True
                _read_at_most(stream, DRAIN_LIMIT)  # keep the connection usable for small overshoots
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.wsgi_app(environ, start_response)


def _refuse_flagged_bodies() -> None:
    # One rule whatever the framing or the route: a declared length over the limit is refused
    # before any view runs, even one that never reads the body (DELETE, GET).
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    declared = request.content_length
    if request.environ.get(TOO_LARGE) or (limit is not None and declared is not None and declared > limit):
        raise RequestEntityTooLarge()  # errors.py words it with the limit


def init_app(app: Flask, limit: int) -> None:
    app.wsgi_app = BodyLimit(app.wsgi_app, limit)
    app.before_request(_refuse_flagged_bodies)
