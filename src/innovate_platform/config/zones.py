"""Availability zones per account, from platform.yaml instead of an AWS lookup.

CDK looks up an account's zones once and caches them in cdk.context.json under
`availability-zones:account=<account>:region=<region>`. An environment's `availability_zones`
in platform.yaml is that answer written down once: synthesis uses it directly, and
`innovate context` writes the same entries into cdk.context.json for the CDK CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

from .models import Platform

CONTEXT_FILE = "cdk.context.json"
PREFIX = "availability-zones:"


def context_key(account: str, region: str) -> str:
    return f"{PREFIX}account={account}:region={region}"


def zone_context(platform: Platform) -> dict[str, list[str]]:
    """The cdk.context.json entries platform.yaml defines (environments that list their zones).

    The shared services account uses the first environment's zone names: its stacks are regional
    (ECR, IAM) and never place anything in a zone."""
    entries = {context_key(env.account, platform.region): list(env.availability_zones)
               for env in platform.environments.values() if env.availability_zones}
    if entries:
        entries.setdefault(context_key(platform.shared.account, platform.region), next(iter(entries.values())))
    return entries


def render_context(platform: Platform, current: dict) -> dict:
    """cdk.context.json with its zone entries replaced by platform.yaml's; other keys kept.

    Entries of accounts or regions platform.yaml no longer names are dropped; an environment
    without `availability_zones` keeps its existing entry."""
    wanted = zone_context(platform)
    accounts = {platform.shared.account, *(e.account for e in platform.environments.values())}
    kept = {k: v for k, v in current.items()
            if not k.startswith(PREFIX) or (k.endswith(f":region={platform.region}")
                                            and k.split("account=")[1].split(":")[0] in accounts)}
    return dict(sorted({**kept, **wanted}.items()))


def read_context(root: Path) -> dict:
    path = root / CONTEXT_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def context_text(context: dict) -> str:
    return json.dumps(context, indent=2) + "\n"
