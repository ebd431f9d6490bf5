"""What `innovate check` prints: progress on a terminal, then findings and one summary line.

Findings and notes are printed as plain text (never Rich markup), so `[on-demand]` or `file:100:`
in a message prints as written. Tables (with --verbose) fold long names instead of cutting them.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from rich.console import Console
from rich.table import Table

from .model import NOTE, PASS, CheckResult

SYMBOL = {PASS: "ok", "fail": "FAIL", "error": "ERROR"}


class ProgressLines:
    """One line per finished check and environment on stderr (only when stderr is a terminal)."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total, self.done = total, 0
        self.lock = threading.Lock()

    def start(self, envs: tuple[str, ...]) -> None:
        self._write(f"innovate check: synthesizing and rendering {', '.join(envs)}, then {self.total} checks ...")

    def __call__(self, check: str, envs: tuple[str, ...], results: list[CheckResult]) -> None:
        with self.lock:
            for r in results:
                self.done += 1
                self._write(f"  [{self.done}/{self.total}] {check} {r.env}: {SYMBOL.get(r.status, r.status)} "
                            f"({len(r.errors)} findings, {r.seconds:.1f} s)")

    def _write(self, line: str) -> None:
        if self.enabled:
            self.stream.write(line + "\n")
            self.stream.flush()


def print_report(results: list[CheckResult], ok: bool, verbose: bool = False, console: Console | None = None,
                 seconds: float | None = None) -> None:
    """Findings (errors first) with their fix, notes and tables only when verbose, then one summary line."""
    out = console or Console()
    for env in dict.fromkeys(r.env for r in results):
        rows = [r for r in results if r.env == env]
        if verbose:
            out.print(_table(env, rows))
        for r in rows:
            for f in sorted(r.findings, key=lambda f: f.severity == NOTE):
                if f.severity == NOTE and not verbose:
                    continue
                where = f"{f.resource} {f.field}".strip()
                out.print(f"  {r.name} {r.env} {f.severity} {where}: {f.message}", markup=False, emoji=False, highlight=False,
                          soft_wrap=True)
                if f.severity != NOTE:
                    out.print(f"      fix: {f.fix}", markup=False, emoji=False, highlight=False, soft_wrap=True)
    out.print(summary_line(results, ok, verbose, seconds), markup=False, emoji=False, highlight=False, soft_wrap=True)


def summary_line(results: list[CheckResult], ok: bool, verbose: bool = False, seconds: float | None = None) -> str:
    errors = sum(len(r.errors) for r in results)
    notes = sum(len(r.notes) for r in results)
    envs = ", ".join(dict.fromkeys(r.env for r in results))
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    noted = f"{notes} notes" + ("" if verbose or not notes else " (--verbose shows them)")
    if ok:
        return f"ok: {len(results)} checks passed ({envs}); {noted}{took}"
    failed = ", ".join(f"{r.name}/{r.env}" for r in results if r.status != PASS)
    return f"failed: {failed}; {errors} findings, {noted}{took}"


def _table(env: str, rows: list[CheckResult]) -> Table:
    table = Table(title=f"innovate check: {env}", title_justify="left")
    for column in ("check", "status", "findings", "notes", "seconds"):
        numeric = column in ("findings", "notes", "seconds")
        table.add_column(column, justify="right" if numeric else "left", overflow="fold", no_wrap=numeric)
    for r in rows:
        table.add_row(r.name, r.status, str(len(r.errors)), str(len(r.notes)), f"{r.seconds:.1f}")
    return table
