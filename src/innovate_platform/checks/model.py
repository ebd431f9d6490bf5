"""What every check reports: findings that name the environment, resource, field and fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

ERROR = "error"  # fails the gate
NOTE = "note"  # reported, never fails (warnings, acknowledgements, dev/staging reports)

PASS, FAIL, BROKEN = "pass", "fail", "error"  # statuses; `error` = the check could not run
ENVIRONMENTS = ("dev", "staging", "prod")
SHARED = "shared"  # the shared services account, its images (Dockerfiles) and CI workflows
ALL_ENVS = ENVIRONMENTS + (SHARED,)


@dataclass(frozen=True)
class Finding:
    """One problem (or note) in one place."""

    env: str
    resource: str  # stack/logical id (type), or file: Kind namespace/name
    field: str  # property or field path inside the resource, '' when the whole resource
    message: str  # what is wrong
    fix: str  # what to change
    severity: str = ERROR

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.resource} {self.field}".strip()
        return f"[{self.env}] {where}: {self.message} (fix: {self.fix})"


@dataclass
class CheckResult:
    """One check's outcome for one environment."""

    name: str
    env: str
    status: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def notes(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == NOTE]

    def as_dict(self) -> dict:
        return {"name": self.name, "env": self.env, "status": self.status,
                "findings": [f.as_dict() for f in self.findings], "seconds": round(self.seconds, 2)}


class CheckUnavailable(Exception):
    """The check could not run (a tool is missing, synthesis failed): one line saying why and what to do."""


@dataclass(frozen=True)
class Check:
    """A named check: `run(inputs, envs)` returns findings for those environments (each names its env).

    `needs` are the shared inputs it waits for before its clock starts ("synthesis", "gitops",
    "charts"); `uses` those it reads at all (started early for it; defaults to `needs`); `envs`
    the environments it has something to say about.
    """

    name: str
    summary: str
    run: Callable[..., Iterable[Finding]]
    needs: tuple[str, ...] = ()
    envs: tuple[str, ...] = ALL_ENVS
    per_env: bool = True  # False: one run over all environments (one checkov/cfn-lint process)
    uses: tuple[str, ...] = ()

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.uses + self.needs))


def status_of(findings: Iterable[Finding]) -> str:
    return FAIL if any(f.severity == ERROR for f in findings) else PASS


@dataclass(frozen=True)
class Timed:
    """Findings with the seconds the check itself spent (when it overlaps waiting for shared inputs)."""

    findings: list[Finding]
    seconds: float
