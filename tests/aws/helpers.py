"""Lookups over synthesized templates for the AWS-layer tests."""

from __future__ import annotations

import json


def resources(synthesis, stage: str, resource_type: str) -> list[dict]:
    """Properties of every resource of a type in a stage, each with `_stack` and `_id` added."""
    found = []
    for stack in synthesis.for_stage(stage):
        for logical_id, resource in stack.of_type(resource_type).items():
            found.append({**resource.get("Properties", {}), "_stack": stack.name, "_id": logical_id})
    return found


def one(synthesis, stage: str, resource_type: str) -> dict:
    found = resources(synthesis, stage, resource_type)
    assert len(found) == 1, f"expected one {resource_type} in {stage}, found {len(found)}"
    return found[0]


def statements(synthesis, stage: str, role_name: str) -> list[dict]:
    """Every policy statement attached (inline or via AWS::IAM::Policy) to the named role."""
    roles = {r["_id"]: r for r in resources(synthesis, stage, "AWS::IAM::Role") if r.get("RoleName") == role_name}
    assert roles, f"no role {role_name} in {stage}"
    found = []
    for policy in resources(synthesis, stage, "AWS::IAM::Policy"):
        if any(isinstance(r, dict) and r.get("Ref") in roles for r in policy.get("Roles", [])):
            found += policy["PolicyDocument"]["Statement"]
    return found


def role(synthesis, stage: str, role_name: str) -> dict:
    matches = [r for r in resources(synthesis, stage, "AWS::IAM::Role") if r.get("RoleName") == role_name]
    assert len(matches) == 1, f"expected one role {role_name} in {stage}"
    return matches[0]


def text(value) -> str:
    return json.dumps(value, sort_keys=True)


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]
