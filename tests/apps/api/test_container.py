"""The API image: hadolint-clean Dockerfile, a closed pinned requirements.txt, and its build steps replayed.

Docker cannot run here, so the build is replayed natively: the files the Dockerfile COPYs are
laid out like /app in a temporary directory, and that tree alone must load, migrate and serve.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

API_DIR = Path(__file__).resolve().parents[3] / "apps" / "api"
DOCKERFILE = API_DIR / "Dockerfile"
BIN = Path(sys.executable).parent


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def stages() -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def pins() -> dict[str, str]:
    result = {}
    for line in (API_DIR / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            specifiers = list(requirement.specifier)
            assert len(specifiers) == 1 and specifiers[0].operator == "==", f"not an exact pin: {line}"
            result[canonicalize_name(requirement.name)] = specifiers[0].version
    return result


def test_hadolint_is_clean():
    hadolint = shutil.which("hadolint") or str(BIN / "hadolint")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_image_is_pinned_and_runtime_stage_is_minimal_and_non_root():
    args = dict(a.split("=", 1) for kind, a in instructions() if kind == "ARG" and "=" in a)
    image = args["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+@sha256:[0-9a-f]{64}", image), image  # tag and digest
    runtime = stages()[-1]
    assert runtime[0] == ("FROM", "${PYTHON_IMAGE}")
    kinds = [kind for kind, _ in runtime]
    assert "RUN" not in kinds, "the runtime stage must not install anything"
    copies = [arg for kind, arg in runtime if kind == "COPY"]
    assert copies == ["--from=builder /opt/venv /opt/venv", "--from=builder /app /app"]
    assert ("USER", "10001:10001") in runtime and ("EXPOSE", "8080") in runtime
    cmd = [arg for kind, arg in runtime if kind == "CMD"][-1]
    assert cmd.startswith("[") and '"gunicorn"' in cmd and "/app/gunicorn.conf.py" in cmd  # exec form


def test_requirements_pin_what_the_tests_ran_against_and_are_closed():
    pinned = pins()
    for name, version in pinned.items():
        assert importlib.metadata.version(name) == version, f"{name}: requirements.txt {version}, installed differs"
    for direct in ("flask", "gunicorn", "sqlalchemy", "alembic", "psycopg", "psycopg-binary", "boto3", "prometheus-client",
                   "cryptography"):
        assert direct in pinned, direct
    environment = default_environment() | {"sys_platform": "linux", "python_version": "3.11", "extra": ""}
    for name in pinned:
        for raw in importlib.metadata.requires(name) or []:
            requirement = Requirement(raw)
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            dependency = canonicalize_name(requirement.name)
            assert dependency in pinned, f"{name} needs {dependency}, which requirements.txt does not pin"
            assert requirement.specifier.contains(pinned[dependency], prereleases=True), (name, raw)


def replay_copies(target: Path) -> None:
    """Lay out the builder stage's COPY instructions (from the build context) under ``target``."""
    ignored = (API_DIR / ".dockerignore").read_text()
    for kind, arg in stages()[0]:
        if kind != "COPY":
            continue
        *sources, destination = shlex.split(arg)
        for source in sources:
            assert f"!{source}" in ignored or f"!{source}/" in ignored, f".dockerignore excludes {source}"
            src = API_DIR / source
            dest = Path(destination) if destination.startswith("/") else Path("/app") / destination
            dest = target / dest.relative_to("/")
            if src.is_dir():
                shutil.copytree(src, dest if not destination.endswith("/") else dest / src.name,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                final = dest / src.name if destination.endswith("/") else dest
                final.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, final)


@pytest.fixture
def image_tree(tmp_path) -> Path:
    replay_copies(tmp_path)
    return tmp_path / "app"


def run_in_image(image_tree: Path, *command: str, env: dict[str, str]):
    return subprocess.run(
        command, cwd=image_tree, capture_output=True, text=True, timeout=60,
        env={"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(image_tree), **env},
    )


def test_the_copied_tree_alone_loads_migrates_and_serves(image_tree, postgres):
    assert sorted(p.name for p in image_tree.iterdir()) == [
        "gunicorn.conf.py", "innovate_api", "migrations", "openapi.yaml",
    ]
    database = f"image_{os.getpid()}"
    postgres.create_database(database)
    env = {"DATABASE_URL": postgres.url.rsplit("/", 1)[0] + f"/{database}", "AUTH_LOCAL_DEV": "true"}
    checked = run_in_image(image_tree, str(BIN / "gunicorn"), "--config", str(image_tree / "gunicorn.conf.py"),
                           "--check-config", env=env)
    assert checked.returncode == 0, checked.stderr
    migrated = run_in_image(image_tree, sys.executable, "-m", "innovate_api.migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    served = run_in_image(
        image_tree, sys.executable, "-c",
        "import sys; sys.path.insert(0, '.'); import innovate_api, innovate_api.wsgi as w; "
        "assert innovate_api.__file__.startswith(sys.argv[1]), innovate_api.__file__; c = w.app.test_client(); "
        "print(c.get('/readyz').status_code, c.get('/openapi.yaml').status_code, "
        "c.post('/api/v1/projects', json={'name': 'image'}).status_code)",
        str(image_tree), env=env,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.splitlines()[-1].split() == ["200", "200", "201"]


def test_the_rds_ca_bundle_is_pinned_by_digest_where_the_app_looks_for_it():
    """sslmode=verify-full needs the RDS CA bundle in the image; the build checks its SHA-256."""
    from innovate_api.config import RDS_CA_BUNDLE

    runs = [arg for kind, arg in stages()[0] if kind == "RUN" and "fetch_pinned.py" in arg]
    assert len(runs) == 1, runs
    words = shlex.split(runs[0].split("&&")[0])
    assert words[:2] == ["python", "/tmp/fetch_pinned.py"]
    url, digest, destination = words[2:5]
    assert url == "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
    assert re.fullmatch(r"[0-9a-f]{64}", digest) and destination == RDS_CA_BUNDLE
    assert RDS_CA_BUNDLE.startswith("/app/"), "the runtime stage copies only /opt/venv and /app"


@pytest.fixture
def served_bundle(tmp_path):
    """A stand-in bundle on a loopback HTTP server (the build's download, without the internet)."""
    import functools
    import http.server
    import threading

    (tmp_path / "bundle.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bundle.pem", tmp_path / "bundle.pem"
    server.shutdown()
    server.server_close()


def test_the_build_keeps_the_bundle_only_with_the_pinned_digest(served_bundle, tmp_path):
    import hashlib

    url, source = served_bundle
    right = hashlib.sha256(source.read_bytes()).hexdigest()
    script = str(API_DIR / "fetch_pinned.py")
    kept = tmp_path / "out" / "certs" / "rds-global-bundle.pem"
    wrong = subprocess.run([sys.executable, script, url, "0" * 64, str(kept)], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and not kept.exists()
    assert f"has SHA-256 {right}, not the pinned {'0' * 64}" in wrong.stderr and len(wrong.stderr.splitlines()) == 1
    ok = subprocess.run([sys.executable, script, url, right, str(kept)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert kept.read_bytes() == source.read_bytes()
