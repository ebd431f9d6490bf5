"""Run the checks in parallel over the shared inputs and collect one result per check and environment.

Synthesis, the GitOps render and the chart renders start at once; each check starts as soon as
what it needs is ready. Subprocess checks (cfn-lint, checkov, helm) run beside the Python ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..config import Platform
from . import accounts, cdk_nag, checkov, cloudformation, controller_iam, kubernetes, observability, platform_security, pods, scheduling, tenancy, upstream_charts
from .inputs import CheckInputs
from .model import ALL_ENVS, BROKEN, SHARED, Check, CheckResult, CheckUnavailable, Finding, Timed, status_of

Progress = Callable[[str, tuple[str, ...], list[CheckResult]], None]

CHECKS: tuple[Check, ...] = (
    cdk_nag.CHECK, cloudformation.CHECK, platform_security.CHECK, checkov.CHECK, kubernetes.CHECK, pods.CHECK, tenancy.CHECK,
    scheduling.CHECK, controller_iam.CHECK, accounts.CHECK, upstream_charts.CHECK, observability.CHECK,
)
CHECK_NAMES = tuple(c.name for c in CHECKS)


def select(only: str | None) -> tuple[Check, ...]:
    if only is None:
        return CHECKS
    chosen = tuple(c for c in CHECKS if c.name == only)
    if not chosen:
        raise ValueError(f"--only '{only}' is not a check; choose one of: {', '.join(CHECK_NAMES)}")
    return chosen


def run_checks(platform: Platform, root: Path, envs: tuple[str, ...] = ALL_ENVS, only: str | None = None,
               workers: int = 32, progress: Progress | None = None,
               charts_dir: Path | None = None) -> list[CheckResult]:
    """Every selected check for every selected environment, in CHECKS order then environment order.

    `progress(check, envs, outcome)` is called as each check finishes (from a worker thread)."""
    checks = select(only)
    envs = tuple(e for e in envs if e == SHARED or e in platform.environments)
    inputs = CheckInputs(platform, root, envs, charts_dir=charts_dir)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            warmups = _warm_up(pool, inputs, checks)
            futures: list[tuple[Check, tuple[str, ...], Future]] = []
            for check in checks:
                targets = tuple(e for e in envs if e in check.envs)
                if not targets:
                    continue
                if check.per_env:
                    futures += [(check, (env,), pool.submit(_timed, check, inputs, env)) for env in targets]
                else:
                    futures.append((check, targets, pool.submit(_timed, check, inputs, targets)))
            if progress is not None:
                for check, targets, future in futures:
                    future.add_done_callback(lambda f, c=check, t=targets: progress(c.name, t, _results(c, t, f.result())))
            results = [r for check, targets, future in futures for r in _results(check, targets, future.result())]
            for warm in warmups:
                warm.result()
    finally:
        inputs.close()
    order = {name: i for i, name in enumerate(CHECK_NAMES)}
    return sorted(results, key=lambda r: (ALL_ENVS.index(r.env) if r.env in ALL_ENVS else 99, order[r.name]))


def _warm_up(pool: ThreadPoolExecutor, inputs: CheckInputs, checks: tuple[Check, ...]) -> list[Future]:
    """Start the shared inputs now: synthesis first (the longest), then the renders."""
    needed = {n for c in checks for n in c.inputs}
    order = [n for n in ("synthesis", "gitops", "charts") if n in needed]
    return [pool.submit(inputs.prepare, (name,)) for name in order]


def _timed(check: Check, inputs: CheckInputs, target) -> tuple[list[Finding] | str, float]:
    """(findings, seconds) or (one-line error, seconds); the clock starts once the inputs are ready."""
    inputs.prepare(check.needs)
    started = time.perf_counter()
    try:
        output = check.run(inputs, target)
    except CheckUnavailable as exc:
        return str(exc), time.perf_counter() - started
    except Exception as exc:  # a bug or a tool failing: one line, never a traceback
        return f"{check.name} crashed: {type(exc).__name__}: {exc}", time.perf_counter() - started
    if isinstance(output, Timed):
        return list(output.findings), output.seconds
    return list(output), time.perf_counter() - started


def _results(check: Check, targets: tuple[str, ...], outcome: tuple[list[Finding] | str, float]) -> list[CheckResult]:
    found, seconds = outcome
    out = []
    for env in targets:
        if isinstance(found, str):
            fix = "run `make setup`" if "make setup" in found else "fix the cause named above and rerun innovate check"
            out.append(CheckResult(check.name, env, BROKEN, [Finding(env, check.name, "", found, fix)], seconds))
            continue
        mine = [f for f in found if f.env == env]
        out.append(CheckResult(check.name, env, status_of(mine), mine, seconds))
    return out
