"""A release tag on a commit main never built fails with one line saying which commit to tag.

The workflow's own `run:` scripts are taken from images.yml and run with the runner's shell
(`bash --noprofile --norc -eo pipefail`). The plan check runs against a real git repository;
the image check runs against a `docker` on PATH that answers `buildx imagetools inspect` the
way buildx does (no registry is reachable here).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REGISTRY = "444444444444.dkr.ecr.us-east-1.amazonaws.com"
ERROR_LINE = re.compile(r"^::error title=(?P<title>[^:]*)::(?P<message>.+)$")

# Answers like buildx: the reference and its digest if the registry has it, else one ERROR line.
FAKE_DOCKER = """\
import os, sys
from pathlib import Path
with open(os.environ["DOCKER_CALLS"], "a") as calls:
    calls.write(" ".join(sys.argv[1:]) + "\\n")
ref = sys.argv[-1]
if os.environ.get("REGISTRY_DENIES"):
    sys.exit(print(f"ERROR: failed to authorize: {ref}: 401 Unauthorized", file=sys.stderr) or 1)
if ref not in Path(os.environ["REGISTRY_TAGS"]).read_text().split():
    sys.exit(print(f"ERROR: {ref}: not found", file=sys.stderr) or 1)
print(f"Name:      {ref}\\nMediaType: application/vnd.oci.image.index.v1+json\\nDigest:    sha256:{'ab' * 32}")
"""


def step(workflows: dict, job: str, name: str) -> dict:
    return next(s for s in workflows["images.yml"]["jobs"][job]["steps"] if s.get("name") == name)


def run_step(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=30)


def error_lines(result: subprocess.CompletedProcess[str]) -> list[re.Match]:
    lines = (result.stdout + result.stderr).splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    matches = [ERROR_LINE.match(line) for line in errors]
    assert all(matches), f"malformed workflow command (a ':' or ',' in the title?): {errors}"
    return matches


# --- the image job: the sha-* image exists before it is re-tagged -------------------------------

EXISTS = "The image built from this commit on main exists"
SHA = "3f9a1c27be0d4e6a8c1b2d3e4f5a6b7c8d9e0f1a"


@pytest.fixture
def registry(tmp_path: Path) -> dict[str, str]:
    """A PATH whose `docker` knows the tags listed in the returned REGISTRY_TAGS file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(f"#!{sys.executable}\n{FAKE_DOCKER}")
    docker.chmod(0o755)
    (tmp_path / "tags").write_text(f"{REGISTRY}/api:sha-0000000\n")
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "REGISTRY_TAGS": str(tmp_path / "tags"),
            "DOCKER_CALLS": str(tmp_path / "calls"), "IMAGE": f"{REGISTRY}/api", "SHA_TAG": "sha-3f9a1c2",
            "GITHUB_SHA": SHA, "GITHUB_REF_NAME": "v1.2.3-rc.1"}


def test_the_check_runs_before_the_retag_for_the_same_image(workflows):
    image = workflows["images.yml"]["jobs"]["image"]
    names = [s.get("name") or s.get("uses") for s in image["steps"]]
    retag = next(s for s in image["steps"] if s.get("id") == "retag")
    check = step(workflows, "image", EXISTS)
    assert names.index(EXISTS) + 1 == names.index(retag["name"])
    assert check["if"] == retag["if"] == "needs.plan.outputs.promote_to != 'dev'"
    assert {k: check["env"][k] for k in ("IMAGE", "SHA_TAG")} == {k: retag["env"][k] for k in ("IMAGE", "SHA_TAG")}


def test_an_image_built_on_main_passes(workflows, registry, tmp_path):
    Path(registry["REGISTRY_TAGS"]).write_text(f"{REGISTRY}/api:sha-3f9a1c2\n")
    result = run_step(step(workflows, "image", EXISTS)["run"], registry, tmp_path)
    assert (result.returncode, error_lines(result)) == (0, [])
    assert Path(registry["DOCKER_CALLS"]).read_text() == f"buildx imagetools inspect {REGISTRY}/api:sha-3f9a1c2\n"


def test_an_unbuilt_commit_fails_with_one_line_naming_the_commit_to_tag(workflows, registry, tmp_path):
    result = run_step(step(workflows, "image", EXISTS)["run"], registry, tmp_path)
    [error] = error_lines(result)
    assert result.returncode == 1
    assert error["title"] == "v1.2.3-rc.1 points at a commit main never built"
    message = error["message"]
    assert f"{REGISTRY}/api:sha-3f9a1c2 does not exist: {SHA} was never built on main" in message
    assert "git push --delete origin v1.2.3-rc.1" in message
    assert "the sha-* in charts/api/values-dev.yaml on main" in message
    assert "git log -1 --grep='^Promote sha-' origin/main" in message


def test_a_registry_that_refuses_is_not_reported_as_an_unbuilt_commit(workflows, registry, tmp_path):
    result = run_step(step(workflows, "image", EXISTS)["run"], {**registry, "REGISTRY_DENIES": "1"}, tmp_path)
    [error] = error_lines(result)
    assert result.returncode == 1
    assert error["title"] == "Cannot read sha-3f9a1c2 from ECR"
    assert "401 Unauthorized" in error["message"] and "never built" not in error["message"]


# --- the plan job: a promotion commit is refused before any AWS credentials ----------------------

NOT_PROMOTION = "The tagged commit is not a promotion commit"


def git(repo: Path, *args: str, author: str = "Dana Developer") -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.com",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "a@example.com"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True, timeout=30).stdout.strip()


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    """main: a merged change, the bot's dev and staging promotions, and a person's promotion."""
    repo = tmp_path / "repo"
    git(tmp_path, "init", "-q", "-b", "main", str(repo))
    commits = {"repo": str(repo)}
    for key, subject, author in (
        ("change", "Add the login page (#41)", "Dana Developer"),
        ("dev", "Promote sha-{change7} to dev", "github-actions[bot]"),
        ("staging", "Promote 1.2.3-rc.1 to staging", "github-actions[bot]"),
        ("manual", "Promote sha-{change7} to dev", "Dana Developer"),
    ):
        git(repo, "commit", "-q", "--allow-empty", "-m", subject.format(change7=commits.get("change", "")[:7]),
            author=author)
        commits[key] = git(repo, "rev-parse", "HEAD")
    return commits


def test_the_plan_job_has_no_aws_credentials(workflows):
    jobs = workflows["images.yml"]["jobs"]
    assert [job_id for job_id, job in jobs.items() if "id-token" in (job.get("permissions") or {})] == ["image"]
    assert step(workflows, "plan", NOT_PROMOTION)["if"] == (
        "steps.plan.outputs.promote_to == 'staging' || steps.plan.outputs.promote_to == 'prod'")


def test_a_tag_on_a_bot_dev_promotion_names_the_commit_it_promoted(workflows, history):
    env = {"GITHUB_SHA": history["dev"], "GITHUB_REF_NAME": "v1.2.3-rc.1"}
    result = run_step(step(workflows, "plan", NOT_PROMOTION)["run"], env, Path(history["repo"]))
    [error] = error_lines(result)
    assert result.returncode == 1
    assert error["title"] == "v1.2.3-rc.1 points at a promotion commit"
    change7 = history["change"][:7]
    assert f"{history['dev']} is the bot commit 'Promote sha-{change7} to dev'" in error["message"]
    assert error["message"].endswith(f"tag {change7}, the commit it promoted.")


def test_a_tag_on_another_bot_promotion_points_to_values_dev(workflows, history):
    env = {"GITHUB_SHA": history["staging"], "GITHUB_REF_NAME": "v1.2.3"}
    result = run_step(step(workflows, "plan", NOT_PROMOTION)["run"], env, Path(history["repo"]))
    [error] = error_lines(result)
    assert result.returncode == 1
    assert "the sha-* in charts/api/values-dev.yaml on main" in error["message"]


@pytest.mark.parametrize("commit", ["change", "manual"])
def test_built_commits_and_a_persons_promotion_pass(workflows, history, commit):
    env = {"GITHUB_SHA": history[commit], "GITHUB_REF_NAME": "v1.2.3-rc.1"}
    result = run_step(step(workflows, "plan", NOT_PROMOTION)["run"], env, Path(history["repo"]))
    assert (result.returncode, error_lines(result)) == (0, [])
