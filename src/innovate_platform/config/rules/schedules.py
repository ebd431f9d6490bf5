"""Sleep schedule rules as EventBridge Scheduler and Kubernetes CronJobs read them: the time zone
must be an IANA name both know (`posix/...`, `right/...` and `localtime` load in Python only)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from functools import lru_cache

from ..models import Platform
from .base import Problem, env_path


@lru_cache(maxsize=1)
def iana_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def schedule_rules(platform: Platform) -> Iterator[Problem]:
    for name, env in platform.environments.items():
        if env.sleep is not None and env.sleep.timezone not in iana_names():
            yield Problem(env_path(name, "sleep", "timezone"), f"'{env.sleep.timezone}' is not an IANA time zone name "
                          "EventBridge Scheduler accepts; write Area/City, e.g. America/New_York")
