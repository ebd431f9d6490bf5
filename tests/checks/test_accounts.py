"""Accounts in one place: changing an account in platform.yaml alone is flagged by `innovate check`
in every file still holding the old account, and `innovate context` rewrites cdk.context.json."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from innovate_platform.checks.accounts import account_findings
from innovate_platform.cli import app
from innovate_platform.config import load_platform

ROOT = Path(__file__).resolve().parents[2]


def checkout(tmp_path: Path, replace: tuple[str, str] | None = None) -> Path:
    """The files the accounts check reads, with platform.yaml edited by `replace`."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / ".github" / "workflows", root / ".github" / "workflows")
    for values in (ROOT / "charts").glob("*/values*.yaml"):
        (root / values.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(values, root / values.relative_to(ROOT))
    shutil.copy(ROOT / "cdk.context.json", root / "cdk.context.json")
    text = (ROOT / "platform.yaml").read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    (root / "platform.yaml").write_text(text)
    return root


def test_the_shipped_files_agree_with_platform_yaml():
    assert list(account_findings(load_platform(ROOT / "platform.yaml"), ROOT)) == []


def test_a_new_dev_account_flags_every_file_that_holds_the_old_one(tmp_path):
    root = checkout(tmp_path, ('account: "111111111111"', 'account: "555555555555"'))
    text = (root / "platform.yaml").read_text().replace("arn:aws:iam::111111111111:", "arn:aws:iam::555555555555:")
    (root / "platform.yaml").write_text(text)
    findings = list(account_findings(load_platform(root / "platform.yaml"), root))
    files = {f.resource for f in findings}
    assert {".github/workflows/infra.yml", "charts/api/values-dev.yaml", "charts/web/values-dev.yaml",
            "cdk.context.json"} <= files
    assert not any("staging" in f or "prod" in f for f in files)
    infra = [f for f in findings if f.resource == ".github/workflows/infra.yml"]
    assert any("environments.dev.account is 555555555555" in f.message for f in infra)
    result = CliRunner().invoke(app, ["check", "--only", "accounts", "--env", "shared", "-c", str(root / "platform.yaml")])
    assert result.exit_code == 1 and "infra.yml" in result.output and "Traceback" not in result.output


def test_a_new_shared_account_flags_the_registry_and_the_push_role(tmp_path):
    root = checkout(tmp_path, ('account: "444444444444"', 'account: "666666666666"'))
    findings = list(account_findings(load_platform(root / "platform.yaml"), root))
    assert {"charts/api/values.yaml", "charts/web/values.yaml", ".github/workflows/images.yml"} <= {f.resource for f in findings}
    assert any("ECR registry account 444444444444" in f.message for f in findings)


def test_a_new_region_flags_the_workflows(tmp_path):
    root = checkout(tmp_path, ("region: us-east-1", "region: eu-west-1"))
    text = (root / "platform.yaml").read_text().replace("us-east-1a, us-east-1b, us-east-1c", "eu-west-1a, eu-west-1b, eu-west-1c")
    (root / "platform.yaml").write_text(text)
    findings = list(account_findings(load_platform(root / "platform.yaml"), root))
    assert any(f.resource == ".github/workflows/infra.yml" and "region us-east-1" in f.message for f in findings)


def test_innovate_context_writes_the_zones_of_a_new_account(tmp_path):
    root = checkout(tmp_path, ('account: "111111111111"', 'account: "555555555555"'))
    config = str(root / "platform.yaml")
    stale = CliRunner().invoke(app, ["context", "--check", "-c", config])
    assert stale.exit_code == 1 and "account=555555555555" in stale.output and "account=111111111111" in stale.output
    assert CliRunner().invoke(app, ["context", "-c", config]).exit_code == 0
    context = (root / "cdk.context.json").read_text()
    assert "availability-zones:account=555555555555:region=us-east-1" in context and "111111111111" not in context
    assert CliRunner().invoke(app, ["context", "--check", "-c", config]).exit_code == 0


def test_synthesis_takes_the_zones_from_platform_yaml_not_the_cached_lookup(tmp_path):
    from innovate_platform.config import parse_platform
    from innovate_platform.config.zones import zone_context

    text = (ROOT / "platform.yaml").read_text().replace('account: "111111111111"', 'account: "555555555555"')
    platform = parse_platform(text.replace("arn:aws:iam::111111111111:", "arn:aws:iam::555555555555:"))
    assert zone_context(platform)["availability-zones:account=555555555555:region=us-east-1"] == [
        "us-east-1a", "us-east-1b", "us-east-1c"]


def test_a_misspelt_ci_role_is_named(tmp_path):
    root = checkout(tmp_path)
    infra = root / ".github" / "workflows" / "infra.yml"
    infra.write_text(infra.read_text().replace("role/innovate-prod-github-deploy", "role/innovate-prod-github-deployer"))
    findings = list(account_findings(load_platform(root / "platform.yaml"), root))
    assert [f.resource for f in findings] == [".github/workflows/infra.yml"]
    assert "innovate-prod-github-deployer is not a role the platform creates" in findings[0].message


def test_an_old_account_at_the_end_of_a_bucket_name_is_named(tmp_path):
    root = checkout(tmp_path, ('account: "111111111111"', 'account: "555555555555"'))
    text = (root / "platform.yaml").read_text().replace("arn:aws:iam::111111111111:", "arn:aws:iam::555555555555:")
    (root / "platform.yaml").write_text(text)
    values = root / "charts" / "api" / "values-dev.yaml"
    values.write_text(values.read_text().replace("111111111111", "555555555555").replace(
        "S3_BUCKET: innovate-dev-api-555555555555", "S3_BUCKET: innovate-dev-api-111111111111"))
    found = [(f.resource, f.message) for f in account_findings(load_platform(root / "platform.yaml"), root)
             if "values-dev.yaml" in f.resource]
    assert found and all("111111111111" in message for _, message in found), found
