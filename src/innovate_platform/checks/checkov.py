"""`checkov`: the synthesized CloudFormation, the GitOps tree (placeholder cluster-vars), the
Helm-rendered charts, the Dockerfiles and the GitHub workflows, scanned offline by checkov in its
own virtual environment (`.venv-checkov`). One process per batch of frameworks, over all files.

Every skipped check id lives in `.checkov.yaml` with its reason as a comment on the same line; an
id without a reason fails this check. Per-resource skip annotations are listed as notes too
(checks/checkov_annotations.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from .checkov_annotations import annotation_findings
from .inputs import CheckInputs
from .model import ERROR, NOTE, SHARED, Check, CheckUnavailable, Finding, Timed

CONFIG = ".checkov.yaml"
VENV = ".venv-checkov"
OFFLINE_ENV = {
    "BC_SKIP_MAPPING": "TRUE",  # no download of the Prisma guideline mapping
    "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",  # no PyPI version check
    "CKV_GITHUB_CONFIG_FETCH_DATA": "false",  # no GitHub API calls for the github_configuration framework
    "CKV_VALIDATE_SECRETS": "false",
    "LOG_LEVEL": "ERROR",
}
SKIP_LINE = re.compile(r"^\s*-\s*['\"]?(?P<id>[A-Z][A-Z0-9_]+)['\"]?\s*(?:#\s*(?P<reason>.*\S))?\s*$")


@dataclass(frozen=True)
class Skip:
    check_id: str
    reason: str


def read_skips(path: Path) -> list[Skip]:
    """The skip-check ids of a checkov config file with the comment on each id's line."""
    if not path.exists():
        return []
    text = path.read_text()
    listed = (yaml.safe_load(text) or {}).get("skip-check") or []
    reasons = {m["id"]: (m["reason"] or "") for line in text.splitlines() if (m := SKIP_LINE.match(line))}
    return [Skip(str(i), reasons.get(str(i), "")) for i in listed]


def skip_findings(path: Path, skips: list[Skip]) -> list[Finding]:
    """A skip without a reason is an error; the others are listed as notes."""
    out = []
    for skip in skips:
        if len(skip.reason) < 10:
            out.append(Finding(SHARED, path.name, f"skip-check {skip.check_id}", "skipped without a reason",
                               f"write why {skip.check_id} does not apply as a comment on its line, or stop skipping it", ERROR))
        else:
            out.append(Finding(SHARED, path.name, f"skip-check {skip.check_id}", f"skipped: {skip.reason}",
                               "none (skipped with a reason)", NOTE))
    return out


def checkov_binary(root: Path) -> Path:
    binary = root / VENV / "bin" / "checkov"
    if not binary.exists():
        raise CheckUnavailable(f"checkov is not installed ({VENV}); run `make setup`")
    return binary


def scan(binary: Path, directory: Path, frameworks: list[str], config: Path | None) -> tuple[list[dict], float]:
    """checkov's JSON reports (one per framework) for `directory`, and the process's wall time."""
    command = [str(binary), "--directory", str(directory), "--framework", *frameworks, "--output", "json",
               "--quiet", "--compact", "--skip-download"]
    if config is not None and config.exists():
        command += ["--config-file", str(config)]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=directory,
                            env={**os.environ, **OFFLINE_ENV})
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise CheckUnavailable(f"checkov failed (exit {result.returncode}): {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    try:
        reports = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        raise CheckUnavailable(f"checkov printed no JSON: {(result.stderr or result.stdout).strip()[-200:]}") from None
    reports = reports if isinstance(reports, list) else [reports]
    return [r for r in reports if isinstance(r, dict) and "results" in r], seconds


def report_findings(reports: list[dict], origin: dict[str, tuple[str, str]]) -> list[Finding]:
    """Failed checks and parsing errors, mapped back to the environment and the original file."""
    out = []
    for report in reports:
        results = report.get("results") or {}
        for failed in results.get("failed_checks") or []:
            staged = str(failed.get("file_path", "")).lstrip("/")
            env, label = origin.get(staged, (SHARED, staged))
            lines = failed.get("file_line_range") or []
            out.append(Finding(env, f"{label}: {failed.get('resource')}", f"lines {lines[0]}-{lines[1]}" if len(lines) == 2 else "",
                               f"{failed.get('check_id')} {failed.get('check_name')}",
                               f"fix it ({failed.get('guideline') or 'see the checkov policy index'}), or skip "
                               f"{failed.get('check_id')} in {CONFIG} with a reason"))
        for staged in results.get("parsing_errors") or []:
            env, label = origin.get(str(staged).lstrip("/"), (SHARED, str(staged)))
            out.append(Finding(env, label, "", f"checkov could not parse the file ({report.get('check_type')})",
                               "make the file valid YAML/JSON/Dockerfile syntax"))
    return out


def stage_manifests(inputs: CheckInputs, envs: tuple[str, ...], directory: Path) -> dict[str, tuple[str, str]]:
    """Write what checkov scans for the non-CloudFormation frameworks; staged path -> (env, original)."""
    origin: dict[str, tuple[str, str]] = {}
    cluster_envs = [e for e in envs if e != SHARED]
    if cluster_envs:
        gitops, charts = inputs.gitops(), inputs.charts()
        for env in cluster_envs:
            for file in gitops.for_env(env):
                if file.path.endswith("kustomization.yaml"):
                    continue
                _write(directory, f"{env}/{file.path}", file.text, origin, (env, file.path))
            for file in charts.for_env(env):
                name = file.path.split(" ")[0].replace("/", "_")
                _write(directory, f"{env}/rendered/{name}.yaml", file.text, origin, (env, file.path))
    if SHARED in envs:
        for dockerfile in sorted(inputs.root.glob("apps/*/Dockerfile")):
            rel = dockerfile.relative_to(inputs.root).as_posix()
            _write(directory, rel, dockerfile.read_text(), origin, (SHARED, rel))
        for workflow in sorted((inputs.root / ".github" / "workflows").glob("*.y*ml")):
            rel = workflow.relative_to(inputs.root).as_posix()
            _write(directory, rel, workflow.read_text(), origin, (SHARED, rel))
    return origin


def annotation_skips(inputs: CheckInputs, envs: tuple[str, ...]) -> list[Finding]:
    """The per-resource skip annotations of the manifests checkov scans, as notes (errors without a reason)."""
    out: list[Finding] = []
    cluster_envs = [e for e in envs if e != SHARED]
    if cluster_envs:
        gitops, charts = inputs.gitops(), inputs.charts()
        for env in cluster_envs:
            for file in gitops.for_env(env) + charts.for_env(env):
                out += annotation_findings(env, file.path, file.objects())
    return out


def stage_templates(inputs: CheckInputs, envs: tuple[str, ...], directory: Path) -> dict[str, tuple[str, str]]:
    origin: dict[str, tuple[str, str]] = {}
    for stack in inputs.synthesis().stacks:
        if stack.stage in envs:
            rel = f"{stack.stage}/{stack.name}.template.json"
            (directory / stack.stage).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stack.path, directory / rel)
            origin[rel] = (stack.stage, f"{stack.name} template")
    return origin


def _write(directory: Path, rel: str, text: str, origin: dict, where: tuple[str, str]) -> None:
    path = directory / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    origin[rel] = where


def run(inputs: CheckInputs, envs: tuple[str, ...]) -> Timed:
    binary = checkov_binary(inputs.tools_root)
    config = inputs.root / CONFIG
    base = inputs.workdir / "checkov"
    manifests_dir, templates_dir = base / "manifests", base / "cloudformation"
    manifests_dir.mkdir(parents=True, exist_ok=True)
    templates_dir.mkdir(parents=True, exist_ok=True)
    frameworks = (["kubernetes"] if any(e != SHARED for e in envs) else []) + (["dockerfile", "github_actions"] if SHARED in envs else [])
    with ThreadPoolExecutor(max_workers=1) as pool:
        origin = stage_manifests(inputs, envs, manifests_dir)
        manifests = pool.submit(scan, binary, manifests_dir, frameworks, config) if frameworks else None
        cfn_origin = stage_templates(inputs, envs, templates_dir)  # waits for synthesis meanwhile
        cfn_reports, cfn_seconds = scan(binary, templates_dir, ["cloudformation"], config)
        reports, seconds = manifests.result() if manifests else ([], 0.0)
    findings = report_findings(reports, origin) + report_findings(cfn_reports, cfn_origin)
    findings += annotation_skips(inputs, envs)
    if SHARED in envs:
        findings += skip_findings(config, read_skips(config))
    return Timed([f for f in findings if f.env in envs], seconds + cfn_seconds)


CHECK = Check("checkov", "checkov over CloudFormation, manifests, rendered charts, Dockerfiles and workflows", run,
              needs=("gitops", "charts"), uses=("synthesis",), per_env=False)
