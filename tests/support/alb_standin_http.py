"""The HTTP side of the ALB stand-in (tests/support/alb_standin.py): the edge and the key endpoint."""

from __future__ import annotations

import html
import http.client
import re
import secrets
import urllib.parse
from http.server import BaseHTTPRequestHandler

from tests.support.alb_standin import CALLBACK, IDP_PREFIX, AlbStandIn, Rule

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
UPSTREAM_TIMEOUT_S = 30

SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><main><h1>Sign in</h1><p>Local stand-in for the identity provider: no password.</p>
<form method="post" action="{action}" aria-label="Sign in">
<input type="hidden" name="state" value="{state}"><input type="hidden" name="redirect_uri" value="{redirect_uri}">
<label>Username <input name="username" autocomplete="username" required pattern="[A-Za-z0-9._@\\-]{{1,64}}"></label>
<button type="submit">Sign in</button></form>{error}</main></body></html>
"""


class _Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "awselb-standin"

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def log_message(self, *args):  # quiet: tests read outcomes, not access logs
        pass


def keys_handler(alb: AlbStandIn) -> type[BaseHTTPRequestHandler]:
    """GET /<kid>: the PEM public key, like https://public-keys.auth.elb.<region>.amazonaws.com/<kid>."""

    class Keys(_Base):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            kid = self.path.lstrip("/")
            alb.key_fetches.append(kid)
            if kid == alb.kid:
                self.reply(200, alb.public_pem(), "application/x-pem-file")
            else:
                self.reply(404, b"no such key\n")

    return Keys


def edge_handler(alb: AlbStandIn) -> type[BaseHTTPRequestHandler]:
    class Edge(_Base):
        def handle_any(self):
            path = urllib.parse.urlsplit(self.path).path
            if path.startswith(IDP_PREFIX):
                return self.idp(path)
            if path == CALLBACK:
                return self.callback()
            rule = next((r for r in alb.rules if path.startswith(r.prefix)), None)
            if rule is None:
                self.read_body()
                return self.reply(404, b"no rule matches this path\n")
            session = alb.session_of(self.headers.get("Cookie"))
            if session is None and rule.on_unauthenticated == "deny":
                self.read_body()
                return self.reply(401, b"<html><body><h1>401 Authorization Required</h1></body></html>\n",
                                  "text/html")
            if session is None and rule.on_unauthenticated == "authenticate":
                self.read_body()
                return self.redirect_to_idp()
            return self.forward(rule, session.sub if session else None)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = handle_any

        def origin(self) -> str:
            return f"http://{self.headers.get('Host') or alb.url.split('//', 1)[1]}"

        def redirect_to_idp(self):
            state = secrets.token_urlsafe(24)
            with alb.lock:
                alb.pending[state] = self.path
            query = urllib.parse.urlencode({
                "client_id": "standin-client", "redirect_uri": self.origin() + CALLBACK,
                "response_type": "code", "scope": "openid", "state": state,
            })
            self.reply(302, headers={"Location": f"{IDP_PREFIX}authorize?{query}", "Cache-Control": "no-cache"})

        def idp(self, path: str):
            if path != f"{IDP_PREFIX}authorize":
                return self.reply(404, b"not found\n")
            if self.command == "GET":
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                return self.sign_in_page(query.get("state", ""), query.get("redirect_uri", ""))
            form = dict(urllib.parse.parse_qsl(self.read_body().decode("utf-8", "replace")))
            username, state = form.get("username", "").strip(), form.get("state", "")
            redirect_uri = form.get("redirect_uri", "")
            if redirect_uri != self.origin() + CALLBACK:
                return self.reply(400, b"redirect_uri is not this load balancer's callback\n")
            if not USERNAME.match(username):
                return self.sign_in_page(state, redirect_uri, "Enter a username (letters, digits, . _ @ -).")
            code = secrets.token_urlsafe(24)
            with alb.lock:
                alb.pending[code] = username
            location = f"{redirect_uri}?{urllib.parse.urlencode({'code': code, 'state': state})}"
            self.reply(302, headers={"Location": location})

        def sign_in_page(self, state: str, redirect_uri: str, error: str = ""):
            page = SIGN_IN_PAGE.format(
                action=IDP_PREFIX + "authorize", state=html.escape(state), redirect_uri=html.escape(redirect_uri),
                error=f'<p role="alert">{html.escape(error)}</p>' if error else "",
            )
            self.reply(400 if error else 200, page.encode(), "text/html; charset=utf-8", {"Cache-Control": "no-store"})

        def callback(self):
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            with alb.lock:
                sub = alb.pending.pop(query.get("code", ""), None)
                original = alb.pending.pop(query.get("state", ""), None)
            if sub is None or original is None:
                return self.reply(401, b"the sign-in code or state is unknown or was already used\n")
            sid = alb.new_session(sub)
            cookie = f"{alb.cookie_name}={sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age={alb.session_seconds}"
            self.reply(302, headers={"Location": original, "Set-Cookie": cookie})

        def forward(self, rule: Rule, sub: str | None):
            body = self.read_body()
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-amzn-oidc-")
                       and k.lower() != "content-length"}
            headers["X-Forwarded-For"] = self.client_address[0]
            headers["X-Forwarded-Proto"] = "http"
            if body or self.command in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            if sub is not None:
                headers["x-amzn-oidc-data"] = alb.token(sub)
                headers["x-amzn-oidc-identity"] = sub
                headers["x-amzn-oidc-accesstoken"] = secrets.token_urlsafe(32)
            target = urllib.parse.urlsplit(rule.upstream)
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=UPSTREAM_TIMEOUT_S)
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except OSError:
                return self.reply(502, b"502 Bad Gateway\n")
            finally:
                connection.close()
            self.send_response(response.status, response.reason)
            for name, value in response.getheaders():  # a list: repeated headers (Set-Cookie) survive
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Edge
