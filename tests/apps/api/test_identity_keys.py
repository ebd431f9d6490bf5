"""The ALB key endpoint misbehaving, served for real on 127.0.0.1: what is "unknown kid" (401,
remembered) and what is "cannot tell now" (503, asked again next time).

Only 404 and 403 mean the endpoint has no such key (the GovCloud endpoints are S3 buckets, which
answer 403 for a missing object); throttling, server errors, a body that is not a P-256 PEM key and
broken HTTP (a garbled status line, a body cut short) are 503 ``identity_unavailable``.
"""

from __future__ import annotations

import socketserver
import threading
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from innovate_api import identity
from innovate_api.errors import ApiError
from innovate_api.identity import KeyCache, Unauthenticated
from tests.apps.api.test_identity import ALB_ARN, HEADER, KID, AlbStandIn, assert_refused

P256 = ec.generate_private_key(ec.SECP256R1())


def pem_of(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def http(status: str, body: bytes, length: int | None = None) -> bytes:
    length = len(body) if length is None else length
    return f"HTTP/1.1 {status}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n".encode() + body


class KeyEndpoint:
    """Answers each GET with the next raw response of ``answers`` (the last one repeats)."""

    def __init__(self, *answers: bytes, delay: float = 0.0):
        self.answers, self.delay, self.fetches = list(answers), delay, []
        endpoint = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                line = self.rfile.readline().decode()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                endpoint.fetches.append(line.split(" ")[1].lstrip("/"))
                time.sleep(endpoint.delay)
                answers = endpoint.answers
                self.wfile.write(answers.pop(0) if len(answers) > 1 else answers[0])

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint_with():
    started = []

    def start(*answers: bytes, delay: float = 0.0) -> KeyEndpoint:
        started.append(KeyEndpoint(*answers, delay=delay))
        return started[-1]

    yield start
    for endpoint in started:
        endpoint.close()


@pytest.mark.parametrize("status", ["404 Not Found", "403 Forbidden"])
def test_404_and_403_mean_unknown_and_are_remembered(endpoint_with, status):
    endpoint = endpoint_with(http(status, b"<Error><Code>NoSuchKey</Code></Error>"))
    keys = KeyCache(endpoint.url)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            keys.get(KID)
    assert endpoint.fetches == [KID]


BROKEN = {
    "throttled": http("429 Too Many Requests", b"slow down"),
    "bad request": http("400 Bad Request", b"no"),
    "server error": http("500 Internal Server Error", b"oops"),
    "not PEM": http("200 OK", b"<html>captive portal</html>"),
    "not P-256": http("200 OK", pem_of(rsa.generate_private_key(public_exponent=65537, key_size=2048))),
    "garbled status line": b"HTTX/9 what\r\n\r\n",
    "body cut short": http("200 OK", pem_of(P256)[:40], length=400),
}


@pytest.mark.parametrize("answer", BROKEN.values(), ids=BROKEN.keys())
def test_other_failures_are_503_and_asked_again(endpoint_with, answer):
    endpoint = endpoint_with(answer, http("200 OK", pem_of(P256)))
    keys = KeyCache(endpoint.url)
    with pytest.raises(ApiError) as error:
        keys.get(KID)
    assert (error.value.status, error.value.code) == (503, "identity_unavailable")
    time.sleep(identity.KEY_FETCH_TIMEOUT_S)  # past the short "just failed" window for waiting requests
    assert keys.get(KID).public_numbers() == P256.public_key().public_numbers()
    assert endpoint.fetches == [KID, KID]


def test_a_throttled_endpoint_answers_503_through_the_api(make_app, endpoint_with):
    alb = AlbStandIn()
    try:
        endpoint = endpoint_with(http("429 Too Many Requests", b"slow down"))
        app = make_app(AUTH_LOCAL_DEV="false", AUTH_ALB_ARN=ALB_ARN, AUTH_PUBLIC_KEYS_URL=endpoint.url)
        response = app.test_client().get("/api/v1/projects", headers={HEADER: alb.token()})
        assert_refused(response, 503, "identity_unavailable")
    finally:
        alb.close()


def test_concurrent_requests_with_a_new_kid_fetch_it_once(endpoint_with):
    endpoint = endpoint_with(http("200 OK", pem_of(P256)), delay=0.3)
    keys = KeyCache(endpoint.url)
    results = []
    threads = [threading.Thread(target=lambda: results.append(keys.get(KID))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and endpoint.fetches == [KID]


def test_requests_waiting_on_a_failed_fetch_do_not_each_fetch_again(endpoint_with):
    endpoint = endpoint_with(http("500 Internal Server Error", b"oops"), delay=0.3)
    keys = KeyCache(endpoint.url)
    statuses = []

    def get():
        try:
            keys.get(KID)
        except ApiError as error:
            statuses.append(error.status)

    threads = [threading.Thread(target=get) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [503] * 6 and endpoint.fetches == [KID]


def test_unknown_kids_are_looked_up_at_most_so_often_per_minute(endpoint_with):
    endpoint = endpoint_with(http("404 Not Found", b""))
    keys = KeyCache(endpoint.url)
    budget = identity.UNKNOWN_FETCHES_PER_MINUTE
    for n in range(budget + 5):
        with pytest.raises(Unauthenticated) as error:
            keys.get(f"random-{n}")
    assert len(endpoint.fetches) == budget
    assert "too many unknown keys" in error.value.message
