"""Availability zone rules: names in the platform's region, enough zones for az_count, no repeats."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..aws_catalog import aws_catalog
from ..models import Platform
from .base import Problem, duplicates, env_path


def zone_rules(platform: Platform) -> Iterator[Problem]:
    if platform.region not in aws_catalog().regions:
        return  # the region's own error comes first; its zones are judged once it is right
    form = re.compile(rf"^{re.escape(platform.region)}[a-z]$")
    for name, env in platform.environments.items():
        zones = env.availability_zones
        if not zones:
            continue
        wrong = [z for z in zones if not form.match(z)]
        if wrong:
            yield Problem(env_path(name, "availability_zones"), f"{', '.join(wrong)} is not a zone of region "
                          f"{platform.region}; write {platform.region}a, {platform.region}b, ... "
                          f"(aws ec2 describe-availability-zones --region {platform.region})")
        dup = duplicates(list(zones))
        if dup:
            yield Problem(env_path(name, "availability_zones"), f"{', '.join(dup)} listed twice; list each zone once")
        if len(zones) < env.az_count:
            yield Problem(env_path(name, "availability_zones"), f"{len(zones)} zones for environments.{name}.az_count "
                          f"{env.az_count}; list at least {env.az_count} zones or lower az_count")
