"""The web image's parts, checked without a Docker engine: Dockerfile lint and pins, the
entrypoint that writes /config.js, and the real nginx config serving an SPA (when nginx is here)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
WEB_DIR = REPO / "apps" / "web"
DOCKERFILE = WEB_DIR / "Dockerfile"
ENTRYPOINT = WEB_DIR / "docker" / "entrypoint.sh"
NGINX_CONF = WEB_DIR / "nginx.conf"
VENV_BIN = REPO / ".venv" / "bin"


def _tool(name: str) -> str:
    path = VENV_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    assert found, f"{name} not found: run scripts/setup.sh"
    return found


def run_entrypoint(runtime_dir: Path, api_base_url: str | None, *command: str):
    env = {"PATH": "/usr/bin:/bin", "RUNTIME_DIR": str(runtime_dir)}
    if api_base_url is not None:
        env["API_BASE_URL"] = api_base_url
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *(command or ("true",))], env=env, capture_output=True, text=True, timeout=10
    )


def config_from_js(config_js: Path) -> dict:
    """Evaluate config.js the way the browser does and return window.__INNOVATE_CONFIG__."""
    script = (
        "const fs=require('fs');const window={};"
        f"eval(fs.readFileSync({str(config_js)!r},'utf8'));"
        "process.stdout.write(JSON.stringify(window.__INNOVATE_CONFIG__))"
    )
    result = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=10, check=True)
    return json.loads(result.stdout)


def test_dockerfile_is_hadolint_clean():
    result = subprocess.run([_tool("hadolint"), str(DOCKERFILE)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_pins_images_and_runs_unprivileged():
    text = DOCKERFILE.read_text()
    images = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    assert re.fullmatch(r"node:20\.\d+\.\d+-bookworm-slim@sha256:[0-9a-f]{64}", images[0].split(" ")[0]), images
    assert re.fullmatch(r"nginxinc/nginx-unprivileged:\d+\.\d+\.\d+-alpine@sha256:[0-9a-f]{64}", images[-1]), images
    assert "npm ci" in text and "npm run build" in text
    final_stage = text.split("FROM ")[-1]
    user = re.search(r"^USER\s+(\d+)(?::(\d+))?$", final_stage, flags=re.M)
    assert user and int(user.group(1)) != 0, "the final stage must run as a numeric non-root UID"
    assert "EXPOSE 8080" in final_stage
    assert re.search(r'^ENTRYPOINT \["/usr/local/bin/innovate-web-entrypoint"\]$', final_stage, flags=re.M)


def test_entrypoint_is_shellcheck_clean():
    result = subprocess.run([_tool("shellcheck"), str(ENTRYPOINT)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout
    assert os.access(ENTRYPOINT, os.X_OK), "entrypoint.sh must be executable"


def test_entrypoint_writes_config_js_from_api_base_url_and_runs_the_command(tmp_path):
    runtime = tmp_path / "runtime"
    result = run_entrypoint(runtime, "https://api.innovate.example:8443/v1/", "sh", "-c", "echo nginx-started")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nginx-started"
    assert config_from_js(runtime / "config.js") == {"apiBaseUrl": "https://api.innovate.example:8443/v1"}
    csp = (runtime / "csp.conf").read_text()
    assert csp.strip() == "set $innovate_connect_src \"'self' https://api.innovate.example:8443\";"


def test_entrypoint_defaults_to_the_same_origin(tmp_path):
    result = run_entrypoint(tmp_path, None)
    assert result.returncode == 0, result.stderr
    assert config_from_js(tmp_path / "config.js") == {"apiBaseUrl": ""}
    assert "connect_src \"'self'\"" in (tmp_path / "csp.conf").read_text()


@pytest.mark.parametrize("bad", ['https://x.example/"; alert(1); "', "ftp://files.example", "api.example.com", "http://a b"])
def test_entrypoint_refuses_an_unsafe_api_base_url_naming_the_variable(tmp_path, bad):
    result = run_entrypoint(tmp_path, bad, "sh", "-c", "echo should-not-run")
    assert result.returncode == 64
    assert "API_BASE_URL must be empty or an http(s) URL" in result.stderr
    assert "should-not-run" not in result.stdout
    assert not (tmp_path / "config.js").exists()


def test_entrypoint_explains_an_unwritable_runtime_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_entrypoint(blocker / "runtime", "")
    assert result.returncode == 73
    assert "is not writable; mount an emptyDir" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx_site(tmp_path):
    """The real nginx.conf, paths moved into tmp_path, serving a small stand-in build on loopback."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (Debian package nginx-light); the image lint tests still ran")
    html = tmp_path / "html"
    (html / "assets").mkdir(parents=True)
    (html / "index.html").write_text('<!doctype html><script src="/config.js"></script><div id="root"></div>')
    (html / "assets" / "index-AbCd1234.js").write_text("console.log('innovate');\n" * 200)
    tmp = tmp_path / "tmp"
    assert run_entrypoint(tmp / "runtime", "https://api.innovate.example").returncode == 0
    port = _free_port()
    conf = NGINX_CONF.read_text().replace("/tmp/", f"{tmp}/").replace("/usr/share/nginx/html", str(html))
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    if os.geteuid() == 0:  # workers would drop to 'nobody', who cannot read pytest's private tmp dirs
        conf = "user root;\n" + conf
    (tmp_path / "nginx.conf").write_text(conf)
    check = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(
        [nginx, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(port: int, path: str, **headers: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_nginx_serves_the_spa_with_runtime_config_and_security_headers(nginx_site):
    health, body = get(nginx_site, "/healthz")
    assert (health.status, body) == (200, b"ok\n")

    config, body = get(nginx_site, "/config.js")
    assert config.status == 200
    assert b'apiBaseUrl: "https://api.innovate.example"' in body
    assert config.getheader("Cache-Control") == "no-store"
    assert config.getheader("Content-Type") == "application/javascript"

    deep_link, body = get(nginx_site, "/projects/42")
    assert deep_link.status == 200 and b'<div id="root">' in body
    assert deep_link.getheader("Cache-Control") == "no-cache"
    csp = deep_link.getheader("Content-Security-Policy")
    assert "connect-src 'self' https://api.innovate.example;" in csp
    assert "frame-ancestors 'none'" in csp
    assert deep_link.getheader("X-Content-Type-Options") == "nosniff"
    assert deep_link.getheader("X-Frame-Options") == "DENY"
    assert deep_link.getheader("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert "nginx/" not in (deep_link.getheader("Server") or "")

    asset, body = get(nginx_site, "/assets/index-AbCd1234.js", **{"Accept-Encoding": "gzip"})
    assert asset.status == 200
    assert asset.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert asset.getheader("Content-Encoding") == "gzip"
    assert asset.getheader("X-Content-Type-Options") == "nosniff"

    missing, _ = get(nginx_site, "/assets/index-gone.js")
    assert missing.status == 404
    favicon, _ = get(nginx_site, "/favicon.ico")
    assert favicon.status == 404
