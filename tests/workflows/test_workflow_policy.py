"""The workflows' security and release policy, read from the parsed YAML.

Each rule is a function returning findings, run on the real workflows (no findings) and on a
small workflow that breaks it (the finding names the job), so a rule cannot pass by accident.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from innovate_platform.checks.pr_tokens import job_environments, pull_request_environments
from innovate_platform.naming import GITHUB_ENVIRONMENTS, PROTECTED_DIFF_STAGES, diff_environment

SHA_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
PINNED_LINE = re.compile(r"uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s*v?\d+(\.\d+)*\s*")
STATIC_CREDENTIALS = ("aws-access-key-id", "aws-secret-access-key", "AWS_SECRET_ACCESS_KEY",
                      "AWS_ACCESS_KEY_ID", "secrets.AWS_")
CONFIGURE_AWS = "aws-actions/configure-aws-credentials@"
GITHUB_ENVIRONMENT = {"dev": "dev", "staging": "staging", "prod": "production"}
DIFF_ENVIRONMENTS = ("production-diff", "shared-diff")  # pull-request diffs of prod and shared
KNOWN_ENVIRONMENTS = (*GITHUB_ENVIRONMENT.values(), *DIFF_ENVIRONMENTS)
DEPLOY_RUN = re.compile(r"innovate deploy --env (\w+)")


def _steps(doc: dict) -> list[tuple[str, dict]]:
    """(job id, step) for every step of a workflow or a composite action."""
    if "runs" in doc:
        return [("(composite)", step) for step in doc["runs"].get("steps", [])]
    return [(job_id, step) for job_id, job in doc.get("jobs", {}).items() for step in job.get("steps", [])]


def _uses(doc: dict) -> list[tuple[str, str]]:
    found = [(job_id, step["uses"]) for job_id, step in _steps(doc) if "uses" in step]
    found += [(job_id, job["uses"]) for job_id, job in doc.get("jobs", {}).items() if "uses" in job]
    return found


def unpinned_uses(doc: dict) -> list[str]:
    return [f"{job}: {ref}" for job, ref in _uses(doc)
            if not ref.startswith("./") and not SHA_PINNED.match(ref)]


def id_token_findings(doc: dict) -> list[str]:
    findings = []
    if "id-token" in (doc.get("permissions") or {}):
        findings.append("workflow: id-token at the top level")
    for job_id, job in doc.get("jobs", {}).items():
        assumes_role = any(step.get("uses", "").startswith(CONFIGURE_AWS) for step in job.get("steps", []))
        grants = (job.get("permissions") or {}).get("id-token") == "write"
        if grants and not assumes_role:
            findings.append(f"{job_id}: id-token: write without configure-aws-credentials")
        if assumes_role and not grants:
            findings.append(f"{job_id}: configure-aws-credentials without id-token: write")
    return findings


def permission_findings(doc: dict) -> list[str]:
    if "runs" in doc:  # a composite action runs with its caller's permissions
        return []
    findings = []
    top = doc.get("permissions")
    if top not in ({}, {"contents": "read"}):
        findings.append(f"workflow: top-level permissions {top!r}, want {{}} or contents: read")
    for job_id, job in doc.get("jobs", {}).items():
        perms = job.get("permissions")
        if not isinstance(perms, dict):
            findings.append(f"{job_id}: no explicit permissions mapping")
            continue
        for scope, level in perms.items():
            allowed = (scope == "contents" and (level == "read" or _promotes(job))) or (
                scope == "id-token" and level == "write")
            if not allowed:
                findings.append(f"{job_id}: {scope}: {level}")
    return findings


def _promotes(job: dict) -> bool:
    return any(step.get("uses") == "./.github/actions/promote" for step in job.get("steps", []))


def target_environments(job: dict) -> set[str]:
    """The platform environments (dev, staging, prod) a job deploys or promotes to."""
    targets = set()
    for step in job.get("steps", []):
        if step.get("uses") == "./.github/actions/promote":
            targets.add(step["with"]["environment"])
        targets.update(DEPLOY_RUN.findall(step.get("run", "")))
    return targets


def environment_findings(doc: dict) -> list[str]:
    findings = []
    for job_id, job in doc.get("jobs", {}).items():
        names = job_environments(job) or [None]
        name = names[0] if len(names) == 1 else names
        for target in target_environments(job):
            want = GITHUB_ENVIRONMENT[target]
            if target == "prod" and name != want:
                findings.append(f"{job_id}: changes prod without environment: production (has {name!r})")
            elif name is not None and name != want:
                findings.append(f"{job_id}: changes {target} under environment {name!r}")
        findings += [f"{job_id}: unknown environment {n!r}" for n in names if n is not None and n not in KNOWN_ENVIRONMENTS]
    return findings


def concurrency_findings(doc: dict) -> list[str]:
    findings = []
    for job_id, job in doc.get("jobs", {}).items():
        for target in target_environments(job):
            concurrency = job.get("concurrency")
            group = concurrency.get("group", "") if isinstance(concurrency, dict) else str(concurrency or "")
            if target not in group or "${{" in group:
                findings.append(f"{job_id}: concurrency group {group!r} does not name {target}")
            elif not isinstance(concurrency, dict) or concurrency.get("cancel-in-progress") is not False:
                findings.append(f"{job_id}: a running {target} deploy could be cancelled")
    return findings


def inline_expression_findings(doc: dict) -> list[str]:
    """`${{ }}` inside run: is a script-injection path; values go through env: instead."""
    return [f"{job}: {step.get('name') or step['run'].splitlines()[0]}"
            for job, step in _steps(doc) if "run" in step and "${{" in step["run"]]


RULES = [unpinned_uses, id_token_findings, permission_findings, environment_findings,
         concurrency_findings, inline_expression_findings]

BAD_WORKFLOW = """
on: push
permissions: write-all
jobs:
  deploy-prod:
    runs-on: ubuntu-24.04
    permissions: {contents: write, id-token: write}
    concurrency: deploy
    steps:
      - uses: actions/checkout@v4
      - run: echo ${{ github.event.head_commit.message }}
      - run: .venv/bin/innovate deploy --env prod
  lint:
    runs-on: ubuntu-24.04
    permissions: {id-token: write}
    steps:
      - uses: aws-actions/configure-aws-credentials@main
"""


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_every_workflow_and_action_obeys(rule, workflows, action_files):
    documents = dict(workflows)
    documents.update({str(p.parent.name): yaml.safe_load(p.read_text()) for p in action_files})
    findings = {name: rule(doc) for name, doc in documents.items()}
    assert {name: f for name, f in findings.items() if f} == {}


def test_each_rule_finds_its_violation():
    doc = yaml.safe_load(BAD_WORKFLOW)
    doc["on"] = doc.pop(True)
    assert unpinned_uses(doc) == ["deploy-prod: actions/checkout@v4",
                                  "lint: aws-actions/configure-aws-credentials@main"]
    assert id_token_findings(doc) == ["deploy-prod: id-token: write without configure-aws-credentials"]
    assert "deploy-prod: contents: write" in permission_findings(doc)
    assert environment_findings(doc) == ["deploy-prod: changes prod without environment: production (has None)"]
    assert concurrency_findings(doc) == ["deploy-prod: concurrency group 'deploy' does not name prod"]
    assert inline_expression_findings(doc) == ["deploy-prod: echo ${{ github.event.head_commit.message }}"]


def test_third_party_actions_carry_their_version(workflow_files, action_files):
    """A SHA alone is unreadable: each pinned line names the release it is."""
    for path in [*workflow_files, *action_files]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "uses:" in line and "./" not in line:
                assert PINNED_LINE.search(line), f"{path.name}:{number}: {line.strip()}"


def test_no_static_aws_credentials_or_pull_request_target(workflow_files, action_files):
    for path in [*workflow_files, *action_files]:
        text = path.read_text()
        assert [c for c in STATIC_CREDENTIALS if c in text] == [], path.name
        assert "pull_request_target" not in text, path.name


def test_prod_is_changed_only_behind_the_production_environment(workflows):
    prod_jobs = {(name, job_id): job.get("environment") for name, doc in workflows.items()
                 for job_id, job in doc["jobs"].items() if "prod" in target_environments(job)}
    assert prod_jobs == {("images.yml", "promote-prod"): "production",
                         ("infra.yml", "deploy-prod"): "production"}


def test_images_build_on_main_and_version_tags_only(workflows):
    trigger = workflows["images.yml"]["on"]
    assert set(trigger) == {"push"}
    assert trigger["push"] == {"branches": ["main"], "tags": ["v*"]}


def test_images_are_pushed_with_provenance_sbom_cache_and_a_critical_scan(workflows):
    steps = workflows["images.yml"]["jobs"]["image"]["steps"]
    build = next(s["with"] for s in steps if s.get("uses", "").startswith("docker/build-push-action@"))
    assert (build["push"], build["provenance"], build["sbom"]) == (True, "mode=max", True)
    assert build["cache-from"].startswith("type=gha") and build["cache-to"].startswith("type=gha")
    assert build["tags"] == "${{ steps.meta.outputs.tags }}"
    meta = next(s for s in steps if s.get("id") == "meta")
    assert "scripts/image_tags.py" in meta["run"]
    scan = next(s["with"] for s in steps if s.get("uses", "").startswith("aquasecurity/trivy-action@"))
    assert (scan["severity"], scan["exit-code"]) == ("CRITICAL", "1")
    assert scan["image-ref"].endswith("@${{ steps.build.outputs.digest || steps.retag.outputs.digest }}")
    assert re.fullmatch(r"v\d+\.\d+\.\d+", scan["version"])


def test_release_tags_retag_the_image_built_on_main_instead_of_rebuilding(workflows):
    """sha-* and X.Y.Z are immutable in ECR: a tag build must not push sha-* a second time."""
    steps = workflows["images.yml"]["jobs"]["image"]["steps"]
    build = next(s for s in steps if s.get("uses", "").startswith("docker/build-push-action@"))
    retag = next(s for s in steps if s.get("id") == "retag")
    assert build["if"] == "needs.plan.outputs.promote_to == 'dev'"
    assert retag["if"] == "needs.plan.outputs.promote_to != 'dev'"
    assert "docker buildx imagetools create" in retag["run"]
    assert '"${IMAGE}:${SHA_TAG}"' in retag["run"]


def test_promotions_follow_the_images_and_their_channel(workflows):
    jobs = workflows["images.yml"]["jobs"]
    for job_id, env in (("promote-dev", "dev"), ("promote-staging", "staging"), ("promote-prod", "prod")):
        job = jobs[job_id]
        assert set(job["needs"]) == {"plan", "image"}
        assert job["if"] == f"needs.plan.outputs.promote_to == '{env}'"
        assert target_environments(job) == {env}


def test_promotions_write_the_digest_each_app_was_pushed_as(workflows):
    """Every app of the matrix has its own digest output (matrix outputs of distinct names are
    combined), and every promotion hands them all to scripts/promote.py (image.digest)."""
    jobs = workflows["images.yml"]["jobs"]
    image = jobs["image"]
    apps = image["strategy"]["matrix"]["app"]
    assert image["outputs"] == {f"digest_{app}": f"${{{{ steps.digest.outputs.digest_{app} }}}}" for app in apps}
    step = next(s for s in image["steps"] if s.get("id") == "digest")
    assert step["env"]["DIGEST"] == "${{ steps.build.outputs.digest || steps.retag.outputs.digest }}"
    assert 'echo "digest_${APP}=${DIGEST}" >> "$GITHUB_OUTPUT"' in step["run"]
    for job_id in ("promote-dev", "promote-staging", "promote-prod"):
        promote = next(s for s in jobs[job_id]["steps"] if s.get("uses") == "./.github/actions/promote")
        assert promote["with"]["digests"] == "${{ toJSON(needs.image.outputs) }}"


def test_infra_diffs_every_account_and_deploys_in_order(workflows, repo_root: Path):
    from innovate_platform.config import load_platform

    platform = load_platform(repo_root / "platform.yaml")  # the accounts come from platform.yaml
    expected = {"shared": platform.shared.account, **{n: e.account for n, e in platform.environments.items()}}
    jobs = workflows["infra.yml"]["jobs"]
    accounts = {}
    for job_id in ("diff", "diff-protected"):
        diff = jobs[job_id]
        accounts |= {row["env"]: row["account"] for row in diff["strategy"]["matrix"]["include"]}
        role = next(s["with"]["role-to-assume"] for s in diff["steps"] if CONFIGURE_AWS in s.get("uses", ""))
        assert role == "arn:aws:iam::${{ matrix.account }}:role/innovate-${{ matrix.env }}-github-diff"
    assert accounts == expected
    # Their roles trust only their own diff environment (naming.diff_role_subjects), never production.
    rows = jobs["diff-protected"]["strategy"]["matrix"]["include"]
    assert {row["env"]: row["github_environment"] for row in rows} == {
        stage: diff_environment(stage) for stage in PROTECTED_DIFF_STAGES}
    assert jobs["diff-protected"]["environment"] == "${{ matrix.github_environment }}"
    assert sorted(job_environments(jobs["diff-protected"])) == ["production-diff", "shared-diff"]
    assert "environment" not in jobs["diff"]
    assert jobs["deploy-staging"]["needs"] == "deploy-dev"
    assert jobs["deploy-prod"]["needs"] == "deploy-staging"
    for env, account in ((n, expected[n]) for n in ("dev", "staging", "prod")):
        steps = jobs[f"deploy-{env}"]["steps"]
        role = next(s["with"]["role-to-assume"] for s in steps if CONFIGURE_AWS in s.get("uses", ""))
        assert role == f"arn:aws:iam::{account}:role/innovate-{env}-github-deploy"


def test_ci_runs_the_offline_gate_and_keeps_the_templates(workflows, repo_root: Path):
    ci = workflows["ci.yml"]
    assert set(ci["on"]) == {"pull_request", "push"} and ci["on"]["push"]["branches"] == ["main"]
    assert ci["permissions"] == {"contents": "read"}
    steps = ci["jobs"]["test"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    for command in ("make test", ".venv/bin/innovate gitops --check",
                    ".venv/bin/innovate synth --env all --out cdk.out"):
        assert command in runs
    upload = next(s["with"] for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["path"] == "cdk.out"
    caches = {s["with"]["path"]: s["with"]["key"] for s in steps if s.get("uses", "").startswith("actions/cache@")}
    assert "hashFiles('requirements.lock'" in caches["~/.cache/pip"]
    assert "package-lock.json" in caches["~/.npm"] and "apps/web/package-lock.json" in caches["~/.npm"]
    for lock in ("requirements.lock", "package-lock.json"):
        assert (repo_root / lock).is_file(), f"the cache key hashes {lock}, which must exist"


def test_every_image_in_the_matrix_has_its_dockerfile_and_chart(workflows, repo_root: Path):
    apps = workflows["images.yml"]["jobs"]["image"]["strategy"]["matrix"]["app"]
    assert sorted(apps) == ["api", "web"]
    for app in apps:
        assert (repo_root / "apps" / app / "Dockerfile").is_file(), f"apps/{app}/Dockerfile"
        for env in ("dev", "staging", "prod"):
            assert (repo_root / "charts" / app / f"values-{env}.yaml").is_file(), f"charts/{app}/values-{env}.yaml"


def test_the_diff_environments_are_the_ones_naming_derives():
    assert DIFF_ENVIRONMENTS == tuple(diff_environment(stage) for stage in PROTECTED_DIFF_STAGES)
    assert GITHUB_ENVIRONMENT == GITHUB_ENVIRONMENTS


def test_no_pull_request_job_runs_in_an_environment_that_deploys(repo_root: Path):
    """A pull request's job in `production` would get the token the prod deploy role trusts."""
    reached = sorted(set(env for env, _ in pull_request_environments(repo_root)))
    assert reached == ["production-diff", "shared-diff"]
    assert not set(reached) & set(GITHUB_ENVIRONMENTS.values())
