"""`controller-iam`: the synthesized controller roles against the controllers' published policies."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from innovate_platform.checks import controller_iam
from innovate_platform.checks.inputs import CheckInputs
from innovate_platform.checks.model import ERROR, NOTE
from innovate_platform.naming import KARPENTER, LOAD_BALANCER_CONTROLLER

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gitops_objects(platform, tmp_path_factory):
    inputs = CheckInputs(platform, ROOT, ("dev", "staging", "prod"), workdir=tmp_path_factory.mktemp("check"))
    try:
        return {env: [o for f in inputs.gitops().for_env(env) for o in f.objects()] for env in ("dev", "staging", "prod")}
    finally:
        inputs.close()


def findings(platform, templates, objects, env, account):
    label, grants = controller_iam.granted(templates, account.role_name(platform.env(env)))
    wanted = controller_iam.published(account.key, platform.versions.charts[account.key])
    return controller_iam.role_findings(env, account.key, label, grants, wanted, controller_iam.helm_values(objects, account.key))


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_shipped_roles_grant_every_published_action_of_an_enabled_feature(synthesis, platform, gitops_objects, env):
    """Fails on the role Karpenter shipped with: ec2:DescribeInstanceStatus (and DescribePlacementGroups) missing."""
    templates = synthesis.templates(env)
    for account in (KARPENTER, LOAD_BALANCER_CONTROLLER):
        errors = [f for f in findings(platform, templates, gitops_objects[env], env, account) if f.severity == ERROR]
        assert errors == [], account.key


def test_the_deliberate_omission_is_a_note_with_its_reason(synthesis, platform, gitops_objects):
    notes = findings(platform, synthesis.templates("prod"), gitops_objects["prod"], "prod", KARPENTER)
    assert [(f.field, f.severity) for f in notes] == [("arc-zonal-shift:GetManagedResource", NOTE)]
    assert "settings.enableZonalShift" in notes[0].message


def _without(templates: dict, action: str) -> dict:
    out = copy.deepcopy(templates)
    for template in out.values():
        for resource in template.get("Resources", {}).values():
            for statement in (resource.get("Properties", {}).get("PolicyDocument") or {}).get("Statement", []):
                if isinstance(statement.get("Action"), list) and action in statement["Action"]:
                    statement["Action"].remove(action)
    return out


def test_a_missing_controller_action_is_named(synthesis, platform, gitops_objects):
    templates = _without(synthesis.templates("prod"), "ec2:DescribeInstanceStatus")
    errors = [f for f in findings(platform, templates, gitops_objects["prod"], "prod", KARPENTER) if f.severity == ERROR]
    assert [(f.env, f.field) for f in errors] == [("prod", "ec2:DescribeInstanceStatus")]
    assert "KarpenterControllerRole" in errors[0].resource and "AccessDenied" in errors[0].message


def test_turning_a_feature_on_makes_its_missing_action_an_error(synthesis, platform, gitops_objects):
    objects = copy.deepcopy(gitops_objects["prod"])
    release = next(o for o in objects if o.get("kind") == "HelmRelease" and o["metadata"]["name"] == "karpenter")
    release["spec"]["values"]["settings"]["enableZonalShift"] = True
    errors = [f for f in findings(platform, synthesis.templates("prod"), objects, "prod", KARPENTER) if f.severity == ERROR]
    assert [f.field for f in errors] == ["arc-zonal-shift:GetManagedResource"]


def test_published_actions_come_from_the_controller_policies_only(platform):
    karpenter = controller_iam.published("karpenter", platform.versions.charts["karpenter"])
    assert {"ec2:DescribeInstanceStatus", "ec2:RunInstances", "iam:PassRole", "sqs:ReceiveMessage"} <= karpenter
    assert "sqs:SendMessage" not in karpenter and "sts:AssumeRole" not in karpenter  # queue policy, node role trust
    lbc = controller_iam.published("aws-load-balancer-controller", platform.versions.charts["aws-load-balancer-controller"])
    assert "elasticloadbalancing:RegisterTargets" in lbc and "waf-regional:GetWebACL" in lbc
