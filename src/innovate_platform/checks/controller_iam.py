"""`controller-iam`: the actions the synthesized controller roles grant against the controllers' own
published policies (`../shared/upstream-policies`, or $INNOVATE_POLICIES), at the versions
`platform.yaml` pins: Karpenter's getting-started CloudFormation (its `KarpenterController*`
managed policies) and the AWS Load Balancer Controller's `iam_policy.json`.

A published action the role does not grant is an error, unless the controller calls it only for a
feature that is off in the controller's HelmRelease values (`FEATURES`): then it is a note giving
the feature and why it is off. Turning the feature on turns the note into an error. Extra actions
and tighter resources or conditions are ours to choose and are not compared here
(`platform-security` judges them).
"""

from __future__ import annotations

import fnmatch
import json
import os
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from ..naming import KARPENTER, LOAD_BALANCER_CONTROLLER
from ..upstream.cache import package_name, shared_packages_dir
from . import cfn
from .inputs import PROJECT_ROOT, CheckInputs
from .model import NOTE, Check, CheckUnavailable, Finding

POLICIES_ENV = "INNOVATE_POLICIES"


@dataclass(frozen=True)
class Feature:
    """Actions a controller calls only when a HelmRelease value turns a feature on."""

    patterns: tuple[str, ...]  # published actions (fnmatch) that belong to the feature
    value: str  # dotted path in the HelmRelease values
    on: Callable[[Any], bool]  # whether the (possibly missing) value turns it on
    what: str


FEATURES: dict[str, tuple[Feature, ...]] = {
    "karpenter": (
        Feature(("arc-zonal-shift:*",), "settings.enableZonalShift", lambda v: v is True,
                "zonal shift awareness (chart default false: Karpenter ignores ARC zonal shifts)"),
        Feature(("sqs:*",), "settings.interruptionQueue", lambda v: bool(v), "interruption handling"),
    ),
    "aws-load-balancer-controller": (
        # The controller's flags default to true when the chart leaves them unset.
        Feature(("waf-regional:*",), "enableWaf", lambda v: v is not False, "WAF Classic web ACLs"),
        Feature(("wafv2:*",), "enableWafv2", lambda v: v is not False, "WAFv2 web ACLs"),
        Feature(("shield:*",), "enableShield", lambda v: v is not False, "Shield Advanced protection"),
    ),
}


def policy_dir() -> Path:
    return Path(os.environ.get(POLICIES_ENV) or PROJECT_ROOT.parent / "shared" / "upstream-policies")


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Sub, !Ref, ...) read as plain values."""


_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
    else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else loader.construct_mapping(node)))


def _actions(statements: Any) -> set[str]:
    out = set()
    for statement in cfn.as_list(statements):
        if isinstance(statement, dict) and statement.get("Effect", "Allow") == "Allow":
            out |= {str(a) for a in cfn.as_list(statement.get("Action"))}
    return out


@lru_cache(maxsize=8)
def karpenter_actions(path: str) -> frozenset[str]:
    """Every action of the `KarpenterController*` managed policies of Karpenter's CloudFormation."""
    doc = yaml.load(Path(path).read_text(), Loader=_CfnLoader)
    out: set[str] = set()
    for resource in (doc.get("Resources") or {}).values():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::IAM::ManagedPolicy" and "KarpenterController" in str(props.get("ManagedPolicyName")):
            policy = props["PolicyDocument"]
            out |= _actions((json.loads(policy) if isinstance(policy, str) else policy).get("Statement"))
    return frozenset(out)


@lru_cache(maxsize=8)
def iam_policy_actions(path: str) -> frozenset[str]:
    return frozenset(_actions(json.loads(Path(path).read_text()).get("Statement")))


def app_version(chart: str, version: str, charts: Path | None = None) -> str:
    """The controller version a chart version installs (its package's appVersion in the chart
    cache `charts`), else the chart version."""
    package = (charts or shared_packages_dir()) / package_name(chart, version)
    if package.is_file():
        with tarfile.open(package) as tar:
            member = next((m for m in tar.getmembers() if m.name == f"{chart}/Chart.yaml"), None)
            if member is not None:
                return str(yaml.safe_load(tar.extractfile(member).read()).get("appVersion") or version).lstrip("v")
    return version.lstrip("v")


def published(controller: str, chart_version: str, charts: Path | None = None) -> frozenset[str]:
    version = app_version(controller, chart_version, charts)
    if controller == "karpenter":
        path, read = policy_dir() / f"karpenter-v{version}-cloudformation.yaml", karpenter_actions
    else:
        path, read = policy_dir() / f"{controller}-v{version}-iam_policy.json", iam_policy_actions
    if not path.is_file():
        raise CheckUnavailable(f"{path.name} is not in {path.parent}: the published policy of {controller} {version} is "
                               f"needed; set {POLICIES_ENV} to the directory of published policies")
    return read(str(path))


def granted(templates: cfn.Templates, role_name: str) -> tuple[str, set[str]] | None:
    """(role label, actions its identity policies Allow), or None when the stage has no such role."""
    roles = {(r.stack, r.logical_id): r for r in cfn.resources(templates, "AWS::IAM::Role") if r.props.get("RoleName") == role_name}
    if not roles:
        return None
    actions: set[str] = set()
    for res, _, document in cfn.policy_documents(templates):
        attached = {(res.stack, cfn.ref_target(r)) for r in cfn.as_list(res.props.get("Roles"))}
        if (res.stack, res.logical_id) in roles or attached & roles.keys():
            actions |= _actions(document.get("Statement"))
    return next(iter(roles.values())).label, actions


def covered(action: str, grants: set[str]) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), g.lower()) for g in grants)


def _value(values: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        values = values.get(part) if isinstance(values, dict) else None
    return values


def role_findings(env: str, controller: str, label: str, grants: set[str], wanted: frozenset[str], values: dict) -> list[Finding]:
    out = []
    for action in sorted(a for a in wanted if not covered(a, grants)):
        feature = next((f for f in FEATURES.get(controller, ()) if any(fnmatch.fnmatchcase(action, p) for p in f.patterns)), None)
        if feature is not None and not feature.on(_value(values, feature.value)):
            out.append(Finding(env, label, action, f"{controller} calls {action} only for {feature.what}, which is off "
                               f"({feature.value} in its HelmRelease); the role leaves it out deliberately",
                               f"grant {action} before turning {feature.value} on", NOTE))
            continue
        why = f" for {feature.what} ({feature.value} is on)" if feature else ""
        out.append(Finding(env, label, action, f"the {controller} role lacks {action}, which {controller}'s published policy "
                           f"grants{why}: the controller's calls fail with AccessDenied",
                           f"add {action} to the {controller} role's statements in aws/constructs/"
                           f"{'karpenter.py' if controller == 'karpenter' else 'controller_roles.py'}"))
    return out


def helm_values(objects: list[dict], release: str) -> dict:
    for obj in objects:
        if obj.get("kind") == "HelmRelease" and (obj.get("spec") or {}).get("releaseName", obj["metadata"]["name"]) == release:
            return (obj.get("spec") or {}).get("values") or {}
    return {}


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    platform = inputs.platform
    environment = platform.env(env)
    templates = inputs.synthesis().templates(env)
    objects = [o for f in inputs.gitops().for_env(env) for o in f.objects()]
    controllers = [LOAD_BALANCER_CONTROLLER] + ([KARPENTER] if environment.uses_karpenter else [])
    out = []
    for account in controllers:
        name = account.key
        found = granted(templates, account.role_name(environment))
        if found is None:
            out.append(Finding(env, account.role_name(environment), "", f"no IAM role for {name} in the {env} templates",
                               "create the controller's IRSA role (aws/constructs)"))
            continue
        out += role_findings(env, name, found[0], found[1], published(name, platform.versions.charts[name], inputs.charts_dir), helm_values(objects, name))
    return out


CHECK = Check("controller-iam", "controller roles grant every action of the controllers' published policies", run,
              needs=("synthesis", "gitops"), envs=("dev", "staging", "prod"))
