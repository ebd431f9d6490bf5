"""Time windows the simulator needs: Karpenter budget schedules (cron, UTC) and the dev sleep timeline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ..config import SleepSchedule

_DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    out: set[int] = set()
    for part in text.lower().split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part == "*":
            a, b = low, high
        elif "-" in part:
            a_text, b_text = part.split("-")
            a, b = (names or {}).get(a_text, None), (names or {}).get(b_text, None)
            a = int(a_text) if a is None else a
            b = int(b_text) if b is None else b
        else:
            a = (names or {}).get(part)
            a = int(part) if a is None else a
            b = a
        out.update(range(a, b + 1, step))
    return frozenset(v % 7 if names is _DAYS else v for v in out)


def parse_duration(text: str) -> int:
    """'10h', '1h30m', '5m', '90s' -> seconds."""
    match = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", text or "")
    if not match or not text:
        raise ValueError(f"'{text}' is not a duration like 10h or 5m")
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


class CronWindow:
    """A Karpenter budget schedule: active from each cron match (UTC) for `duration`."""

    def __init__(self, schedule: str, duration: str):
        minute, hour, dom, month, dow = schedule.split()
        self.minutes = _field(minute, 0, 59)
        self.hours = _field(hour, 0, 23)
        self.doms = _field(dom, 1, 31)
        self.months = _field(month, 1, 12)
        self.dows = _field(dow, 0, 7, _DAYS)
        self.duration = parse_duration(duration)
        self._cache: tuple[float, float, bool] = (0.0, -1.0, False)  # valid from, to, value

    def active(self, epoch: float) -> bool:
        lo, hi, value = self._cache
        if lo <= epoch < hi:
            return value
        now = datetime.fromtimestamp(epoch, timezone.utc)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0)
        for back in range(self.duration // 86400 + 2):
            d = day - timedelta(days=back)
            if d.month not in self.months or d.day not in self.doms or (d.weekday() + 1) % 7 not in self.dows:
                continue
            for h in self.hours:
                for m in self.minutes:
                    start = d.replace(hour=h, minute=m)
                    if start <= now < start + timedelta(seconds=self.duration):
                        self._cache = (epoch, min(epoch + 60, start.timestamp() + self.duration), True)
                        return True
        self._cache = (epoch, epoch + 60 - epoch % 60, False)  # schedules have minute resolution
        return False


def awake_intervals(sleep: SleepSchedule, start: float, end: float, what: str) -> list[tuple[float, float]]:
    """UTC intervals when `what` (workloads or node_groups) is up: weekdays between its up and down step."""
    tz = ZoneInfo(sleep.timezone)
    t = sleep.timeline()
    up_h, up_m = (int(x) for x in t[f"{what}_up"].split(":"))
    down_h, down_m = (int(x) for x in t[f"{what}_down"].split(":"))
    day = datetime.fromtimestamp(start, tz).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    out = []
    while day.timestamp() < end:
        if day.weekday() < 5:
            up = day.replace(hour=up_h, minute=up_m)
            down = day.replace(hour=down_h, minute=down_m)
            if down <= up:
                down += timedelta(days=1)
            out.append((up.timestamp(), down.timestamp()))
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)  # DST-safe next local midnight
    return out
