"""Reading synthesized CloudFormation: resources by type, references, flattened values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

Templates = dict[str, dict]  # stack name -> template, all stacks of one stage


@dataclass(frozen=True)
class Resource:
    stack: str
    logical_id: str
    type: str
    props: dict
    template: dict

    @property
    def label(self) -> str:
        return f"{self.stack}/{self.logical_id} ({self.type})"


def resources(templates: Templates, *types: str) -> Iterator[Resource]:
    for stack, template in templates.items():
        for logical_id, resource in (template.get("Resources") or {}).items():
            if not types or resource.get("Type") in types:
                yield Resource(stack, logical_id, resource.get("Type", ""), resource.get("Properties") or {}, template)


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


# An AWS managed policy ARN as flatten() renders it: the partition literal, a Ref (<AWS::Partition>) or a
# Fn::Sub token (${AWS::Partition}), and an optional path (job-function/ViewOnlyAccess).
_MANAGED_POLICY = re.compile(r"arn:(?:<[^>]*>|\$\{[^}]*\}|[^:]+):iam::aws:policy/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)")


def managed_policy_name(value: Any) -> str | None:
    """The name of the AWS managed policy an ARN (literal, Fn::Join or Fn::Sub) names, else None."""
    match = _MANAGED_POLICY.fullmatch(flatten(value).strip())
    return match["name"] if match else None


def flatten(value: Any) -> str:
    """A reference as text, e.g. `<KeyId.Arn>` or `arn:<AWS::Partition>:iam::...:role/*`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return f"<{'.'.join(target) if isinstance(target, list) else target}>"
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return delimiter.join(flatten(i) for i in items)
        if "Fn::Sub" in value:
            return flatten(value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0])
        if "Fn::ImportValue" in value:
            return f"<import {flatten(value['Fn::ImportValue'])}>"
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def ref_target(value: Any) -> str | None:
    """The logical id a Ref or GetAtt points at."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return target[0] if isinstance(target, list) else str(target).split(".")[0]
    return None


def resolve_import(templates: Templates, value: Any) -> tuple[str, str] | None:
    """(stack, logical id) behind a Ref in the same stack's sense or an Fn::ImportValue of another stack's export."""
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        name = value["Fn::ImportValue"]
        for stack, template in templates.items():
            for output in (template.get("Outputs") or {}).values():
                if (output.get("Export") or {}).get("Name") == name:
                    target = ref_target(output.get("Value"))
                    return (stack, target) if target else None
    return None


def policy_documents(templates: Templates) -> Iterator[tuple[Resource, str, dict]]:
    """Every identity policy document: (resource, field path, document)."""
    for res in resources(templates, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        yield res, "Properties.PolicyDocument", res.props.get("PolicyDocument") or {}
    for res in resources(templates, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
        for i, policy in enumerate(as_list(res.props.get("Policies"))):
            yield res, f"Properties.Policies[{i}].PolicyDocument", (policy or {}).get("PolicyDocument") or {}


def statements(document: dict) -> Iterator[tuple[int, dict]]:
    for i, statement in enumerate(as_list(document.get("Statement"))):
        if isinstance(statement, dict):
            yield i, statement
