"""scripts/image_tags.py: the tags and promotion target the images workflow gets for each ref."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SHA = "3f9a1c27be0d4e6a8c1b2d3e4f5a6b7c8d9e0f1a"
REGISTRY = "444444444444.dkr.ecr.us-east-1.amazonaws.com"


def run(repo_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(repo_root / "scripts" / "image_tags.py"), *args],
                          capture_output=True, text=True, timeout=30)


def parse_github_output(text: str) -> dict[str, str]:
    """Read GITHUB_OUTPUT the way the runner does, heredoc values included."""
    values, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


@pytest.mark.parametrize(("ref", "tags"), [
    ("refs/heads/main", ["sha-3f9a1c2"]),
    ("refs/tags/v1.2.3", ["sha-3f9a1c2", "1.2.3", "1.2"]),
    ("refs/tags/v1.2.3-rc.1", ["sha-3f9a1c2", "1.2.3-rc.1"]),
    ("refs/tags/v10.0.12", ["sha-3f9a1c2", "10.0.12", "10.0"]),
])
def test_tags_for_each_kind_of_push(repo_root, ref, tags):
    result = run(repo_root, "--ref", ref, "--sha", SHA)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == tags


def test_tags_are_full_image_references_with_image(repo_root):
    result = run(repo_root, "--ref", "refs/tags/v2.0.0", "--sha", SHA, "--image", f"{REGISTRY}/api")
    assert result.stdout.splitlines() == [f"{REGISTRY}/api:sha-3f9a1c2", f"{REGISTRY}/api:2.0.0",
                                          f"{REGISTRY}/api:2.0"]


@pytest.mark.parametrize(("ref", "sha_tag", "version", "promote_to"), [
    ("refs/heads/main", "sha-3f9a1c2", "", "dev"),
    ("refs/heads/feature/login", "sha-3f9a1c2", "", ""),
    ("refs/tags/v1.2.3-rc.4", "sha-3f9a1c2", "1.2.3-rc.4", "staging"),
    ("refs/tags/v1.2.3", "sha-3f9a1c2", "1.2.3", "prod"),
])
def test_github_output_carries_tags_labels_and_promotion_target(repo_root, tmp_path, ref, sha_tag,
                                                                version, promote_to):
    output = tmp_path / "github_output"
    output.write_text("earlier=kept\n")
    result = run(repo_root, "--ref", ref, "--sha", SHA, "--image", f"{REGISTRY}/web",
                 "--source", "https://github.com/innovate/platform", "--github-output", str(output))
    assert result.returncode == 0, result.stderr
    values = parse_github_output(output.read_text())
    assert values["earlier"] == "kept"
    assert (values["sha_tag"], values["version"], values["promote_to"]) == (sha_tag, version, promote_to)
    assert values["tags"].splitlines()[0] == f"{REGISTRY}/web:{sha_tag}"
    assert values["labels"].splitlines() == [
        f"org.opencontainers.image.revision={SHA}",
        f"org.opencontainers.image.version={version or sha_tag}",
        "org.opencontainers.image.source=https://github.com/innovate/platform",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--ref", "refs/tags/v1.2", "--sha", SHA],
     "--ref: tag 'v1.2' is not a release tag; use vX.Y.Z (prod) or vX.Y.Z-rc.N (staging)"),
    (["--ref", "refs/tags/v1.2.3-beta.1", "--sha", SHA], "--ref: tag 'v1.2.3-beta.1' is not a release tag"),
    (["--ref", "refs/tags/1.2.3", "--sha", SHA], "--ref: tag '1.2.3' is not a release tag"),
    (["--ref", "refs/tags/v01.2.3", "--sha", SHA], "--ref: tag 'v01.2.3' is not a release tag"),
    (["--ref", "refs/pull/7/merge", "--sha", SHA], "--ref: 'refs/pull/7/merge' is neither a branch"),
    (["--ref", "refs/heads/main", "--sha", "HEAD"], "--sha: 'HEAD' is not a git commit id"),
])
def test_malformed_refs_are_rejected_with_one_clear_line(repo_root, args, message):
    result = run(repo_root, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
