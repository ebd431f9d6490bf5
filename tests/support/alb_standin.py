"""A local stand-in for the ALB's authenticate action, for tests and local runs.

What it copies from AWS's documentation ("Authenticate users using an Application Load Balancer"):

- One origin that routes by path prefix to upstreams; rules are tried in the order given (the
  ALB's rule priority). Each rule has an ``on_unauthenticated`` action: ``authenticate`` (302 to
  the IdP's authorization endpoint), ``deny`` (401 Unauthorized) or ``allow`` (forwarded with no
  claims).
- The IdP sends the browser back to ``/oauth2/idpresponse`` with a code; the load balancer then
  sets the session cookie (``AWSELBAuthSessionCookie`` unless renamed, shard ``-0``) and
  redirects to the original URL.
- Every request forwarded with a session carries ``x-amzn-oidc-accesstoken`` (the access token),
  ``x-amzn-oidc-identity`` (the ``sub``) and ``x-amzn-oidc-data``: the user claims as a JWT
  signed with ES256, header ``alg``, ``kid``, ``signer`` (the ALB's ARN), ``iss``, ``client``,
  ``exp``, each part base64url *with* padding, signature the raw 64-byte r||s.
- Public keys are PEMs served by kid from a separate key endpoint (AWS:
  ``https://public-keys.auth.elb.<region>.amazonaws.com/<kid>``; here :attr:`AlbStandIn.keys_url`).

Its own choice, not a documented ALB behaviour: ``x-amzn-oidc-*`` headers a client sends are
dropped, never passed through (the API verifies every token anyway, so it does not rely on this).

What it does not copy: TLS, a real IdP (a username form stands in: no password), token refresh,
cookie sharding (one session id fits in ``-0``). The key pair is generated per instance, so
nothing secret is stored anywhere. ``faults`` lets a test make it sign as another load balancer,
with an unpublished key, as another IdP (``iss``) or an already expired ``exp``, to show the API refuses such tokens.

Run it for local development (see apps/api/README.md)::

    python -m tests.support.alb_standin --port 8000 \\
        --rule /api/=http://127.0.0.1:8080=deny --rule /=http://127.0.0.1:5173=authenticate
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

SESSION_COOKIE = "AWSELBAuthSessionCookie"  # the ALB's default; auth-session-cookie renames it
CALLBACK = "/oauth2/idpresponse"
IDP_PREFIX = "/_standin_idp/"  # the stand-in IdP's pages (a real IdP has its own origin)
ACTIONS = ("authenticate", "deny", "allow")
REGION, ACCOUNT, CLIENT_ID = "eu-west-1", "123456789012", "standin-client"
ISSUER = "https://idp.standin.invalid"


def b64url(data: bytes, pad: bool = True) -> str:
    """base64url, *with* padding as the ALB encodes each part of x-amzn-oidc-data (RFC 7515 drops it)."""
    encoded = base64.urlsafe_b64encode(data).decode("ascii")
    return encoded if pad else encoded.rstrip("=")


def sign_jwt(key: ec.EllipticCurvePrivateKey, header: dict, claims: dict, pad: bool = True) -> str:
    """An ES256 JWT as the ALB makes it: ECDSA P-256 over the first two parts, signature raw r||s."""
    signing_input = f"{b64url(json.dumps(header).encode(), pad)}.{b64url(json.dumps(claims).encode(), pad)}"
    r, s = decode_dss_signature(key.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'), pad)}"


@dataclass(frozen=True)
class Rule:
    prefix: str
    upstream: str
    on_unauthenticated: str = "authenticate"

    def __post_init__(self):
        if self.on_unauthenticated not in ACTIONS:
            raise ValueError(f"on_unauthenticated must be one of {ACTIONS}, not {self.on_unauthenticated!r}")


@dataclass
class Faults:
    """Ways to make the stand-in sign what a real ALB of ours never would (for refusal tests)."""

    signer: str | None = None  # sign as another load balancer
    key: ec.EllipticCurvePrivateKey | None = None  # sign with a key not published under the kid
    exp_offset: int | None = None  # seconds from now for exp (negative: already expired)
    issuer: str | None = None  # name another IdP's issuer in `iss` (a token of another user pool)


@dataclass
class Session:
    sub: str
    expires_at: float


@dataclass
class AlbStandIn:
    """The stand-in; ``start()`` it (or use it as a context manager), then browse :attr:`url`."""

    rules: list[Rule]
    lb_name: str = "innovate-local"
    session_cookie: str = SESSION_COOKIE
    session_seconds: int = 3600
    token_seconds: int = 60
    # The IdP's issuer, which the ALB names in the token header's `iss` (Cognito: the user pool's).
    issuer: str = ISSUER
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self):
        self.rules = [r if isinstance(r, Rule) else Rule(*r) for r in self.rules]
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = str(uuid.uuid4())  # the ALB's kids are UUIDs
        self.lb_id = secrets.token_hex(8)
        self.sessions: dict[str, Session] = {}
        self.pending: dict[str, str] = {}  # state -> original URL; code -> sub
        self.key_fetches: list[str] = []
        self.lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []

    # -- identity -------------------------------------------------------------------------------
    @property
    def signer_prefix(self) -> str:
        """What the API's AUTH_ALB_ARN is set to: this load balancer's name, any id."""
        return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/{self.lb_name}/"

    @property
    def signer_arn(self) -> str:
        return self.signer_prefix + self.lb_id

    @property
    def api_settings(self) -> dict[str, str]:
        """The API's identity settings as deployed behind this ALB (gitops/apps.py sets AUTH_ALB_ARN
        and AUTH_ISSUER; the key endpoint is the stand-in's instead of the regional one)."""
        return {"AUTH_ALB_ARN": self.signer_prefix, "AUTH_ISSUER": self.issuer, "AUTH_PUBLIC_KEYS_URL": self.keys_url}

    def public_pem(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(self, sub: str) -> str:
        """A fresh x-amzn-oidc-data for ``sub`` (with any configured faults)."""
        now = int(time.time())
        exp = now + (self.faults.exp_offset if self.faults.exp_offset is not None else self.token_seconds)
        issuer = self.faults.issuer or self.issuer
        header = {"alg": "ES256", "kid": self.kid, "signer": self.faults.signer or self.signer_arn,
                  "iss": issuer, "client": CLIENT_ID, "exp": exp}
        claims = {"sub": sub, "email": f"{sub}@example.com", "username": sub, "exp": exp, "iss": issuer}
        return sign_jwt(self.faults.key or self.key, header, claims)

    @property
    def cookie_name(self) -> str:
        """The session cookie's name: the configured name and the shard number, ``-0``."""
        return f"{self.session_cookie}-0"

    def new_session(self, sub: str) -> str:
        """A session cookie value for ``sub``, as if the user had signed in."""
        sid = secrets.token_urlsafe(32)
        with self.lock:
            self.sessions[sid] = Session(sub, time.time() + self.session_seconds)
        return sid

    def expire_sessions(self) -> None:
        with self.lock:
            for session in self.sessions.values():
                session.expires_at = 0.0

    def session_of(self, cookie_header: str | None) -> Session | None:
        for part in (cookie_header or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.cookie_name:
                with self.lock:
                    session = self.sessions.get(value)
                if session and session.expires_at > time.time():
                    return session
        return None

    # -- servers --------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0, keys_port: int = 0) -> AlbStandIn:
        from tests.support.alb_standin_http import edge_handler, keys_handler

        edge = ThreadingHTTPServer((host, port), edge_handler(self))
        keys = ThreadingHTTPServer((host, keys_port), keys_handler(self))
        self._servers = [edge, keys]
        self.url = f"http://{host}:{edge.server_port}"
        self.keys_url = f"http://{host}:{keys.server_port}"
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> AlbStandIn:
        return self.start() if not self._servers else self

    def __exit__(self, *exc) -> None:
        self.close()


def parse_rule(text: str) -> Rule:
    prefix, sep, rest = text.partition("=")
    upstream, _, action = rest.rpartition("=") if rest.count("=") else (rest, "", "authenticate")
    if not sep or not prefix.startswith("/") or not upstream.startswith("http://"):
        raise argparse.ArgumentTypeError(f"--rule {text!r}: write PREFIX=http://HOST:PORT[=authenticate|deny|allow]")
    try:
        return Rule(prefix, upstream, action or "authenticate")
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--rule {text!r}: {error}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.alb_standin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="the edge's port on 127.0.0.1 (default 8000)")
    parser.add_argument("--keys-port", type=int, default=8001, help="the public key endpoint's port (default 8001)")
    parser.add_argument("--rule", type=parse_rule, action="append", required=True,
                        help="PREFIX=UPSTREAM[=authenticate|deny|allow], tried in order")
    parser.add_argument("--lb-name", default="innovate-local", help="the load balancer name in the signer ARN")
    parser.add_argument("--session-cookie", default=SESSION_COOKIE, help="the session cookie's name (auth-session-cookie)")
    args = parser.parse_args(argv)
    try:
        stand_in = AlbStandIn(args.rule, lb_name=args.lb_name, session_cookie=args.session_cookie).start(port=args.port, keys_port=args.keys_port)
    except OSError as error:
        parser.exit(1, f"alb_standin: cannot listen on 127.0.0.1:{args.port} or :{args.keys_port} ({error.strerror}); "
                       "choose free ports with --port and --keys-port\n")
    print(f"ALB stand-in on {stand_in.url}; point the API at it with:\n"
          f"  export AUTH_ALB_ARN={stand_in.signer_prefix} AUTH_ISSUER={stand_in.issuer} "
          f"AUTH_PUBLIC_KEYS_URL={stand_in.keys_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stand_in.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
