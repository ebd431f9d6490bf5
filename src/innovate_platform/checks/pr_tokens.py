"""Which GitHub OIDC token subjects pull requests can obtain, read from .github/workflows: the
`pull_request` subject itself, and `environment:<E>` for every GitHub environment E a job of a
`pull_request`/`pull_request_target` workflow runs in (a job with `environment:` gets that subject
instead, once the environment's protection rules let it run). Used by ci_access.

A job counts unless its `if:` requires a non-pull-request event (`github.event_name == 'push'`,
no `||`) or it needs such a job without a status function (a skipped need skips it). An
environment that is an expression other than `${{ matrix.<key> }}` counts as any environment.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import yaml

from ..config import Platform

PR_EVENTS = ("pull_request", "pull_request_target")
_EVENT_EQUALS = re.compile(r"github\.event_name\s*==\s*'([^']+)'")
_STATUS = re.compile(r"\b(always|failure|cancelled)\s*\(")
_MATRIX = re.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")


def _events(document: dict) -> set[str]:
    on = document.get("on", document.get(True))  # PyYAML reads a bare `on:` key as True
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(e) for e in on}
    return {str(e) for e in on} if isinstance(on, dict) else set()


def _excluded_by_if(job: dict) -> bool:
    condition = str(job.get("if") or "")
    if "||" in condition:
        return False
    return any(event not in PR_EVENTS for event in _EVENT_EQUALS.findall(condition))


def _skipped_on_pull_requests(jobs: dict) -> set[str]:
    skipped: set[str] = set()
    changed = True
    while changed:
        changed = False
        for job_id, job in jobs.items():
            if job_id in skipped or not isinstance(job, dict):
                continue
            needs = job.get("needs") or []
            needs = [needs] if isinstance(needs, str) else list(needs)
            status = _STATUS.search(str(job.get("if") or ""))
            if _excluded_by_if(job) or (not status and any(n in skipped for n in needs)):
                skipped.add(job_id)
                changed = True
    return skipped


def _matrix_values(job: dict, key: str) -> list[str] | None:
    matrix = (job.get("strategy") or {}).get("matrix")
    if not isinstance(matrix, dict):
        return None
    listed = matrix.get(key)
    values = [str(v) for v in listed] if isinstance(listed, list) else []
    values += [str(row[key]) for row in matrix.get("include") or [] if isinstance(row, dict) and key in row]
    return values or None


def job_environments(job: dict) -> list[str]:
    """The GitHub environments a job runs in (`*` when it cannot be resolved)."""
    environment = job.get("environment")
    name = environment.get("name") if isinstance(environment, dict) else environment
    if not name:
        return []
    name = str(name).strip()
    if "${{" not in name:
        return [name]
    matrix = _MATRIX.fullmatch(name)
    return (_matrix_values(job, matrix[1]) if matrix else None) or ["*"]


def pull_request_environments(root: Path) -> Iterator[tuple[str, str]]:
    """(environment, where) for every environment a pull request's job runs in."""
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        try:
            document = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError:
            continue  # image_digests.workflow_findings names unreadable workflows
        if not isinstance(document, dict) or not _events(document) & set(PR_EVENTS):
            continue
        jobs = document.get("jobs") or {}
        skipped = _skipped_on_pull_requests(jobs)
        for job_id, job in jobs.items():
            if job_id in skipped or not isinstance(job, dict):
                continue
            for environment in job_environments(job):
                yield environment, f"{path.relative_to(root).as_posix()} job {job_id}"


def pull_request_subjects(platform: Platform, root: Path) -> dict[str, str]:
    """Token subject a pull request can obtain -> where it comes from."""
    repo = platform.github.repository
    subjects = {f"repo:{repo}:pull_request": "pull requests"}
    for environment, where in pull_request_environments(root):
        subjects.setdefault(f"repo:{repo}:environment:{environment}",
                            f"the token of {where}, which runs in environment {environment}")
    return subjects
