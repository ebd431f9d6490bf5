"""scripts/promote.py: a targeted image.tag edit that keeps comments, checked with real YAML and helm."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

VALUES_WITH_COMMENTS = """\
# dev (account 111111111111): one replica.
replicaCount: 1
image:
  # The shared account's ECR; CI promotion sets the tag.
  repository: 444444444444.dkr.ecr.us-east-1.amazonaws.com/api   # do not change
  tag: "sha-0000000"  # promoted by CI
  pullPolicy: IfNotPresent
sidecar:
  image:
    tag: keep-1.0
tag: not-the-image-tag
ingress:
  enabled: true
"""


def run(repo_root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(repo_root / "scripts" / "promote.py"), *args],
                          capture_output=True, text=True, timeout=30, cwd=cwd)


@pytest.fixture
def charts(tmp_path: Path) -> Path:
    charts_dir = tmp_path / "charts"
    (charts_dir / "api").mkdir(parents=True)
    (charts_dir / "api" / "values-dev.yaml").write_text(VALUES_WITH_COMMENTS)
    return charts_dir


def test_only_the_tag_changes_and_comments_stay(repo_root, charts):
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts))
    assert result.returncode == 0, result.stderr
    after = (charts / "api" / "values-dev.yaml").read_text()
    changed = [(old, new) for old, new in zip(VALUES_WITH_COMMENTS.splitlines(), after.splitlines()) if old != new]
    assert changed == [('  tag: "sha-0000000"  # promoted by CI', '  tag: "sha-1a2b3c4"  # promoted by CI')]
    assert len(after.splitlines()) == len(VALUES_WITH_COMMENTS.splitlines())
    expected = yaml.safe_load(VALUES_WITH_COMMENTS)
    expected["image"]["tag"] = "sha-1a2b3c4"
    assert yaml.safe_load(after) == expected
    assert "image.tag sha-0000000 -> sha-1a2b3c4" in result.stdout


def test_promoting_the_same_tag_twice_changes_nothing(repo_root, charts):
    run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts))
    before = (charts / "api" / "values-dev.yaml").read_bytes()
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts))
    assert result.returncode == 0 and "already sha-1a2b3c4" in result.stdout
    assert (charts / "api" / "values-dev.yaml").read_bytes() == before


def test_single_quotes_and_crlf_line_endings_are_kept(repo_root, charts):
    path = charts / "api" / "values-dev.yaml"
    path.write_bytes(b"image:\r\n  repository: r/api\r\n  tag: '1.0.0' # rc\r\n")
    assert run(repo_root, "--env", "dev", "--tag", "1.1.0-rc.2", "--charts-dir", str(charts)).returncode == 0
    assert path.read_bytes() == b"image:\r\n  repository: r/api\r\n  tag: '1.1.0-rc.2' # rc\r\n"


def test_a_missing_tag_is_added_under_image_or_as_a_new_block(repo_root, tmp_path):
    charts_dir = tmp_path / "charts"
    (charts_dir / "api").mkdir(parents=True)
    (charts_dir / "web").mkdir(parents=True)
    (charts_dir / "api" / "values-prod.yaml").write_text("# prod\nimage:\n    pullPolicy: Always\nreplicaCount: 3\n")
    (charts_dir / "web" / "values-prod.yaml").write_text("# prod: only what differs\nreplicaCount: 3")
    result = run(repo_root, "--env", "prod", "--tag", "1.4.0", "--charts-dir", str(charts_dir))
    assert result.returncode == 0, result.stderr
    api = (charts_dir / "api" / "values-prod.yaml").read_text()
    web = (charts_dir / "web" / "values-prod.yaml").read_text()
    assert api == '# prod\nimage:\n    tag: "1.4.0"\n    pullPolicy: Always\nreplicaCount: 3\n'
    assert web.startswith("# prod: only what differs\nreplicaCount: 3\n# -- Image tag promoted by CI")
    assert yaml.safe_load(web) == {"replicaCount": 3, "image": {"tag": "1.4.0"}}


@pytest.mark.parametrize(("env", "tag", "message"), [
    ("prod", "sha-1a2b3c4", "--tag: 'sha-1a2b3c4' cannot be promoted to prod; prod accepts X.Y.Z"),
    ("prod", "1.4.0-rc.1", "--tag: '1.4.0-rc.1' cannot be promoted to prod"),
    ("staging", "sha-1a2b3c4", "--tag: 'sha-1a2b3c4' cannot be promoted to staging"),
    ("dev", "latest", "--tag: 'latest' cannot be promoted to dev"),
    ("dev", "v1.2.3", "--tag: 'v1.2.3' cannot be promoted to dev"),
    ("qa", "1.0.0", "argument --env: invalid choice: 'qa'"),
])
def test_tags_an_environment_does_not_accept_are_refused(repo_root, charts, env, tag, message):
    result = run(repo_root, "--env", env, "--tag", tag, "--charts-dir", str(charts))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (charts / "api" / "values-dev.yaml").read_text() == VALUES_WITH_COMMENTS


def test_bad_files_name_the_problem(repo_root, charts):
    result = run(repo_root, "--env", "staging", "--tag", "1.0.0", "--charts-dir", str(charts))
    assert result.returncode == 2 and "no " in result.stderr and "values-staging.yaml to promote" in result.stderr
    (charts / "api" / "values-dev.yaml").write_text("image: {repository: r, tag: x}\n")
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts))
    assert result.returncode == 2 and "image: is a flow mapping" in result.stderr
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--app", "web", "--charts-dir", str(charts))
    assert result.returncode == 2 and "--app: no values file" in result.stderr


def test_commit_records_exactly_the_promoted_files(repo_root, charts):
    root = charts.parent
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for key, value in (("user.name", "github-actions[bot]"), ("user.email", "bot@example.com"),
                       ("commit.gpgsign", "false")):
        subprocess.run(["git", "config", "--local", key, value], cwd=root, check=True)
    (root / "unrelated.txt").write_text("base\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "base"], cwd=root, check=True)
    (root / "unrelated.txt").write_text("work in progress\n")
    (root / "staged.txt").write_text("staged by someone else\n")
    subprocess.run(["git", "add", "staged.txt"], cwd=root, check=True)
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts), "--commit")
    assert result.returncode == 0, result.stderr
    show = subprocess.run(["git", "show", "--name-only", "--format=%s", "HEAD"], cwd=root,
                          capture_output=True, text=True, check=True).stdout.split()
    assert show == ["Promote", "sha-1a2b3c4", "to", "dev", "charts/api/values-dev.yaml"]
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert sorted(status.splitlines()) == sorted(["A  staged.txt", " M unrelated.txt"])


def _comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


HELM = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "helm"


@pytest.mark.parametrize("app", ["api", "web"])
def test_promoted_tag_is_the_image_helm_renders(repo_root, tmp_path, app):
    """Promote on a copy of the real chart, then render it: the Deployment runs the promoted image."""
    assert HELM.exists(), "helm is installed by scripts/setup.sh into .tools/bin (run make setup)"
    chart = tmp_path / "charts" / app
    shutil.copytree(repo_root / "charts" / app, chart)
    shutil.copytree(repo_root / "charts" / "innovate-lib", tmp_path / "charts" / "innovate-lib")
    original = (chart / "values-dev.yaml").read_text()
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--app", app,
                 "--charts-dir", str(tmp_path / "charts"))
    assert result.returncode == 0, result.stderr
    promoted = (chart / "values-dev.yaml").read_text()
    kept = iter(_comments(promoted))
    assert all(comment in kept for comment in _comments(original)), "a comment was lost or reordered"
    # The Ingress host and certificate come from cluster-vars through the HelmRelease, not this file.
    rendered = subprocess.run([str(HELM), "template", app, str(chart), "-f", str(chart / "values-dev.yaml"),
                               "--set", "ingress.enabled=false"], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    images = {c["image"] for doc in yaml.safe_load_all(rendered.stdout) if doc and doc.get("kind") == "Deployment"
              for c in doc["spec"]["template"]["spec"]["containers"]}
    assert images == {f"444444444444.dkr.ecr.us-east-1.amazonaws.com/{app}:sha-1a2b3c4"}


DIGESTS = {"api": "sha256:" + "a1" * 32, "web": "sha256:" + "b2" * 32}


def test_digests_are_set_next_to_the_tag_and_a_tag_alone_drops_an_old_digest(repo_root, charts):
    import json

    path = charts / "api" / "values-dev.yaml"
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts),
                 "--digests", json.dumps({f"digest_{app}": d for app, d in DIGESTS.items()}))
    assert result.returncode == 0, result.stderr
    pinned = path.read_text()
    assert pinned == VALUES_WITH_COMMENTS.replace(
        '  tag: "sha-0000000"  # promoted by CI\n', f'  tag: "sha-1a2b3c4"  # promoted by CI\n  digest: "{DIGESTS["api"]}"\n')
    assert yaml.safe_load(pinned)["image"]["digest"] == DIGESTS["api"]
    # The next promotion by tag alone must not keep this digest: it would pin the previous image.
    result = run(repo_root, "--env", "dev", "--tag", "1.2.0", "--charts-dir", str(charts))
    assert result.returncode == 0, result.stderr
    assert path.read_text() == VALUES_WITH_COMMENTS.replace('"sha-0000000"', '"1.2.0"')


@pytest.mark.parametrize(("digests", "message"), [
    ('{"api": "sha256:abc"}', "is not sha256:<64 lowercase hex>"),
    ('{"web": "sha256:' + "c3" * 32 + '"}', "--digests: no digest for api"),
    ("[1]", "pass a JSON object"),
    ("not json", "--digests: not JSON"),
])
def test_bad_digests_are_refused_naming_the_problem(repo_root, charts, digests, message):
    before = (charts / "api" / "values-dev.yaml").read_text()
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts), "--digests", digests)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert (charts / "api" / "values-dev.yaml").read_text() == before


def test_a_missing_digest_for_the_second_app_writes_no_file(repo_root, charts):
    """Every app's digest is checked before anything is written: api (first) stays as it was
    when web (second) has no digest, so a failed promotion leaves no half-promoted environment."""
    import json

    (charts / "web").mkdir()
    (charts / "web" / "values-dev.yaml").write_text(VALUES_WITH_COMMENTS.replace("/api", "/web"))
    before = {app: (charts / app / "values-dev.yaml").read_text() for app in ("api", "web")}
    result = run(repo_root, "--env", "dev", "--tag", "sha-1a2b3c4", "--charts-dir", str(charts),
                 "--digests", json.dumps({"digest_api": DIGESTS["api"]}))
    assert result.returncode == 2 and "--digests: no digest for web" in result.stderr, result.stderr
    assert {app: (charts / app / "values-dev.yaml").read_text() for app in ("api", "web")} == before


@pytest.mark.parametrize("app", ["api", "web"])
def test_a_promoted_digest_is_the_image_helm_renders_and_drops_the_checkov_skip(repo_root, tmp_path, app):
    import json

    chart = tmp_path / "charts" / app
    shutil.copytree(repo_root / "charts" / app, chart)
    shutil.copytree(repo_root / "charts" / "innovate-lib", tmp_path / "charts" / "innovate-lib")
    result = run(repo_root, "--env", "prod", "--tag", "1.4.0", "--app", app, "--charts-dir", str(tmp_path / "charts"),
                 "--digests", json.dumps(DIGESTS))
    assert result.returncode == 0, result.stderr
    rendered = subprocess.run([str(HELM), "template", app, str(chart), "-f", str(chart / "values-prod.yaml"),
                               "--set", "ingress.enabled=false"], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    workloads = [d for d in yaml.safe_load_all(rendered.stdout) if d and d.get("kind") in ("Deployment", "Job")]
    images = {c["image"] for d in workloads for c in d["spec"]["template"]["spec"]["containers"]}
    assert images == {f"444444444444.dkr.ecr.us-east-1.amazonaws.com/{app}:1.4.0@{DIGESTS[app]}"}
    assert all("checkov.io/skip1" not in (d["metadata"].get("annotations") or {}) for d in workloads)
