"""Identity at the edge, case by case: the app's token check with tokens crafted here.

A key endpoint on 127.0.0.1 serves a P-256 public key by kid (like
https://public-keys.auth.elb.<region>.amazonaws.com/<kid>), and tokens are signed like the ALB's
x-amzn-oidc-data (tests/support/alb_standin.sign_jwt), with knobs the ALB never turns (alg, kid,
padding). The whole edge (sign-in, cookie, gunicorn) is in test_edge_standin.py.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import text

from innovate_api import ConfigError, load_settings
from tests.support.alb_standin import sign_jwt

ALB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-innovate-api/50dc6c495c0c9188"
OTHER_ALB = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-other/0123456789abcdef"
KID = "1b2c3d4e-0000-4000-8000-aabbccddeeff"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
HEADER = "x-amzn-oidc-data"


def pem(private_key) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class AlbStandIn:
    """The ALB's two roles for the API: it signs user claims and publishes its public keys."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.published = {KID: pem(self.key)}
        self.fetches: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                kid = self.path.lstrip("/")
                stand_in.fetches.append(kid)
                body = stand_in.published.get(kid)
                self.send_response(200 if body else 404)
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, sub="alice", *, signer=ALB_ARN, kid=KID, exp_in=120, key=None, alg="ES256", pad=True,
              claims=None, headers=None, iss=ISSUER) -> str:
        """A signed token; ``claims``/``headers`` override payload/header fields, a value None drops the field."""
        now = int(time.time())
        header = {"alg": alg, "kid": kid, "signer": signer, "iss": iss, "client": "c",
                  "exp": now + exp_in, "typ": "JWT"}
        payload = {"sub": sub, "email": f"{sub}@example.com", "exp": now + exp_in, "iss": iss}
        for part, overrides in ((header, headers), (payload, claims)):
            part.update(overrides or {})
            for name in [n for n, v in part.items() if v is None]:
                del part[name]
        return sign_jwt(key or self.key, header, payload, pad)

    def as_user(self, sub="alice", **kwargs) -> dict[str, str]:
        return {HEADER: self.token(sub, **kwargs)}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def alb():
    stand_in = AlbStandIn()
    yield stand_in
    stand_in.close()


@pytest.fixture
def edge_app(make_app, alb):
    """The API as deployed: no local-development shortcut, identity only from the stand-in ALB."""
    app = make_app(AUTH_LOCAL_DEV="false", AUTH_ALB_ARN=ALB_ARN, AUTH_PUBLIC_KEYS_URL=alb.url)
    yield app
    from innovate_api.db import engine_of

    with engine_of(app).begin() as connection:
        connection.execute(text("TRUNCATE items, projects RESTART IDENTITY CASCADE"))


@pytest.fixture
def api(edge_app):
    return edge_app.test_client()


def assert_refused(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"], error
    assert set(error) == {"code", "message", "field"}
    return error


def create(api, alb, name="checkout", sub="alice"):
    response = api.post("/api/v1/projects", json={"name": name}, headers=alb.as_user(sub))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_anonymous_writes_and_reads_are_401_in_the_error_shape(api, alb):
    error = assert_refused(api.post("/api/v1/projects", json={"name": "x"}), 401, "unauthenticated")
    assert error["field"] == HEADER
    assert_refused(api.get("/api/v1/projects"), 401, "unauthenticated")
    owned = create(api, alb)
    assert_refused(api.patch(f"/api/v1/projects/{owned['id']}", json={"name": "y"}), 401, "unauthenticated")
    assert_refused(api.delete(f"/api/v1/projects/{owned['id']}"), 401, "unauthenticated")
    assert api.get(f"/api/v1/projects/{owned['id']}", headers=alb.as_user()).get_json()["name"] == "checkout"


def test_health_metrics_and_the_description_stay_open(api):
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.yaml"):
        assert api.get(path).status_code == 200, path


def test_the_owner_is_recorded_and_may_change_and_delete(api, alb):
    project = create(api, alb, sub="alice")
    assert project["owner"] == "alice"
    alice = alb.as_user("alice")
    assert api.patch(f"/api/v1/projects/{project['id']}", json={"description": "d"}, headers=alice).status_code == 200
    item = api.post(f"/api/v1/projects/{project['id']}/items", json={"title": "t"}, headers=alice)
    assert item.status_code == 201
    assert api.delete(f"/api/v1/projects/{project['id']}", headers=alice).status_code == 204


def test_another_user_may_read_but_not_change_or_delete(api, alb):
    project = create(api, alb, sub="alice")
    item = api.post(f"/api/v1/projects/{project['id']}/items", json={"title": "t"}, headers=alb.as_user("alice"))
    bob = alb.as_user("bob")
    base = f"/api/v1/projects/{project['id']}"
    assert api.get(base, headers=bob).get_json()["owner"] == "alice"
    assert api.get("/api/v1/projects", headers=bob).get_json()["total"] == 1
    assert api.get(f"{base}/items", headers=bob).status_code == 200
    assert_refused(api.patch(base, json={"name": "mine"}, headers=bob), 403, "forbidden")
    assert_refused(api.delete(base, headers=bob), 403, "forbidden")
    assert_refused(api.post(f"{base}/items", json={"title": "x"}, headers=bob), 403, "forbidden")
    item_url = f"{base}/items/{item.get_json()['id']}"
    assert_refused(api.patch(item_url, json={"done": True}, headers=bob), 403, "forbidden")
    assert_refused(api.delete(item_url, headers=bob), 403, "forbidden")
    assert_refused(api.post(f"{base}/attachments", json={"filename": "a.png", "content_type": "image/png"},
                            headers=bob), 403, "forbidden")
    after = api.get(base, headers=bob).get_json()
    assert after["name"] == "checkout" and api.get(item_url, headers=bob).get_json()["done"] is False


def test_a_forged_signature_is_refused(api, alb):
    impostor = ec.generate_private_key(ec.SECP256R1())
    forged = alb.token("alice", key=impostor)
    assert_refused(api.post("/api/v1/projects", json={"name": "x"}, headers={HEADER: forged}), 401, "unauthenticated")
    # a genuine token whose payload was swapped for another user's
    genuine, other = alb.token("bob").split("."), alb.token("alice").split(".")
    swapped = ".".join([genuine[0], other[1], genuine[2]])
    assert_refused(api.get("/api/v1/projects", headers={HEADER: swapped}), 401, "unauthenticated")


def test_an_expired_token_is_refused(api, alb):
    response = api.get("/api/v1/projects", headers=alb.as_user(exp_in=-5))
    assert "expired" in assert_refused(response, 401, "unauthenticated")["message"]


def test_another_load_balancers_token_is_refused_without_fetching_keys(api, alb):
    response = api.get("/api/v1/projects", headers=alb.as_user(signer=OTHER_ALB))
    assert "load balancer" in assert_refused(response, 401, "unauthenticated")["message"]
    assert alb.fetches == []


def test_an_unknown_kid_is_refused(api, alb):
    response = api.get("/api/v1/projects", headers=alb.as_user(kid="0000dead-beef"))
    assert "0000dead-beef" in assert_refused(response, 401, "unauthenticated")["message"]
    again = api.get("/api/v1/projects", headers=alb.as_user(kid="0000dead-beef"))
    assert_refused(again, 401, "unauthenticated")
    assert alb.fetches == ["0000dead-beef"]  # an unknown kid is not asked for again at once


@pytest.mark.parametrize("kid", ["../../etc/passwd", "a/b", "x" * 200, ""])
def test_a_kid_that_is_not_a_key_id_is_never_fetched(api, alb, kid):
    assert_refused(api.get("/api/v1/projects", headers=alb.as_user(kid=kid)), 401, "unauthenticated")
    assert alb.fetches == []


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256"])
def test_other_algorithms_are_refused(api, alb, alg):
    assert_refused(api.get("/api/v1/projects", headers=alb.as_user(alg=alg)), 401, "unauthenticated")


@pytest.mark.parametrize("garbage", ["x", "a.b", "a.b.c", "!!.??.**", "e30.e30.e30"])
def test_garbage_headers_are_401_not_500(api, garbage):
    assert_refused(api.get("/api/v1/projects", headers={HEADER: garbage}), 401, "unauthenticated")


def test_padded_and_unpadded_tokens_are_accepted_and_keys_are_cached(api, alb):
    assert api.get("/api/v1/projects", headers=alb.as_user(pad=True)).status_code == 200
    assert api.get("/api/v1/projects", headers=alb.as_user(pad=False)).status_code == 200
    assert alb.fetches == [KID]


def test_an_unreachable_key_endpoint_is_503_not_401(make_app, alb):
    alb.close()
    app = make_app(AUTH_LOCAL_DEV="false", AUTH_ALB_ARN=ALB_ARN, AUTH_PUBLIC_KEYS_URL=alb.url)
    response = app.test_client().get("/api/v1/projects", headers=alb.as_user())
    assert_refused(response, 503, "identity_unavailable")


def test_a_load_balancer_name_prefix_accepts_its_recreated_ids(make_app, alb):
    prefix = ALB_ARN.rsplit("/", 1)[0] + "/"
    client = make_app(AUTH_LOCAL_DEV="false", AUTH_ALB_ARN=prefix, AUTH_PUBLIC_KEYS_URL=alb.url).test_client()
    assert client.get("/api/v1/projects", headers=alb.as_user()).status_code == 200
    assert_refused(client.get("/api/v1/projects", headers=alb.as_user(signer=OTHER_ALB)), 401, "unauthenticated")
    assert_refused(client.get("/api/v1/projects", headers=alb.as_user(signer=prefix + "x/y")), 401, "unauthenticated")


def test_with_an_expected_issuer_another_idps_token_is_refused_without_fetching_keys(make_app, alb):
    """Defence in depth: the same ALB signing for another IdP (e.g. a Service's auth override) is not trusted."""
    client = make_app(AUTH_LOCAL_DEV="false", AUTH_ALB_ARN=ALB_ARN, AUTH_PUBLIC_KEYS_URL=alb.url,
                      AUTH_ISSUER=ISSUER).test_client()
    error = assert_refused(client.get("/api/v1/projects", headers=alb.as_user(iss="https://evil.example")), 401,
                           "unauthenticated")
    assert "identity provider" in error["message"] and alb.fetches == []
    assert client.get("/api/v1/projects", headers=alb.as_user()).status_code == 200


def test_without_an_alb_arn_nothing_is_trusted(make_app, alb):
    client = make_app(AUTH_LOCAL_DEV="false").test_client()
    error = assert_refused(client.get("/api/v1/projects", headers=alb.as_user()), 401, "unauthenticated")
    assert "AUTH_ALB_ARN" in error["message"]


def test_local_development_is_off_by_default_and_names_one_user():
    base = {"DATABASE_URL": "postgresql://u@h/db"}
    assert load_settings(base).auth_local_dev is False
    local = load_settings(base | {"AUTH_LOCAL_DEV": "true", "AUTH_LOCAL_DEV_SUB": "dev-1"})
    assert local.auth_local_dev and local.auth_local_dev_sub == "dev-1"


def test_the_key_endpoint_defaults_to_the_regional_alb_endpoint_of_the_arn():
    settings = load_settings({"DATABASE_URL": "postgresql://u@h/db", "AUTH_ALB_ARN": ALB_ARN})
    assert settings.auth_public_keys_url == "https://public-keys.auth.elb.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(("name", "value"), [
    ("AUTH_ALB_ARN", "arn:aws:s3:::bucket"),
    ("AUTH_ALB_ARN", "k8s-innovate-api"),
    ("AUTH_PUBLIC_KEYS_URL", "file:///etc/keys"),
    ("AUTH_LOCAL_DEV", "maybe"),
    ("AUTH_ISSUER", "http://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"),
    ("AUTH_ISSUER", "https://login.example.com/?tenant=x"),
])
def test_bad_auth_settings_name_the_variable(name, value):
    with pytest.raises(ConfigError) as error:
        load_settings({"DATABASE_URL": "postgresql://u@h/db", name: value})
    assert error.value.name == name


def test_a_project_from_before_owners_were_recorded_is_read_only(edge_app, api, alb):
    from innovate_api.db import engine_of

    with engine_of(edge_app).begin() as connection:
        connection.execute(text("INSERT INTO projects (name) VALUES ('legacy')"))
    legacy = api.get("/api/v1/projects", headers=alb.as_user()).get_json()["items"][0]
    assert legacy["owner"] is None
    assert_refused(api.delete(f"/api/v1/projects/{legacy['id']}", headers=alb.as_user()), 403, "forbidden")


def test_a_header_without_exp_is_refused(api, alb):
    response = api.get("/api/v1/projects", headers=alb.as_user(headers={"exp": None}))
    assert "expiry" in assert_refused(response, 401, "unauthenticated")["message"]


@pytest.mark.parametrize("sub", [None, "", 42])
def test_a_token_without_a_subject_is_401_not_500(api, alb, sub):
    response = api.get("/api/v1/projects", headers=alb.as_user(claims={"sub": sub}))
    assert "subject" in assert_refused(response, 401, "unauthenticated")["message"]


def test_a_subject_longer_than_the_owner_column_is_refused(api, alb):
    assert api.get("/api/v1/projects", headers=alb.as_user("a" * 255)).status_code == 200
    response = api.post("/api/v1/projects", json={"name": "long"}, headers=alb.as_user("a" * 256))
    assert "255" in assert_refused(response, 401, "unauthenticated")["message"]


@pytest.mark.parametrize("part", ["headers", "claims"])
def test_header_and_claims_expiry_are_each_enforced(api, alb, part):
    past = int(time.time()) - 5
    response = api.get("/api/v1/projects", headers=alb.as_user(**{part: {"exp": past}}))
    assert "expired" in assert_refused(response, 401, "unauthenticated")["message"]


@pytest.mark.parametrize("part", ["headers", "claims"])
@pytest.mark.parametrize("exp", [float("nan"), float("inf"), "9999999999", True])
def test_an_expiry_that_is_not_a_finite_number_is_refused(api, alb, part, exp):
    response = api.get("/api/v1/projects", headers=alb.as_user(**{part: {"exp": exp}}))
    assert_refused(response, 401, "unauthenticated")


def test_a_kid_with_a_trailing_newline_is_never_fetched(api, alb):
    assert_refused(api.get("/api/v1/projects", headers=alb.as_user(kid=KID + "\n")), 401, "unauthenticated")
    assert alb.fetches == []


@pytest.mark.parametrize("extra", [{"AUTH_ALB_ARN": ALB_ARN}, {"KUBERNETES_SERVICE_HOST": "10.100.0.1"}])
def test_local_development_is_refused_with_an_alb_or_inside_kubernetes(extra):
    env = {"DATABASE_URL": "postgresql://u@h/db", "AUTH_LOCAL_DEV": "true"} | extra
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    assert error.value.name == "AUTH_LOCAL_DEV" and "unset" in str(error.value)
    assert not load_settings(env | {"AUTH_LOCAL_DEV": "false"}).auth_local_dev


@pytest.mark.parametrize("partition", ["aws-us-gov", "aws-cn"])
def test_other_partitions_need_their_key_endpoint_named(partition):
    arn = ALB_ARN.replace("arn:aws:", f"arn:{partition}:")
    with pytest.raises(ConfigError) as error:
        load_settings({"DATABASE_URL": "postgresql://u@h/db", "AUTH_ALB_ARN": arn})
    assert error.value.name == "AUTH_PUBLIC_KEYS_URL"
    keys = "https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1"
    settings = load_settings({"DATABASE_URL": "postgresql://u@h/db", "AUTH_ALB_ARN": arn, "AUTH_PUBLIC_KEYS_URL": keys})
    assert settings.auth_public_keys_url == keys
