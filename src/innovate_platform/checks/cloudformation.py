"""`cloudformation`: cfn-lint over every synthesized template; errors fail, warnings are notes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .inputs import CheckInputs
from .model import ERROR, NOTE, Check, CheckUnavailable, Finding

LEVELS = {"Error": ERROR, "Warning": NOTE, "Informational": NOTE}


def cfn_lint_command() -> list[str]:
    """cfn-lint from this Python's environment (a separate process: it runs beside synthesis and checkov)."""
    beside = Path(sys.executable).parent / "cfn-lint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("cfn-lint")
    if found:
        return [found]
    raise CheckUnavailable("cfn-lint is not installed in this environment; run `make setup`")


def lint(paths: list[Path]) -> list[dict]:
    """cfn-lint's JSON matches for the templates (exit codes 2/4/8 mean errors/warnings/info found)."""
    result = subprocess.run([*cfn_lint_command(), "--format", "json", "--", *map(str, paths)],
                            capture_output=True, text=True, timeout=300, check=False)
    if result.returncode not in (0, 2, 4, 6, 8, 10, 12, 14):
        raise CheckUnavailable(f"cfn-lint failed (exit {result.returncode}): {(result.stderr.strip().splitlines() or ['?'])[-1]}")
    try:
        return json.loads(result.stdout or "[]")
    except json.JSONDecodeError:
        raise CheckUnavailable(f"cfn-lint printed no JSON: {(result.stderr or result.stdout).strip()[:200]}") from None


def match_findings(matches: list[dict], envs_by_file: dict[str, tuple[str, str]]) -> list[Finding]:
    """One finding per cfn-lint match: env and stack from the file, the resource and property path."""
    out = []
    for match in matches:
        env, stack = envs_by_file.get(Path(match.get("Filename", "")).name, ("?", match.get("Filename", "?")))
        path = [str(p) for p in (match.get("Location") or {}).get("Path") or []]
        resource = f"{stack}/{path[1]}" if len(path) > 1 and path[0] == "Resources" else stack
        field = ".".join(path[2:]) if len(path) > 2 and path[0] == "Resources" else ".".join(path)
        rule = match.get("Rule") or {}
        out.append(Finding(env, resource, field, f"{rule.get('Id', '?')} {match.get('Message', '')}",
                           f"see {rule.get('Source') or 'the cfn-lint rule ' + str(rule.get('Id'))}; fix the construct that sets it",
                           LEVELS.get(match.get("Level"), ERROR)))
    return out


def run(inputs: CheckInputs, envs: tuple[str, ...]) -> list[Finding]:
    stacks = [s for s in inputs.synthesis().stacks if s.stage in envs]
    if not stacks:
        return []
    by_file = {s.path.name: (s.stage, s.name) for s in stacks}
    return match_findings(lint([s.path for s in stacks]), by_file)


CHECK = Check("cloudformation", "cfn-lint over every synthesized template", run, needs=("synthesis",), per_env=False)
