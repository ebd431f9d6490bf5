"""The ALB stand-in itself (tests/support/alb_standin.py) does what AWS documents the ALB doing:
the token format, the headers it adds and strips, rule order, the sign-in form, its command line.
An echo upstream shows exactly what a target receives."""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from innovate_api.identity import KeyCache, verify
from tests.support.alb_standin import IDP_PREFIX, AlbStandIn, Faults

REPO = Path(__file__).resolve().parents[3]
PADDED_B64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")


class Echo(BaseHTTPRequestHandler):
    """Answers with the method, path, headers and body it received; sets two cookies."""

    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": body.decode()}
        data = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "a=1")
        self.send_header("Set-Cookie", "b=2")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def echo():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def alb(echo):
    with AlbStandIn([("/api/", echo, "deny"), ("/api", echo, "allow"), ("/open/", echo, "allow"),
                     ("/", echo, "authenticate")]) as stand_in:
        yield stand_in


def send(alb, method, path, *, sub=None, headers=None, body=None):
    all_headers = dict(headers or {})
    if sub:
        all_headers["Cookie"] = f"AWSELBAuthSessionCookie-0={alb.new_session(sub)}"  # the default name
    request = urllib.request.Request(alb.url + path, data=body, headers=all_headers, method=method)
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    try:
        response = opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers, response.read()


def b64decode_padded(part: str) -> bytes:
    assert PADDED_B64URL.match(part) and len(part) % 4 == 0, f"not padded base64url: {part!r}"
    return base64.urlsafe_b64decode(part)


def test_the_token_has_the_documented_header_padding_and_raw_signature(alb):
    token = alb.token("alice")
    header_part, claims_part, signature_part = token.split(".")
    header = json.loads(b64decode_padded(header_part))
    assert set(header) == {"alg", "kid", "signer", "iss", "client", "exp"} and header["alg"] == "ES256"
    assert re.fullmatch(r"arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/innovate-local/[0-9a-f]{16}",
                        header["signer"])
    assert json.loads(b64decode_padded(claims_part))["sub"] == "alice"
    assert len(b64decode_padded(signature_part)) == 64  # r || s, not DER
    pem = urllib.request.urlopen(f"{alb.keys_url}/{header['kid']}", timeout=5).read()
    assert load_pem_public_key(pem).curve.name == "secp256r1"
    assert verify(token, alb.signer_prefix, KeyCache(alb.keys_url))["sub"] == "alice"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{alb.keys_url}/not-{header['kid']}", timeout=5)
    assert missing.value.code == 404


def test_a_signed_in_request_carries_the_three_headers_and_client_copies_are_dropped(alb):
    forged = {"x-amzn-oidc-data": "forged", "X-Amzn-Oidc-Identity": "mallory", "x-amzn-oidc-accesstoken": "t"}
    status, headers, body = send(alb, "POST", "/api/v1/things?x=1", sub="alice", headers=forged, body=b'{"a":1}')
    seen = json.loads(body)
    received = {k.lower(): v for k, v in seen["headers"].items()}
    assert status == 200 and seen["method"] == "POST" and seen["path"] == "/api/v1/things?x=1"
    assert seen["body"] == '{"a":1}'
    assert received["x-amzn-oidc-identity"] == "alice" and received["x-amzn-oidc-accesstoken"] != "t"
    assert verify(received["x-amzn-oidc-data"], alb.signer_prefix, KeyCache(alb.keys_url))["sub"] == "alice"
    assert received["x-forwarded-for"] == "127.0.0.1"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]  # repeated upstream headers survive

    _, _, anonymous = send(alb, "GET", "/open/x", headers=forged)  # an "allow" rule: no claims at all
    assert not [k for k in json.loads(anonymous)["headers"] if k.lower().startswith("x-amzn-oidc-")]


def test_rules_apply_in_order_with_each_unauthenticated_action(alb):
    assert send(alb, "GET", "/api/v1/x")[0] == 401  # "/api/" deny comes before "/api" allow
    assert send(alb, "GET", "/apiary")[0] == 200  # "/api" allow
    status, headers, _ = send(alb, "GET", "/somewhere?q=1")
    assert status == 302 and headers["Location"].startswith(f"{IDP_PREFIX}authorize?")
    state = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["state"][0]
    assert alb.pending[state] == "/somewhere?q=1"


def test_the_sign_in_form_refuses_a_bad_username_and_a_foreign_redirect(alb):
    callback = f"{alb.url}/oauth2/idpresponse"
    form = {"state": "s", "redirect_uri": callback, "username": "no spaces <b>"}
    status, _, page = send(alb, "POST", f"{IDP_PREFIX}authorize", body=urllib.parse.urlencode(form).encode())
    assert status == 400 and b'role="alert"' in page and b"<b>" not in page
    form |= {"username": "eve", "redirect_uri": "http://evil.example/oauth2/idpresponse"}
    assert send(alb, "POST", f"{IDP_PREFIX}authorize", body=urllib.parse.urlencode(form).encode())[0] == 400


def test_faults_change_only_what_they_name(alb):
    alb.faults = Faults(exp_offset=-5)
    header = json.loads(b64decode_padded(alb.token("alice").split(".")[0]))
    assert header["exp"] < time.time() and header["signer"] == alb.signer_arn


def test_the_command_line_names_a_bad_rule():
    run = subprocess.run([sys.executable, "-m", "tests.support.alb_standin", "--rule", "api=nowhere"],
                         cwd=REPO, capture_output=True, text=True, timeout=30)
    assert run.returncode == 2 and "--rule 'api=nowhere'" in run.stderr and "PREFIX=http://" in run.stderr
    assert "Traceback" not in run.stderr
    bad_action = subprocess.run([sys.executable, "-m", "tests.support.alb_standin", "--rule", "/=http://h:1=maybe"],
                                cwd=REPO, capture_output=True, text=True, timeout=30)
    assert bad_action.returncode == 2 and "on_unauthenticated must be one of" in bad_action.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = subprocess.run([sys.executable, "-m", "tests.support.alb_standin", "--port", str(taken.getsockname()[1]),
                               "--keys-port", "0", "--rule", "/=http://127.0.0.1:9"],
                              cwd=REPO, capture_output=True, text=True, timeout=30)
    assert busy.returncode == 1 and "cannot listen" in busy.stderr and "--port" in busy.stderr
    assert "Traceback" not in busy.stderr


def test_the_command_line_starts_it_and_prints_the_api_settings(echo):
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.alb_standin", "--port", "0", "--keys-port", "0",
                             "--rule", f"/api/={echo}=deny", "--rule", f"/={echo}"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first, second = proc.stdout.readline(), proc.stdout.readline()
        edge = re.search(r"on (http://127\.0\.0\.1:\d+);", first).group(1)
        settings = dict(re.findall(r"(AUTH_\w+)=(\S+)", second))
        assert settings["AUTH_ALB_ARN"].endswith("loadbalancer/app/innovate-local/")
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{edge}/api/v1/projects", timeout=5)
        assert denied.value.code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
