"""The API as deployed, behind a local stand-in for the ALB (tests/support/alb_standin.py).

Real gunicorn, real PostgreSQL, identity only from the stand-in's signed x-amzn-oidc-data
(AUTH_LOCAL_DEV off, AUTH_ALB_ARN the load balancer's name prefix, keys from the stand-in's key
endpoint). Users sign in over HTTP through the stand-in's IdP form, like a browser without
JavaScript. The unit cases of the token check are in test_identity.py; these go through the edge.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.alb_standin import IDP_PREFIX, ISSUER, AlbStandIn, Faults
from tests.support.postgres import free_port, running_postgres
from tests.support.web_stack import running_api, serving_web


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Client:
    """A cookie-keeping HTTP client; ``follow=False`` shows the stand-in's own redirects."""

    def __init__(self, alb: AlbStandIn, follow: bool = True):
        self.alb, self.base = alb, alb.url
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)] + ([] if follow else [NoRedirect()])
        self.opener = urllib.request.build_opener(*handlers)

    def call(self, method: str, path: str, body=None, headers=None, form=None) -> Answer:
        data, all_headers = None, {"Accept": "application/json", **(headers or {})}
        if body is not None:
            data, all_headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data, all_headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=data, headers=all_headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def sign_in(self, username: str) -> Client:
        page = self.call("GET", "/")
        assert page.status == 200 and b"Sign in" in page.body, page
        fields = dict(re.findall(rb'name="(state|redirect_uri)" value="([^"]*)"', page.body))
        form = {k.decode(): v.decode().replace("&amp;", "&") for k, v in fields.items()} | {"username": username}
        landed = self.call("POST", f"{IDP_PREFIX}authorize", form=form)
        assert landed.status == 200 and b"web app" in landed.body, landed
        assert any(cookie.name == self.alb.cookie_name for cookie in self.jar)
        return self


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    """Postgres, the API and a placeholder web app behind one stand-in: /api denies, / authenticates."""
    tmp = tmp_path_factory.mktemp("edge")
    (tmp / "index.html").write_text("<!doctype html><title>web app</title><p>web app</p>\n")
    api_port = free_port()
    with running_postgres() as pg, serving_web(tmp, "") as web_url:
        api = f"http://127.0.0.1:{api_port}"
        rules = [("/api/", api, "deny"), ("/", web_url, "authenticate")]  # as the api and web charts set them
        with AlbStandIn(rules, session_cookie="innovate-local-session") as alb:  # as the chart names it
            # As deployed: the ALB's name and the IdP's issuer (tests/support/alb_standin.py api_settings).
            assert alb.api_settings["AUTH_ISSUER"] == ISSUER
            with running_api(pg.url, api_port, None, tmp / "api.log", auth=alb.api_settings):
                yield alb


@pytest.fixture
def alb(edge):
    yield edge
    edge.faults = Faults()


def refused(answer: Answer, status: int, code: str) -> str:
    assert answer.status == status, answer
    error = answer.json()["error"]
    assert error["code"] == code, error
    return error["message"]


def test_anonymous_writes_are_401_and_the_web_path_redirects_to_sign_in(alb):
    anonymous = Client(alb, follow=False)
    assert anonymous.call("POST", "/api/v1/projects", {"name": "x"}).status == 401
    assert anonymous.call("DELETE", "/api/v1/projects/1").status == 401
    assert anonymous.call("GET", "/api/v1/projects").status == 401
    assert anonymous.call("GET", "/api/v1/me").status == 401
    page = anonymous.call("GET", "/projects/1?tab=items")
    assert page.status == 302 and page.headers["Location"].startswith(f"{IDP_PREFIX}authorize?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.headers["Location"]).query)
    assert query["redirect_uri"] == [f"{alb.url}/oauth2/idpresponse"] and query["response_type"] == ["code"]
    # Target-group health checks go to the pods, not through the listener's rules: open in the app.
    api = next(r.upstream for r in alb.rules if r.prefix == "/api/")
    assert urllib.request.urlopen(f"{api}/healthz", timeout=5).status == 200


def test_signing_in_returns_to_the_page_the_user_asked_for(alb):
    browser = Client(alb)
    first = browser.call("GET", "/projects/7")
    fields = dict(re.findall(r'name="(state|redirect_uri)" value="([^"]*)"', first.body.decode()))
    no_follow = Client(alb, follow=False)
    to_callback = no_follow.call("POST", f"{IDP_PREFIX}authorize", form=fields | {"username": "carol"})
    assert to_callback.status == 302 and "/oauth2/idpresponse?code=" in to_callback.headers["Location"]
    callback = urllib.parse.urlsplit(to_callback.headers["Location"])
    back = no_follow.call("GET", f"{callback.path}?{callback.query}")
    assert back.status == 302 and back.headers["Location"] == "/projects/7"
    assert back.headers["Set-Cookie"].startswith("innovate-local-session-0=") and "HttpOnly" in back.headers["Set-Cookie"]
    assert no_follow.call("GET", f"{callback.path}?{callback.query}").status == 401  # a code is used once


def test_the_owner_may_change_another_user_gets_403(alb):
    alice, bob = Client(alb).sign_in("alice"), Client(alb).sign_in("bob")
    assert alice.call("GET", "/api/v1/me").json() == {"sub": "alice", "email": "alice@example.com"}
    assert bob.call("GET", "/api/v1/me").json()["sub"] == "bob"
    created = alice.call("POST", "/api/v1/projects", {"name": "Edge launch"})
    assert created.status == 201, created
    project = created.json()
    assert project["owner"] == "alice"
    path = f"/api/v1/projects/{project['id']}"
    assert bob.call("GET", path).json()["name"] == "Edge launch"  # every signed-in user may read
    assert "only the owner" in refused(bob.call("PATCH", path, {"name": "Mine now"}), 403, "forbidden")
    refused(bob.call("DELETE", path), 403, "forbidden")
    refused(bob.call("POST", f"{path}/items", {"title": "sneaky"}), 403, "forbidden")
    assert alice.call("PATCH", path, {"name": "Edge launch v2"}).json()["name"] == "Edge launch v2"
    assert alice.call("DELETE", path).status == 204


def test_a_header_the_client_sends_is_never_passed_through(alb):
    alice = Client(alb).sign_in("alice")
    project = alice.call("POST", "/api/v1/projects", {"name": "Replayed"}).json()
    stolen = {"x-amzn-oidc-data": alb.token("alice"), "x-amzn-oidc-identity": "alice"}  # genuine, for alice
    bob = Client(alb).sign_in("bob")
    path = f"/api/v1/projects/{project['id']}"
    refused(bob.call("PATCH", path, {"name": "x"}, headers=stolen), 403, "forbidden")  # still bob
    assert Client(alb).call("POST", "/api/v1/projects", {"name": "y"}, headers=stolen).status == 401
    # Behind an "allow" rule the request reaches the API without the header, and the API refuses it.
    api = next(r.upstream for r in alb.rules if r.prefix == "/api/")
    with AlbStandIn([("/api/", api, "allow")]) as open_door:
        message = refused(Client(open_door).call("POST", "/api/v1/projects", {"name": "z"}, headers=stolen),
                          401, "unauthenticated")
    assert "no x-amzn-oidc-data header" in message


@pytest.mark.parametrize(("fault", "reason"), [
    (lambda alb: Faults(key=ec.generate_private_key(ec.SECP256R1())), "signature is invalid"),
    (lambda alb: Faults(exp_offset=-5), "expired"),
    (lambda alb: Faults(signer=alb.signer_prefix.replace("/app/", "/app/k8s-elsewhere-") + "0123abcd"),
     "not signed by this load balancer"),
    (lambda alb: Faults(signer=alb.signer_prefix.replace(":123456789012:", ":999999999999:") + alb.lb_id),
     "not signed by this load balancer"),
    # A token the same ALB signed for another IdP (e.g. another user pool): AUTH_ISSUER refuses it.
    (lambda alb: Faults(issuer="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Elsewhere"),
     "not issued by this platform's identity provider"),
])
def test_a_forged_expired_or_foreign_token_is_refused(alb, fault, reason):
    alice = Client(alb).sign_in("alice")
    assert alice.call("GET", "/api/v1/projects").status == 200
    fetches = len(alb.key_fetches)
    alb.faults = fault(alb)
    assert reason in refused(alice.call("POST", "/api/v1/projects", {"name": "nope"}), 401, "unauthenticated")
    if "load balancer" in reason or "identity provider" in reason:
        assert len(alb.key_fetches) == fetches  # a foreign signer costs no key fetch
    alb.faults = Faults()
    assert alice.call("GET", "/api/v1/projects").status == 200


def test_an_expired_session_signs_in_again(alb):
    dave = Client(alb, follow=False)
    dave.jar.set_cookie(http.cookiejar.Cookie(
        0, alb.cookie_name, alb.new_session("dave"), None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {}))
    assert dave.call("GET", "/api/v1/projects").status == 200
    alb.expire_sessions()
    assert dave.call("GET", "/api/v1/projects").status == 401
    assert dave.call("GET", "/").headers["Location"].startswith(f"{IDP_PREFIX}authorize?")
