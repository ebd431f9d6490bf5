"""Through the real gunicorn: every body over MAX_CONTENT_LENGTH is 413 whatever its framing, and
the errors gunicorn raises itself (414, 431, malformed request) are the API's JSON, not HTML."""

from __future__ import annotations

import json
import socket

import psycopg
import pytest

from tests.apps.api.test_gunicorn import Gunicorn

LIMIT = 64 * 1024  # MAX_CONTENT_LENGTH's default


def exchange(server, raw: bytes, timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
    """Send ``raw`` bytes, read the whole answer (the server closes or sends Content-Length)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything we send
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return status, headers, body


def chunked(payload: bytes, size: int = 8192) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(payload[i:i + size]), payload[i:i + size]) for i in range(0, len(payload), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def post(path: str, body: bytes, framing: str) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nConnection: close\r\n"
    if framing == "chunked":
        return head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(body)
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def json_error(headers, body) -> dict:
    assert headers["content-type"].startswith("application/json"), (headers, body[:200])
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "field"}
    return error


@pytest.fixture(scope="module")
def server(migrated_postgres, tmp_path_factory):
    """One gunicorn for the module (starting one takes seconds on a busy machine)."""
    running = Gunicorn(migrated_postgres, tmp_path_factory.mktemp("gunicorn"))
    yield running
    running.stop()
    with psycopg.connect(migrated_postgres.libpq_url, autocommit=True) as admin:
        admin.execute("TRUNCATE items, projects RESTART IDENTITY CASCADE")


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_a_valid_json_prefix_followed_by_more_than_the_limit_is_413(server, framing):
    prefix = json.dumps({"name": f"smuggled-{framing}"}).encode()
    body = prefix + b" " * 10 + b"x" * (200 * 1024)
    status, headers, answer = exchange(server, post("/api/v1/projects", body, framing))
    assert status == 413
    assert json_error(headers, answer)["code"] == "payload_too_large"
    status, _, listing = exchange(
        server, b"GET /api/v1/projects?limit=100 HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n"
    )
    names = [project["name"] for project in json.loads(listing)["items"]]
    assert status == 200 and f"smuggled-{framing}" not in names, "nothing may be created from a refused body"


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
@pytest.mark.parametrize("overshoot", [1, 10 * 1024])
def test_valid_json_just_over_the_limit_is_413(server, framing, overshoot):
    name = json.dumps({"name": "big", "description": ""}).encode()
    padding = LIMIT + overshoot - len(name)
    body = json.dumps({"name": "big", "description": "d" * padding}).encode()
    assert len(body) == LIMIT + overshoot
    status, headers, answer = exchange(server, post("/api/v1/projects", body, framing))
    assert status == 413
    error = json_error(headers, answer)
    assert error["code"] == "payload_too_large" and str(LIMIT) in error["message"]


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_bodies_within_the_limit_are_served_whatever_their_framing(server, framing):
    body = json.dumps({"name": f"fits-{framing}", "description": "d" * 1500}).encode()
    status, headers, answer = exchange(server, post("/api/v1/projects", body, framing))
    assert status == 201, answer
    assert json.loads(answer)["name"] == f"fits-{framing}"


def test_a_chunked_body_exactly_at_the_limit_is_not_truncated(server):
    """Exactly MAX_CONTENT_LENGTH bytes: the whole body is parsed (a truncation would be a 400)."""
    body = json.dumps({"name": "exact", "description": None}).encode()
    body = body[:-1] + b" " * (LIMIT - len(body)) + b"}"
    assert len(body) == LIMIT
    status, _, answer = exchange(server, post("/api/v1/projects", body, "chunked"))
    assert status == 201, answer


def test_uri_too_long_is_json_414(server):
    status, headers, body = exchange(server, b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: api\r\n\r\n")
    assert status == 414
    assert json_error(headers, body)["code"] == "uri_too_long"


@pytest.mark.parametrize(
    "headers",
    [b"X-Big: " + b"h" * 9000 + b"\r\n", b"".join(b"X-H%d: v\r\n" % i for i in range(150))],
    ids=["one-header-too-large", "too-many-headers"],
)
def test_headers_too_large_are_json_431_or_400(server, headers):
    status, answer_headers, body = exchange(server, b"GET /healthz HTTP/1.1\r\nHost: api\r\n" + headers + b"\r\n")
    assert status in (400, 431)
    assert json_error(answer_headers, body)["code"] in ("headers_too_large", "bad_request")


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /healthz HTTP/1.1\r\nHost: api\r\nNo colon in this header\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: api\r\nBad\x01Name: x\r\n\r\n",
        b"G\x00T /healthz HTTP/1.1\r\nHost: api\r\n\r\n",
        b"POST /api/v1/projects HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    ],
    ids=["header-without-colon", "control-in-header-name", "nul-in-method", "bad-chunk-size"],
)
def test_malformed_requests_are_json_400(server, raw):
    status, headers, body = exchange(server, raw)
    assert status == 400
    error = json_error(headers, body)
    assert error["code"] == "bad_request"
    assert "<html" not in body.decode("latin-1").lower()


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_an_oversize_body_on_a_route_that_never_reads_it_is_413_and_changes_nothing(server, framing):
    status, _, body = exchange(server, post("/api/v1/projects", f'{{"name": "keep me {framing}"}}'.encode(), "content-length"))
    assert status == 201, body
    project = json.loads(body)["id"]
    raw = post(f"/api/v1/projects/{project}", b"x" * (LIMIT + 1), framing).replace(b"POST ", b"DELETE ", 1)
    status, headers, body = exchange(server, raw)
    assert status == 413 and json_error(headers, body)["code"] == "payload_too_large"
    status, _, _ = exchange(server, f"GET /api/v1/projects/{project} HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n".encode())
    assert status == 200  # the DELETE never ran
