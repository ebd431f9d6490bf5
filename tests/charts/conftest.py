"""Render the application charts with the real helm binary, once per chart and environment.

Tests get the helpers through the `charts` fixture, and are parametrized over every chart
(`app`) and environment (`env`) simply by asking for those arguments.
"""

from __future__ import annotations

import copy
import functools
import subprocess
from pathlib import Path

import celpy
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
HELM = REPO / ".tools" / "bin" / "helm"
CHARTS = REPO / "charts"
KEDA_CRD = REPO.parent / "shared" / "schemas" / "keda" / "keda.sh_scaledobjects.yaml"
KUBE_VERSION = "1.35"  # versions.kubernetes in platform.yaml
APPS = ("api", "web")
ENVS = ("dev", "staging", "prod")
NAMESPACES = {"api": "api", "web": "web"}


def helm(*args: str) -> subprocess.CompletedProcess:
    """Run helm offline (no repository config, no registry) and capture its output."""
    if not HELM.exists():
        pytest.fail(f"{HELM} is missing: run `make setup` (scripts/setup.sh installs helm)")
    return subprocess.run([str(HELM), *args], capture_output=True, text=True, timeout=60, check=False)


def values_args(app: str, env: str | None, extra: list[Path] | None = None) -> list[str]:
    files = [CHARTS / app / f"values-{env}.yaml"] if env else []
    return [arg for f in files + list(extra or []) for arg in ("-f", str(f))]


@functools.cache
def _platform():
    from innovate_platform.config import load_platform

    return load_platform(REPO / "platform.yaml")


def edge_values(app: str, env: str) -> dict:
    """What the HelmRelease adds for the Ingress (gitops/edge.py, the code that renders it), with
    cluster-vars substituted as Flux does: host, certificate, WAF ACL, log bucket, ALB settings."""
    from innovate_platform.checks.manifests import substitute
    from innovate_platform.gitops.charts import chart_values
    from innovate_platform.gitops.edge import ingress_values
    from innovate_platform.gitops.verify import placeholder_cluster_vars

    platform = _platform()
    environment, application = platform.env(env), platform.app(app)
    values = ingress_values(environment, application, chart_values(REPO, application, environment))
    return yaml.safe_load(substitute(yaml.safe_dump(values), placeholder_cluster_vars(platform, environment)))


@functools.cache
def _edge_file(app: str, env: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="edge-values-")) / f"{app}-{env}.yaml"
    path.write_text(yaml.safe_dump(edge_values(app, env)))
    return path


def template(app: str, env: str | None, extra: list[Path] | None = None) -> subprocess.CompletedProcess:
    """helm template as Flux renders the HelmRelease: values files, then the cluster-vars edge values."""
    edge = [_edge_file(app, env)] if env else []
    return helm("template", app, str(CHARTS / app), "--namespace", NAMESPACES[app],
                "--kube-version", f"{KUBE_VERSION}.0", *values_args(app, env, edge + list(extra or [])))


@functools.cache
def _render(app: str, env: str | None) -> tuple[dict, ...]:
    result = template(app, env)
    assert result.returncode == 0, f"helm template {app} ({env}) failed:\n{result.stderr}"
    return tuple(d for d in yaml.safe_load_all(result.stdout) if d)


def render(app: str, env: str | None) -> list[dict]:
    """The chart's objects for `env` (None = defaults only), rendered once per test process."""
    return copy.deepcopy(list(_render(app, env)))


def render_with(app: str, env: str | None, values: dict, tmp_path: Path) -> list[dict]:
    """Render with an extra values file on top of the environment's."""
    extra = tmp_path / f"{app}-extra-values.yaml"
    extra.write_text(yaml.safe_dump(values))
    result = template(app, env, [extra])
    assert result.returncode == 0, result.stderr
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def only(objects: list[dict], kind: str) -> dict:
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def kinds(objects: list[dict]) -> list[str]:
    return sorted(o["kind"] for o in objects)


def _closed(schema):
    """Forbid unknown fields wherever the CRD lists properties and does not preserve unknown ones."""
    if isinstance(schema, dict):
        if ("properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields")
                and "additionalProperties" not in schema):
            schema["additionalProperties"] = False
        for value in schema.values():
            _closed(value)
    elif isinstance(schema, list):
        for item in schema:
            _closed(item)
    return schema


@functools.cache
def _keda_crd_schema() -> dict:
    if not KEDA_CRD.exists():
        pytest.fail(f"{KEDA_CRD} is missing: the KEDA CRDs live in ../shared/schemas/keda next to the repository")
    crd = yaml.safe_load(KEDA_CRD.read_text())
    version = next(v for v in crd["spec"]["versions"] if v.get("served") and v.get("storage"))
    return version["schema"]["openAPIV3Schema"]


def keda_scaledobject_schema() -> dict:
    """The ScaledObject CRD's served schema (from ../shared/schemas), closed to unknown fields."""
    return _closed(copy.deepcopy(_keda_crd_schema()))


def cel_rule_failures(obj, schema: dict | None = None, path: str = "") -> list[str]:
    """Messages of the CRD's x-kubernetes-validations (CEL) rules `obj` breaks; `oldSelf` rules skipped."""
    schema = _keda_crd_schema() if schema is None else schema
    failures = []
    for rule in schema.get("x-kubernetes-validations", []):
        if "oldSelf" in rule["rule"]:
            continue
        env = celpy.Environment()
        if not env.program(env.compile(rule["rule"])).evaluate({"self": celpy.json_to_cel(obj)}):
            failures.append(f"{path or '.'}: {rule.get('message', rule['rule'])}")
    if isinstance(obj, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in obj:
                failures += cel_rule_failures(obj[key], sub, f"{path}.{key}")
    elif isinstance(obj, list) and "items" in schema:
        for i, item in enumerate(obj):
            failures += cel_rule_failures(item, schema["items"], f"{path}[{i}]")
    return failures


class Charts:
    """The helpers above, as one fixture (tests do not import conftest)."""

    repo = REPO
    charts_dir = CHARTS
    apps = APPS
    envs = ENVS
    namespaces = NAMESPACES
    helm = staticmethod(helm)
    template = staticmethod(template)
    render = staticmethod(render)
    render_with = staticmethod(render_with)
    edge_file = staticmethod(_edge_file)
    only = staticmethod(only)
    kinds = staticmethod(kinds)
    keda_scaledobject_schema = staticmethod(keda_scaledobject_schema)
    cel_rule_failures = staticmethod(cel_rule_failures)


@pytest.fixture(scope="session")
def charts() -> type[Charts]:
    return Charts


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test asking for `app` / `env` runs for each chart / environment (unless it chose)."""
    chosen: set[str] = set()
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        chosen.update(n.strip() for n in (names.split(",") if isinstance(names, str) else names))
    if "app" in metafunc.fixturenames and "app" not in chosen:
        metafunc.parametrize("app", APPS)
    if "env" in metafunc.fixturenames and "env" not in chosen:
        metafunc.parametrize("env", ENVS)
