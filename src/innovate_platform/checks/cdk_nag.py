"""`cdk-nag`: synthesis with cdk-nag AwsSolutions succeeds, and every acknowledgement is listed
with its reason (from CDK's validation report, `cdk.out/validation-report.json`)."""

from __future__ import annotations

import json
from pathlib import Path

from ..config import Platform
from .inputs import CheckInputs
from .model import ERROR, NOTE, SHARED, Check, CheckUnavailable, Finding


def stage_env(platform: Platform, construct_path: str) -> str:
    """dev/staging/prod/shared from a construct path such as innovate-prod/platform/Cluster."""
    stage = construct_path.split("/", 1)[0]
    for env in platform.environments.values():
        if env.cluster_name == stage:
            return env.name
    return SHARED


def report_findings(platform: Platform, report: dict) -> list[Finding]:
    """Unacknowledged violations (errors) and acknowledgements with their reasons (notes)."""
    out: list[Finding] = []
    for plugin in report.get("pluginReports", []):
        name = plugin.get("pluginName", "?")
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                out.append(_finding(platform, name, violation, construct, ERROR,
                                    f"{(violation.get('description') or '').splitlines()[0] if violation.get('description') else 'finding'}",
                                    "fix the construct, or acknowledge the rule on that construct with a reason (aws/nag.py)"))
        for violation in plugin.get("suppressedViolations", []):
            reason = violation.get("reason") or "(no reason given)"
            for construct in violation.get("violatingConstructs", []):
                out.append(_finding(platform, name, violation, construct, NOTE,
                                    f"acknowledged at {violation.get('acknowledgedAt', '?')}: {reason}",
                                    "none (acknowledged); remove the acknowledgement when the reason no longer holds"))
    return out


def _finding(platform: Platform, plugin: str, violation: dict, construct: dict, severity: str, message: str, fix: str) -> Finding:
    path = construct.get("constructPath", "?")
    resource = construct.get("cloudFormationResource") or {}
    props = ", ".join(resource.get("propertyPaths") or [])
    return Finding(stage_env(platform, path), path, props, f"{plugin} {violation.get('ruleName')}: {message}", fix, severity)


def read_report(outdir: Path) -> dict:
    path = outdir / "validation-report.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def run(inputs: CheckInputs, envs: tuple[str, ...]) -> list[Finding]:
    try:
        inputs.synthesis()
    except CheckUnavailable:
        findings = [f for f in report_findings(inputs.platform, read_report(inputs.synth_outdir)) if f.severity == ERROR]
        if not findings:
            raise
        return findings
    findings = report_findings(inputs.platform, read_report(inputs.synth_outdir))
    return [f for f in findings if f.env in envs]


CHECK = Check("cdk-nag", "synthesis with cdk-nag AwsSolutions; acknowledgements with reasons", run, per_env=False,
              uses=("synthesis",))
