"""Offline synthesis: build the CDK app, synthesize it, and hand back the templates."""

from __future__ import annotations

import json
from collections.abc import Callable
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Platform
from .stage import STAGES, build_app


class SynthError(Exception):
    """Synthesis failed; the message lists the validation findings (cdk-nag, CloudFormation)."""


@dataclass(frozen=True)
class StackTemplate:
    """One synthesized stack."""

    stage: str  # dev, staging, prod or shared
    name: str  # CloudFormation stack name, e.g. innovate-prod-platform
    account: str
    region: str
    template: dict = field(repr=False)
    path: Path

    @property
    def resources(self) -> dict[str, dict]:
        return self.template.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v.get("Type") == resource_type}


@dataclass(frozen=True)
class Synthesis:
    """The result of one `innovate synth`."""

    outdir: Path
    stacks: tuple[StackTemplate, ...]
    seconds: float

    def for_stage(self, stage: str) -> tuple[StackTemplate, ...]:
        return tuple(s for s in self.stacks if s.stage == stage)

    def templates(self, stage: str) -> dict[str, dict]:
        return {s.name: s.template for s in self.for_stage(stage)}


def synthesize(platform: Platform, stages: tuple[str, ...] = STAGES, outdir: str | os.PathLike | None = None,
               progress: Callable[[str], None] | None = None) -> Synthesis:
    """Synthesize the requested stages into `outdir` (a temporary directory by default);
    `progress` is told of each long step as it starts."""
    out = Path(outdir) if outdir else Path(tempfile.mkdtemp(prefix="innovate-synth-"))
    started = time.perf_counter()
    if progress:
        progress(f"building the CDK app for {', '.join(stages)}")
    app = build_app(platform, stages, outdir=str(out))
    if progress:
        progress("synthesizing CloudFormation and running cdk-nag")
    try:
        assembly = app.synth()
    except RuntimeError as exc:
        raise SynthError(_findings(out) or str(exc).splitlines()[0]) from None
    stacks = []
    for stage_name in stages:
        stage_dir = out / f"assembly-{_stage_id(platform, stage_name)}"
        manifest = json.loads((stage_dir / "manifest.json").read_text())
        _refuse_missing_lookups(manifest)
        for artifact_id, artifact in manifest["artifacts"].items():
            if artifact["type"] != "aws:cloudformation:stack":
                continue
            path = stage_dir / artifact["properties"]["templateFile"]
            env = artifact["environment"].removeprefix("aws://").split("/")
            stacks.append(StackTemplate(
                stage=stage_name, name=artifact["properties"].get("stackName", artifact_id), account=env[0],
                region=env[1], template=json.loads(path.read_text()), path=path))
    del assembly
    return Synthesis(outdir=out, stacks=tuple(stacks), seconds=time.perf_counter() - started)




def _refuse_missing_lookups(manifest: dict) -> None:
    """CDK fills a lookup it cannot make offline with dummy values (availability zones
    `dummy1a`...); a template built on them must never be deployed or checked."""
    missing = manifest.get("missing") or []
    if missing:
        keys = ", ".join(m["key"] for m in missing)
        raise SynthError(f"cdk.context.json has no value for {keys} (a new account or region); list the "
                         "environment's availability_zones in platform.yaml (then `innovate context` updates "
                         "cdk.context.json) and synthesize again")


def _stage_id(platform: Platform, stage: str) -> str:
    return "innovate-shared" if stage == "shared" else platform.env(stage).cluster_name


def _findings(outdir: Path) -> str:
    """One line per unacknowledged validation finding, from CDK's validation report."""
    report_file = outdir / "validation-report.json"
    if not report_file.exists():
        return ""
    report = json.loads(report_file.read_text())
    lines = []
    for plugin in report.get("pluginReports", []):
        for violation in plugin.get("violations", []):
            for construct in violation.get("violatingConstructs", []):
                lines.append(f"{plugin['pluginName']}: {violation['ruleName']} at {construct['constructPath']}: "
                             f"{violation['description'].splitlines()[0]}")
    return "\n".join(lines)
