"""Shared fixtures for the GitHub Actions tests: the repository root and the parsed workflows."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
ACTIONS_DIR = REPO_ROOT / ".github" / "actions"


def load_workflow(path: Path) -> dict:
    """Parse a workflow; YAML 1.1 reads the key `on` as True, so put it back under "on"."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:
        document["on"] = document.pop(True)
    return document


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def workflow_files() -> list[Path]:
    files = sorted([*WORKFLOWS_DIR.glob("*.yml"), *WORKFLOWS_DIR.glob("*.yaml")])
    assert files, f"no workflows under {WORKFLOWS_DIR}"
    return files


@pytest.fixture(scope="session")
def workflows(workflow_files) -> dict[str, dict]:
    return {path.name: load_workflow(path) for path in workflow_files}


@pytest.fixture(scope="session")
def action_files() -> list[Path]:
    return sorted([*ACTIONS_DIR.glob("*/action.yml"), *ACTIONS_DIR.glob("*/action.yaml")])
