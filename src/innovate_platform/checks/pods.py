"""`pod-security`: Pod Security "restricted" for every pod spec (GitOps tree and charts, helm test
pods included): a failure in prod, a report (notes) in dev and staging."""

from __future__ import annotations

from typing import Iterable

from .inputs import CheckInputs, ManifestFile
from .kubernetes import describe
from .model import ERROR, NOTE, Check, Finding
from .pod_security import check_pod_security, pod_spec_of

ENFORCED = ("prod",)  # where a violation fails the gate; elsewhere it is reported


def pod_findings(env: str, files: Iterable[ManifestFile], level: str = "restricted") -> list[Finding]:
    severity = ERROR if env in ENFORCED else NOTE
    out = []
    for file in files:
        for obj in file.objects():
            if pod_spec_of(obj) is None:
                continue
            where = f"{file.path}: {describe(obj)}"
            try:
                violations = check_pod_security(obj, level)
            except ValueError as exc:
                out.append(Finding(env, where, "", f"malformed pod spec: {exc}", "fix the field's type", ERROR))
                continue
            for v in violations:
                message, _, fix = v.message.partition(": ")
                out.append(Finding(env, where, v.path, f"{level}/{v.rule}: {message}", fix or message, severity))
    return out


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    return pod_findings(env, inputs.gitops().for_env(env) + inputs.charts().for_env(env))


CHECK = Check("pod-security", 'Pod Security "restricted": enforced in prod, reported elsewhere', run,
              needs=("gitops", "charts"), envs=("dev", "staging", "prod"))
