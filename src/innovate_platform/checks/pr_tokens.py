"""Which GitHub OIDC token subjects pull requests can obtain, read from .github/workflows: the
`pull_request` subject itself, and `environment:<e>` for every GitHub environment a job of a
workflow a pull request can trigger runs in (a job with `environment:` gets that subject instead,
once the environment's protection rules let it run). Used by ci_access.

- Events (PR_EVENTS): `pull_request`, `pull_request_target`, `pull_request_review`,
  `pull_request_review_comment` (run on the pull request's merge ref), `merge_group` (runs the
  queued pull request's code), and, conservatively, `workflow_run` and `issue_comment`: they run
  default-branch code, but such workflows commonly check out the pull request's head.
- Environment names are case-insensitive in GitHub and the `sub` claim carries them lower-cased
  (`environment: Production` -> `environment:production`).
- A job counts unless its whole `if:` is `github.event_name == '<event not in PR_EVENTS>'`,
  optionally followed by `&& <anything>` (no `||`; GitHub compares strings case-insensitively), or
  it needs such a job without a status function (a skipped need skips it).
- A job calling a local reusable workflow (`uses: ./.github/workflows/x.yml`) counts through the
  called workflow's jobs; a remote one (`owner/repo/...@ref`) counts as any environment (`*`).
- An environment that is an expression other than `${{ matrix.<key> }}`, or a matrix value that is
  itself an expression, counts as any environment (`*`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import yaml

from ..config import Platform

PR_EVENTS = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
             "merge_group", "workflow_run", "issue_comment")
_ONLY_EVENT = re.compile(r"\s*github\.event_name\s*==\s*'([^']+)'\s*(&&.*)?", re.IGNORECASE | re.DOTALL)
_EXPRESSION = re.compile(r"\s*\$\{\{(.*)\}\}\s*", re.DOTALL)
_STATUS = re.compile(r"\b(always|failure|cancelled)\s*\(", re.IGNORECASE)
_MATRIX = re.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")
_LOCAL_WORKFLOW = re.compile(r"^\./\.github/workflows/[^/@]+\.ya?ml$")
_MAX_DEPTH = 10  # GitHub nests reusable workflows at most 10 levels deep


def _events(document: dict) -> set[str]:
    on = document.get("on", document.get(True))  # PyYAML reads a bare `on:` key as True
    if isinstance(on, str):
        return {on}
    if isinstance(on, list):
        return {str(e) for e in on}
    return {str(e) for e in on} if isinstance(on, dict) else set()


def _excluded_by_if(job: dict) -> bool:
    """True only when the whole condition requires one event a pull request cannot trigger."""
    condition = str(job.get("if") or "")
    wrapped = _EXPRESSION.fullmatch(condition)
    condition = wrapped[1] if wrapped else condition
    only = _ONLY_EVENT.fullmatch(condition)
    return bool(only) and "||" not in condition and only[1].lower() not in PR_EVENTS


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


def _value(value) -> str:
    return "*" if "${{" in str(value) else str(value).strip().lower()


def _matrix_values(job: dict, key: str) -> list[str] | None:
    matrix = (job.get("strategy") or {}).get("matrix")
    if not isinstance(matrix, dict):
        return None
    listed = matrix.get(key)
    values = [_value(v) for v in listed] if isinstance(listed, list) else ([] if listed is None else ["*"])
    values += [_value(row[key]) for row in matrix.get("include") or [] if isinstance(row, dict) and key in row]
    return values or None


def job_environments(job: dict) -> list[str]:
    """The GitHub environments a job runs in, lower-cased as in the `sub` claim (`*` when it cannot
    be resolved)."""
    environment = job.get("environment")
    name = environment.get("name") if isinstance(environment, dict) else environment
    if not name:
        return []
    name = str(name).strip()
    if "${{" not in name:
        return [name.lower()]
    matrix = _MATRIX.fullmatch(name)
    return (_matrix_values(job, matrix[1]) if matrix else None) or ["*"]


def _load(path: Path) -> dict | None:
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return None  # image_digests.workflow_findings names unreadable workflows
    return document if isinstance(document, dict) else None


def _job_environments(root: Path, jobs: dict, where: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(environment, where) for the jobs of one workflow that run on a pull request's event,
    following the reusable workflows they call."""
    skipped = _skipped_on_pull_requests(jobs)
    for job_id, job in jobs.items():
        if job_id in skipped or not isinstance(job, dict):
            continue
        here = f"{where} job {job_id}"
        for environment in job_environments(job):
            yield environment, here
        uses = str(job.get("uses") or "").strip()
        if not uses:
            continue
        called = _load(root / uses[2:]) if _LOCAL_WORKFLOW.fullmatch(uses) else None
        if called is None or depth >= _MAX_DEPTH:
            yield "*", f"{here} (calls {uses})"  # remote, missing or unreadable: any environment
            continue
        yield from _job_environments(root, called.get("jobs") or {}, f"{here} -> {uses[2:]}", depth + 1)


def pull_request_environments(root: Path) -> Iterator[tuple[str, str]]:
    """(environment, where) for every environment a pull request's job runs in."""
    for path in sorted((root / ".github" / "workflows").glob("*.y*ml")):
        document = _load(path)
        if document is None or not _events(document) & set(PR_EVENTS):
            continue
        yield from _job_environments(root, document.get("jobs") or {}, path.relative_to(root).as_posix())


def pull_request_subjects(platform: Platform, root: Path) -> dict[str, str]:
    """Token subject a pull request can obtain -> where it comes from."""
    repo = platform.github.repository
    subjects = {f"repo:{repo}:pull_request": "pull requests"}
    for environment, where in pull_request_environments(root):
        subjects.setdefault(f"repo:{repo}:environment:{environment}",
                            f"the token of {where}, which runs in environment {environment}")
    return subjects
