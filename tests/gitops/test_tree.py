"""The committed tree: current, buildable by kubectl, valid against the real schemas, fed only by cluster-vars."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from innovate_platform.checks.flux_crds import is_notification, notification_crd_root
from innovate_platform.checks.manifests import validate_documents, variables_in
from innovate_platform.gitops import render_tree, root_kustomization_path, stale_files, write_tree
from innovate_platform.gitops.cli import app as gitops_app
from innovate_platform.gitops.objects import HEADER
from innovate_platform.naming import cluster_var_names

REPO = Path(__file__).resolve().parents[2]
ENVS = ("dev", "staging", "prod")


def test_committed_tree_matches_a_fresh_render(platform):
    assert stale_files(platform, REPO) == [], "run `innovate gitops` and commit gitops/"


def test_render_is_deterministic_and_every_file_carries_the_header(platform, tree):
    assert render_tree(platform, REPO) == tree
    assert all(text.startswith(HEADER) for text in tree.values())


@pytest.mark.parametrize("env", ENVS)
def test_cluster_path_references_only_directories_that_build(env, built, select):
    layers = yaml.safe_load_all(built[(env, "clusters")])
    paths = {k["spec"]["path"] for k in layers}
    assert paths == {f"./gitops/{d}/{env}" for d in ("infrastructure/controllers", "infrastructure/addons", "infrastructure/configs", "apps")}
    for layer in ("infrastructure/controllers", "infrastructure/configs", "apps"):
        assert built[(env, layer)].strip(), f"gitops/{layer}/{env} builds to nothing"
    assert root_kustomization_path(env) == f"./gitops/clusters/{env}"
    assert (REPO / root_kustomization_path(env)).is_dir()


@pytest.mark.parametrize("env", ENVS)
def test_every_object_validates_against_kubernetes_and_crd_schemas(env, objects, platform, tmp_path):
    # Flux's notification objects against the CRDs of the pinned flux2 chart (tests/gitops/test_notifications.py).
    root = notification_crd_root(platform.versions.charts["flux2"], REPO / ".tools" / "bin" / "helm", tmp_path)
    findings = (validate_documents([o for o in objects[env] if not is_notification(o)], platform.versions.kubernetes)
                + validate_documents([o for o in objects[env] if is_notification(o)], platform.versions.kubernetes, root))
    assert [str(f) for f in findings] == []
    kinds = {o["kind"] for o in objects[env]}
    assert {"HelmRelease", "Kustomization", "Namespace", "NetworkPolicy", "Role"} <= kinds


@pytest.mark.parametrize("env", ENVS)
def test_every_substituted_variable_is_a_cluster_vars_key(env, platform, built):
    used = set().union(*(variables_in(text) for (e, _), text in built.items() if e == env))
    assert used, "the tree substitutes nothing from cluster-vars"
    assert used <= set(cluster_var_names(platform, platform.env(env)))


@pytest.mark.parametrize("env", ENVS)
def test_no_numeric_cluster_var_is_substituted(env, built, cluster_vars):
    """Flux substitutes text, so a numeric value (account id, port) would become a YAML number
    where the charts and Kubernetes want a string."""
    used = set().union(*(variables_in(text) for (e, _), text in built.items() if e == env))
    numeric = {k for k, v in cluster_vars[env].items() if v.isdigit()}
    assert numeric >= {"aws_account_id", "db_port"}
    assert not used & numeric


def test_tree_holds_no_bootstrap_objects(objects):
    for env, objs in objects.items():
        for o in objs:
            name = o["metadata"]["name"]
            assert not (o["kind"] in ("GitRepository", "Kustomization") and name == "flux-system"), env
            assert not (o["kind"] == "ConfigMap" and name == "cluster-vars"), env


def _repo_copy(tmp_path: Path) -> Path:
    shutil.copy(REPO / "platform.yaml", tmp_path / "platform.yaml")
    shutil.copytree(REPO / "charts", tmp_path / "charts")
    return tmp_path


def test_stale_files_names_changed_missing_and_extra_files(platform, tmp_path):
    root = _repo_copy(tmp_path)
    write_tree(platform, root)
    assert stale_files(platform, root) == []
    (root / "gitops/apps/dev/api.yaml").write_text("# edited by hand\n")
    (root / "gitops/clusters/prod/apps.yaml").unlink()
    (root / "gitops/apps/dev/extra.yaml").write_text("kind: ConfigMap\n")
    assert stale_files(platform, root) == [
        "gitops/apps/dev/api.yaml",
        "gitops/apps/dev/extra.yaml",
        "gitops/clusters/prod/apps.yaml",
    ]
    write_tree(platform, root)
    assert stale_files(platform, root) == []
    assert not (root / "gitops/apps/dev/extra.yaml").exists()


def test_cli_check_fails_on_a_platform_change_and_render_fixes_it(tmp_path):
    root = _repo_copy(tmp_path)
    config = str(root / "platform.yaml")
    runner = CliRunner()
    assert runner.invoke(gitops_app, ["--config", config]).exit_code == 0
    assert runner.invoke(gitops_app, ["--check", "--config", config]).exit_code == 0

    text = (root / "platform.yaml").read_text().replace("instance_types: [c6i.xlarge, m6i.large, r6a.large]", "instance_types: [c6i.xlarge, m6i.large]")
    (root / "platform.yaml").write_text(text)
    result = runner.invoke(gitops_app, ["--check", "--config", config])
    assert result.exit_code == 1
    assert "gitops/infrastructure/configs/prod/node-pools.yaml" in result.output
    assert "r6a.large" in (root / "gitops/infrastructure/configs/prod/node-pools.yaml").read_text()

    assert runner.invoke(gitops_app, ["--config", config]).exit_code == 0
    assert "r6a.large" not in (root / "gitops/infrastructure/configs/prod/node-pools.yaml").read_text()


def test_cli_reports_config_errors_in_one_line(tmp_path):
    bad = tmp_path / "platform.yaml"
    bad.write_text((REPO / "platform.yaml").read_text().replace("region: us-east-1", "regoin: us-east-1"))
    result = CliRunner().invoke(gitops_app, ["--check", "--config", str(bad)])
    assert result.exit_code == 2
    assert "regoin" in result.output and "Traceback" not in result.output
    missing = CliRunner().invoke(gitops_app, ["--config", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_cli_names_a_missing_chart(tmp_path):
    shutil.copy(REPO / "platform.yaml", tmp_path / "platform.yaml")
    result = CliRunner().invoke(gitops_app, ["--config", str(tmp_path / "platform.yaml")])
    assert result.exit_code == 2
    assert "charts/api" in result.output and "Traceback" not in result.output


def test_verify_tree_passes_the_committed_platform_and_names_seeded_problems(platform, tree, monkeypatch):
    from innovate_platform.gitops import verify

    assert verify.verify_tree(platform, REPO) == []
    bad = dict(tree)
    bad["gitops/apps/dev/broken.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: ${not_a_cluster_var}\n"
    bad["gitops/apps/prod/old.yaml"] = "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: x\nspec: {}\n"
    monkeypatch.setattr(verify, "render_tree", lambda platform, root: bad)
    findings = [str(f) for f in verify.verify_tree(platform, REPO)]
    assert len(findings) == 2
    assert "gitops/apps/dev/broken.yaml" in findings[0] and "not_a_cluster_var" in findings[0]
    assert "gitops/apps/prod/old.yaml" in findings[1] and "not served by Kubernetes 1.35" in findings[1]
