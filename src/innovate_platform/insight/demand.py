"""Served and unserved demand: what each app was asked for, what its ready pods could serve, and
which limit stood between the two.

Servable RPS = ready pods x `autoscaling.rps.targetPerPod` x (1 + the HPA's tolerance): the HPA
does not act while a pod runs within 10% of its target, so that is the load the platform is
configured to accept per pod (named assumption SERVABLE_PER_POD). Everything above it is unserved.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from .cluster import AppState

# -- Named assumptions (docs/insight.md) --------------------------------------------------
# A minute breaches the SLO when an app serves less than this share of the requests it was asked.
SLO_SERVED_SHARE = 0.99

# The limits behind unserved demand (provisioners.py adds the capacity ones it detects)
HPA_MAX = "HPA max"
LAUNCH_LATENCY = "launch latency"
POD_STARTUP = "pod start-up"
HPA_REACTION = "HPA reaction"
ASLEEP = "sleep schedule"


def servable_per_pod(app: AppState) -> float:
    """SERVABLE_PER_POD: targetPerPod plus the HPA's tolerance."""
    return app.w.rps_target_per_pod * (1 + app.hpa.defaults.tolerance)


def _cause(app: AppState, blocked: dict[int, str], awake: bool) -> str:
    if not awake:
        return ASLEEP
    if app.unplaced and app.index in blocked:
        return blocked[app.index]
    if app.pending:
        return LAUNCH_LATENCY
    if app.starting_n:
        return POD_STARTUP
    return HPA_REACTION


def step_limit(app: AppState, blocked: dict[int, str], awake: bool) -> str | None:
    """The limit behind an app's shortfall right now (HPA max when demand is above its range), or None."""
    per_pod = servable_per_pod(app)
    if app.rps <= app.ready * per_pod:
        return None
    if app.rps > app.w.max_replicas * per_pod:
        return HPA_MAX
    return _cause(app, blocked, awake)


@dataclass
class AppDemand:
    name: str
    demanded_request_seconds: float = 0.0
    unserved_request_seconds: float = 0.0

    @property
    def served_share(self) -> float:
        d = self.demanded_request_seconds
        return 1.0 if d <= 0 else 1 - self.unserved_request_seconds / d


class DemandLedger:
    """Integrates demand and shortfall per tick; counts SLO minutes and attributes each to a limit."""

    def __init__(self, apps: list[AppState], start: float):
        self.apps = apps
        self._per_pod = [servable_per_pod(a) for a in apps]
        self._hpa_cap = [a.w.max_replicas * pp for a, pp in zip(apps, self._per_pod)]
        self._demanded = [0.0] * len(apps)
        self._unserved = [0.0] * len(apps)
        self.by_limit: dict[str, float] = defaultdict(float)
        self.slo_by_limit: dict[str, int] = defaultdict(int)
        self.slo_minutes = 0
        self._minute = math.floor(start / 60)
        self._m_demand = [0.0] * len(apps)
        self._m_short = [0.0] * len(apps)
        self._m_cause: dict[str, float] = defaultdict(float)

    @property
    def per_app(self) -> list[AppDemand]:
        return [AppDemand(a.w.name, d, u) for a, d, u in zip(self.apps, self._demanded, self._unserved)]

    def record(self, now: float, dt: float, blocked: dict[int, str], awake: bool) -> float:
        """Book one tick ending at `now`; returns the total shortfall in RPS."""
        minute = (now - dt) // 60
        if minute != self._minute:
            self._close_minute()
            self._minute = minute
        total = 0.0
        for i, app in enumerate(self.apps):
            demand = app.rps
            if demand <= 0:
                continue
            self._demanded[i] += demand * dt
            self._m_demand[i] += demand * dt
            short = demand - app.ready * self._per_pod[i]
            if short <= 0:
                continue
            total += short
            self._unserved[i] += short * dt
            self._m_short[i] += short * dt
            over_hpa = min(short, max(0.0, demand - self._hpa_cap[i]))
            if over_hpa:
                self.by_limit[HPA_MAX] += over_hpa * dt
                self._m_cause[HPA_MAX] += over_hpa * dt
            rest = short - over_hpa
            if rest > 1e-9:
                cause = _cause(app, blocked, awake)
                self.by_limit[cause] += rest * dt
                self._m_cause[cause] += rest * dt
        return total

    def _close_minute(self) -> None:
        if not any(self._m_short):
            self._m_demand = [0.0] * len(self.apps)
            return
        breached = any(d > 0 and 1 - s / d < SLO_SERVED_SHARE for d, s in zip(self._m_demand, self._m_short))
        if breached:
            self.slo_minutes += 1
            self.slo_by_limit[max(self._m_cause, key=self._m_cause.get)] += 1  # type: ignore[arg-type]
        self._m_demand = [0.0] * len(self.apps)
        self._m_short = [0.0] * len(self.apps)
        self._m_cause = defaultdict(float)

    def close(self) -> None:
        self._close_minute()

    # -- results -------------------------------------------------------------------------
    @property
    def demanded(self) -> float:
        return sum(self._demanded)

    @property
    def unserved(self) -> float:
        return sum(self._unserved)

    @property
    def served_share(self) -> float:
        return 1.0 if self.demanded <= 0 else 1 - self.unserved / self.demanded

    def main_limit(self) -> str | None:
        return max(self.by_limit, key=self.by_limit.get) if self.by_limit else None  # type: ignore[arg-type]

    def summary(self) -> dict:
        return {
            "request_seconds_demanded": round(self.demanded, 1),
            "request_seconds_unserved": round(self.unserved, 1),
            "served_share": round(self.served_share, 6),
            "slo_minutes_breached": self.slo_minutes,
            "unserved_by_limit": {k: round(v, 1) for k, v in sorted(self.by_limit.items(), key=lambda kv: -kv[1])},
            "slo_minutes_by_limit": dict(sorted(self.slo_by_limit.items(), key=lambda kv: -kv[1])),
            "limit": self.main_limit(),
            "per_app": [{"app": a.name, "request_seconds_demanded": round(a.demanded_request_seconds, 1),
                         "request_seconds_unserved": round(a.unserved_request_seconds, 1),
                         "served_share": round(a.served_share, 6)} for a in self.per_app],
        }
