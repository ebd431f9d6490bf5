"""What the checks share, computed once per run and on first use: the synthesis, the rendered
GitOps tree and the Helm-rendered charts of every environment."""

from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from ..config import Platform
from ..gitops.bootstrap import TREE_ROOT
from .manifests import SubstitutionError, is_build_file, substitute
from .model import ENVIRONMENTS, SHARED, CheckUnavailable, Finding

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PROJECT_ROOT = Path(__file__).resolve().parents[3]  # where setup installs helm and .venv-checkov


@dataclass(frozen=True)
class ManifestFile:
    """One YAML file of Kubernetes objects for one environment, as the cluster would receive it."""

    env: str
    path: str  # where it comes from, e.g. gitops/apps/prod/api.yaml or charts/api (values-prod.yaml)
    text: str
    docs: tuple[dict, ...] = field(repr=False)
    namespace: str | None = None  # the release namespace objects without one land in (charts)

    def objects(self) -> list[dict]:
        """Cluster objects (kustomization.yaml build files left out)."""
        return [d for d in self.docs if isinstance(d, dict) and not is_build_file(d)]


@dataclass
class ManifestSet:
    """The files of one source (GitOps tree or charts) per environment, and what kept some from rendering."""

    files: dict[str, list[ManifestFile]]
    problems: list[Finding]
    stale: list[str] = field(default_factory=list)  # committed files that differ from a fresh render

    def for_env(self, env: str) -> list[ManifestFile]:
        return self.files.get(env, [])


def parse_yaml(text: str) -> tuple[dict, ...]:
    return tuple(d for d in yaml.load_all(text, Loader=_LOADER) if d)


class CheckInputs:
    """Lazily computed, thread-safe shared inputs; a failure is remembered and re-raised to every user."""

    def __init__(self, platform: Platform, root: Path, envs: tuple[str, ...], workdir: Path | None = None,
                 tools_root: Path | None = None, charts_dir: Path | None = None) -> None:
        from ..upstream.cache import cache_dir

        self.platform = platform
        self.charts_dir = cache_dir(charts_dir)  # the upstream chart packages (--charts, $INNOVATE_CHARTS)
        self.root = Path(root)  # the repository of platform.yaml: gitops/, charts/, apps/, .github/
        self.tools_root = Path(tools_root) if tools_root else PROJECT_ROOT  # .tools/bin/helm, .venv-checkov
        self.envs = envs
        self._workdir = workdir
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._values: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.seconds: dict[str, float] = {}

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def workdir(self) -> Path:
        with self._guard:
            if self._workdir is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="innovate-check-")
                self._workdir = Path(self._tmp.name)
            return self._workdir

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    def _once(self, name: str, compute: Callable[[], Any]) -> Any:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._values:
                started = time.perf_counter()
                try:
                    self._values[name] = (True, compute())
                except CheckUnavailable as exc:
                    self._values[name] = (False, exc)
                except Exception as exc:  # a tool or library failing: one line for every check that needs it
                    first = (str(exc).strip().splitlines() or [""])[0]
                    self._values[name] = (False, CheckUnavailable(f"{name} failed: {type(exc).__name__}: {first}"))
                self.seconds[name] = time.perf_counter() - started
            ok, value = self._values[name]
        if not ok:
            raise value
        return value

    def prepare(self, needs: tuple[str, ...]) -> None:
        """Compute what a check needs (so its own clock starts after); failures surface in the check."""
        for need in needs:
            try:
                getattr(self, need)()
            except CheckUnavailable:
                pass

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(e for e in (*ENVIRONMENTS, SHARED) if e in self.envs)

    @property
    def cluster_envs(self) -> tuple[str, ...]:
        return tuple(e for e in ENVIRONMENTS if e in self.envs)

    # --- synthesis --------------------------------------------------------------------------

    def synthesis(self):
        """The CDK synthesis of the selected stages (cdk-nag AwsSolutions included)."""
        return self._once("synthesis", self._synthesize)

    def _synthesize(self):
        from ..aws.synth import SynthError, synthesize

        outdir = self.workdir / "cdk.out"
        try:
            return synthesize(self.platform, self.stages, outdir)
        except SynthError as exc:
            first = str(exc).splitlines()[0] if str(exc) else "unknown error"
            raise CheckUnavailable(f"synthesis failed ({first}); see the cdk-nag check") from None

    @property
    def synth_outdir(self) -> Path:
        return self.workdir / "cdk.out"

    # --- workflows --------------------------------------------------------------------------

    def pull_request_subjects(self) -> dict[str, str]:
        """The OIDC subjects a pull request can get (checks/pr_tokens.py), read once per run."""
        from .pr_tokens import pull_request_subjects

        return self._once("pull-request-subjects", lambda: pull_request_subjects(self.platform, self.root))

    # --- GitOps tree ------------------------------------------------------------------------

    def gitops(self) -> ManifestSet:
        """The rendered tree per environment, cluster-vars substituted with placeholder values."""
        return self._once("gitops", self._render_gitops)

    def _render_gitops(self) -> ManifestSet:
        from ..gitops.tree import render_tree
        from ..gitops.verify import placeholder_cluster_vars

        try:
            rendered = render_tree(self.platform, self.root)
        except Exception as exc:  # ChartError, UnsupportedKubernetesVersion, OSError: one line, not a trace
            raise CheckUnavailable(f"the GitOps tree does not render: {exc}") from None
        files: dict[str, list[ManifestFile]] = {}
        problems: list[Finding] = []
        stale = []
        for path, text in rendered.items():
            on_disk = self.root / path
            if not on_disk.is_file() or on_disk.read_text() != text:
                stale.append(path)
            env_name = path.split("/")[-2]
            if env_name not in self.cluster_envs:
                continue
            variables = placeholder_cluster_vars(self.platform, self.platform.env(env_name))
            try:
                text = substitute(text, variables)
            except SubstitutionError as exc:
                problems.append(Finding(env_name, path, "", str(exc.args[0]),
                                        "add the key to naming.cluster_var_names (and the CDK cluster-vars) or stop using it"))
                continue
            files.setdefault(env_name, []).append(ManifestFile(env_name, path, text=text, docs=parse_yaml(text)))
        committed = self.root / TREE_ROOT
        if committed.is_dir():
            present = {p.relative_to(self.root).as_posix() for p in committed.rglob("*") if p.is_file()}
            stale += sorted(present - rendered.keys())
        return ManifestSet(files, problems, sorted(stale))

    # --- charts -----------------------------------------------------------------------------

    @property
    def helm(self) -> Path:
        from ..upstream.cache import find_helm

        found = find_helm(self.tools_root)
        if found is None:
            raise CheckUnavailable("helm is not installed (.tools/bin/helm); run `make setup`")
        return found

    def charts(self) -> ManifestSet:
        """Each app's chart per environment, rendered by helm as Flux would: values.yaml,
        values-<env>.yaml, then the HelmRelease's values (placeholder cluster-vars)."""
        return self._once("charts", self._render_charts)

    def _render_charts(self) -> ManifestSet:
        helm = self.helm
        gitops = self.gitops()
        jobs = [(app, env) for env in self.cluster_envs for app in self.platform.apps]
        with ThreadPoolExecutor(max_workers=4) as pool:
            rendered = list(pool.map(lambda job: self._render_chart(helm, gitops, *job), jobs))
        files: dict[str, list[ManifestFile]] = {}
        problems: list[Finding] = []
        for result in rendered:
            if isinstance(result, Finding):
                problems.append(result)
            else:
                files.setdefault(result.env, []).append(result)
        return ManifestSet(files, problems)

    def _render_chart(self, helm: Path, gitops: ManifestSet, app, env_name: str) -> ManifestFile | Finding:
        chart = self.root / app.chart
        values = chart / f"values-{env_name}.yaml"
        label = f"{app.chart} (values-{env_name}.yaml)"
        command = [str(helm), "template", app.name, str(chart), "--namespace", app.namespace,
                   "--kube-version", f"{self.platform.versions.kubernetes}.0"]
        if values.exists():
            command += ["-f", str(values)]
        release_values = _helm_release_values(gitops.for_env(env_name), app.name)
        if release_values:
            extra = self.workdir / "values" / f"{app.name}-{env_name}.yaml"
            extra.parent.mkdir(parents=True, exist_ok=True)
            extra.write_text(yaml.safe_dump(release_values))
            command += ["-f", str(extra)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["helm failed"])[-1]
            return Finding(env_name, label, "", f"helm template failed: {reason}",
                           f"fix the chart or its values until `helm template {app.name} {app.chart} -f {values.name}` renders")
        try:
            docs = parse_yaml(result.stdout)
        except yaml.YAMLError as exc:
            return Finding(env_name, label, "", f"helm rendered invalid YAML: {str(exc).splitlines()[0]}",
                           "fix the template that renders it (helm template --debug shows the source)")
        return ManifestFile(env_name, label, result.stdout, docs, namespace=app.namespace)


def _helm_release_values(files: list[ManifestFile], release: str) -> dict:
    for file in files:
        for obj in file.objects():
            if obj.get("kind") == "HelmRelease" and (obj.get("spec") or {}).get("releaseName", obj["metadata"]["name"]) == release:
                return (obj.get("spec") or {}).get("values") or {}
    return {}
