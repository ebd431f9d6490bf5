"""Tenancy rules of platform.yaml: reserved and invalid team namespaces, apps outside their team's
namespaces and quotas the cluster cannot hold are refused with the field and the fix; the
reserved list covers every namespace the platform itself renders into."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from innovate_platform.config import ConfigError, load_platform, parse_platform
from innovate_platform.config.tenancy import app_capacity_allocatable, reserved_reason, team_quotas
from innovate_platform.gitops import render_tree

ROOT = Path(__file__).resolve().parents[2]
from .edits import EXAMPLE, mutated, rejection  # noqa: E402


def data_namespaces(env: str, namespaces: list[str]):
    def change(d):
        d["environments"][env]["teams"][1]["namespaces"] = namespaces
    return change


@pytest.mark.parametrize("name", ["kube-system", "kube-public", "flux-system", "karpenter", "keda", "default", "innovate-sleep"])
def test_a_reserved_or_platform_namespace_is_refused_for_a_team(name):
    message = rejection(data_namespaces("dev", [name]))
    assert "environments.dev.teams.1.namespaces:" in message and f"'{name}'" in message
    assert "give the team its own namespace, e.g. 'team-" in message
    assert message.count("\n") == 0


@pytest.mark.parametrize("name,suggestion", [("Analytics", "analytics"), ("data_lake", "data-lake"), ("-data", "data"), ("a" * 64, "a" * 63)])
def test_a_namespace_that_is_not_a_dns_label_is_refused_with_a_valid_name(name, suggestion):
    message = rejection(data_namespaces("prod", [name]))
    assert "environments.prod.teams.1.namespaces:" in message and "DNS-1123 label" in message
    assert f"use e.g. '{suggestion}'" in message


def test_a_namespace_owned_by_two_teams_is_refused():
    message = rejection(data_namespaces("staging", ["analytics", "api"]))
    assert "a namespace belongs to one team only" in message


def test_an_app_in_a_namespace_its_team_does_not_own_is_refused():
    def change(d):
        d["apps"][1]["namespace"] = "analytics"
    message = rejection(change)
    assert "apps.1.namespace: 'analytics' (owned by team data in environments.dev) is not a namespace of team core (api, web)" in message
    assert "add it to that team's namespaces or move the app" in message


def test_quotas_the_app_capacity_cannot_hold_are_refused():
    def change(d):
        d["environments"]["staging"]["teams"][0]["quota"] = {"cpu": 50, "memory_gib": 8}
    message = rejection(change)
    assert "environments.staging: teams[].quota asks for" in message and "the app capacity holds" in message
    assert "lower the quotas or raise max_size" in message


def test_default_quotas_split_the_real_allocatable_capacity_between_teams():
    platform = load_platform(ROOT / "platform.yaml")
    for env in platform.environments.values():
        cpu, memory = app_capacity_allocatable(env)
        quotas = team_quotas(env)
        assert set(quotas) == {t.name for t in env.teams}
        assert sum(c for c, _ in quotas.values()) <= cpu and sum(m for _, m in quotas.values()) <= memory
    # staging: 3 x t3.large at most; allocatable is below 3 x 2 vCPU and 3 x 8 GiB.
    cpu, memory = app_capacity_allocatable(platform.env("staging"))
    assert 5_000 < cpu < 6_000 and 18_000 < memory < 3 * 8 * 1024


def test_an_explicit_quota_leaves_the_rest_to_the_other_teams():
    def change(d):
        d["environments"]["staging"]["teams"][0]["quota"] = {"cpu": 4, "memory_gib": 12}
    platform = parse_platform(mutated(change))
    env = platform.env("staging")
    cpu, memory = app_capacity_allocatable(env)
    assert team_quotas(env) == {"core": (4000, 12 * 1024), "data": (cpu - 4000, memory - 12 * 1024)}


def test_the_cli_names_the_field_and_exits_2_without_a_traceback(tmp_path):
    bad = tmp_path / "platform.yaml"
    bad.write_text(mutated(data_namespaces("prod", ["kube-system"])))
    innovate = Path(sys.executable).parent / "innovate"
    result = subprocess.run([str(innovate), "config", "validate", "--config", str(bad)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr + result.stdout
    assert "environments.prod.teams.1.namespaces" in result.stderr + result.stdout


def test_every_namespace_the_platform_renders_outside_tenants_is_reserved():
    platform = load_platform(ROOT / "platform.yaml")
    tenants = {ns for env in platform.environments.values() for t in env.teams for ns in t.namespaces}
    rendered = set()
    for text in render_tree(platform, ROOT).values():
        for doc in yaml.safe_load_all(text):
            meta = (doc or {}).get("metadata") or {}
            if doc and doc.get("kind") == "Namespace":
                rendered.add(meta["name"])
            elif meta.get("namespace"):
                rendered.add(meta["namespace"])
    platform_namespaces = rendered - tenants
    assert {"kube-system", "flux-system", "innovate-sleep"} <= platform_namespaces  # keda only where an app uses it
    assert [ns for ns in sorted(platform_namespaces) if reserved_reason(ns) is None] == []


def test_the_tenancy_doc_shows_each_teams_quota_as_rendered():
    platform = load_platform(ROOT / "platform.yaml")
    doc = (ROOT / "docs" / "tenancy.md").read_text()
    for env in platform.environments.values():
        cpu, memory = app_capacity_allocatable(env)
        shares = team_quotas(env)
        core, data = (shares[t.name] for t in env.teams)
        row = (f"| {env.name} | {cpu / 1000:.1f} / {memory / 1024:.1f} GiB | {core[0] // 2 / 1000:.1f} CPU / "
               f"{core[1] // 2 / 1024:.1f} GiB | {data[0] / 1000:.1f} CPU / {data[1] / 1024:.1f} GiB |")
        assert row in doc
    for team in platform.env("prod").teams:
        assert f"| `{team.name}` |" in doc and f"`{team.ingress}`" in doc


def test_an_ingress_grant_to_a_team_owning_an_exposed_apps_namespace_is_refused():
    # Its Ingress write there would reach the shared internet-facing class's group (a hijack of
    # the API's hosts and paths), whatever class the grant names.
    def change(d):
        d["environments"]["prod"]["teams"][0]["ingress"] = "internal"
    message = rejection(change)
    assert "environments.prod.teams" in message and "exposed app" in message and "core" in message
