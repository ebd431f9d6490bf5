"""`pod-security`: Pod Security "restricted" for every pod spec (GitOps tree and charts, helm test
pods included). In prod every violation fails. In dev and staging a violation of the level the
pod's namespace enforces (its `pod-security.kubernetes.io/enforce` label: admission would refuse
the pod) fails, and the rest of "restricted" is reported as notes."""

from __future__ import annotations

from typing import Iterable

from .inputs import CheckInputs, ManifestFile
from .kubernetes import describe
from .model import ERROR, NOTE, Check, Finding
from .pod_security import check_pod_security, pod_spec_of

ENFORCED = ("prod",)  # where all of "restricted" fails the gate
ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"


def namespace_levels(files: Iterable[ManifestFile]) -> dict[str, str]:
    """Namespace -> the Pod Security level it enforces, from the Namespace objects' labels."""
    return {str(o["metadata"]["name"]): str(((o.get("metadata") or {}).get("labels") or {}).get(ENFORCE_LABEL, "privileged"))
            for f in files for o in f.objects() if o.get("kind") == "Namespace" and (o.get("metadata") or {}).get("name")}


def pod_findings(env: str, files: Iterable[ManifestFile], levels: dict[str, str] | None = None) -> list[Finding]:
    levels = levels or {}
    out = []
    for file in files:
        for obj in file.objects():
            if pod_spec_of(obj) is None:
                continue
            where = f"{file.path}: {describe(obj)}"
            namespace = (obj.get("metadata") or {}).get("namespace") or file.namespace
            enforced = "restricted" if env in ENFORCED else levels.get(str(namespace), "privileged")
            try:
                refused = {(v.rule, v.path) for v in check_pod_security(obj, enforced)}
                violations = check_pod_security(obj, "restricted")
            except ValueError as exc:
                out.append(Finding(env, where, "", f"malformed pod spec: {exc}", "fix the field's type", ERROR))
                continue
            for v in violations:
                message, _, fix = v.message.partition(": ")
                severity = ERROR if (v.rule, v.path) in refused else NOTE
                level = "restricted" if severity == NOTE or enforced == "restricted" else enforced
                out.append(Finding(env, where, v.path, f"{level}/{v.rule}: {message}", fix or message, severity))
    return out


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    gitops = inputs.gitops().for_env(env)
    return pod_findings(env, gitops + inputs.charts().for_env(env), namespace_levels(gitops))


CHECK = Check("pod-security", 'Pod Security "restricted": enforced in prod, reported elsewhere', run,
              needs=("gitops", "charts"), envs=("dev", "staging", "prod"))
