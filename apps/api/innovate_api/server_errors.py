"""gunicorn's own error responses (414, 431, malformed request line or headers) as the API's JSON.

gunicorn answers requests it cannot parse before the app sees them, with an HTML page written by
``gunicorn.util.write_error``. ``install()`` (called in each worker by gunicorn.conf.py) replaces
that writer so every error the service emits has the documented shape
``{"error": {"code", "message", "field"}}``. Messages are fixed per status: they never echo the
offending bytes or gunicorn's internals.
"""

from __future__ import annotations

import json

from .errors import HTTP_CODES, error_body

MESSAGES = {
    400: "the request is malformed (request line, headers or chunked body framing)",
    403: "the request is forbidden",
    414: "the request line (method and URL) is too long",
    417: "the Expect header is not supported",
    431: "the request headers are too many or too large",
    500: "internal server error",
    501: "the request's Transfer-Encoding is not supported",
}


def json_error(status: int, reason: str) -> bytes:
    """The complete HTTP/1.1 response gunicorn sends for an error it raised itself."""
    code = HTTP_CODES.get(status, f"http_{status}")
    body = json.dumps(error_body(code, MESSAGES.get(status, reason.lower()))).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def install() -> None:
    """Make gunicorn's worker write JSON instead of HTML for the errors it raises itself."""
    from gunicorn import util

    def write_error(sock, status_int, reason, mesg):  # gunicorn.util.write_error's signature
        util.write_nonblock(sock, json_error(int(status_int), str(reason)))

    util.write_error = write_error
