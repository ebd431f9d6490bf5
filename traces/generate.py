"""Generate the reference request-rate traces deterministically (python traces/generate.py).

CSV `timestamp,app,rps`; the rate holds until the app's next sample. Shapes:
- prod-weekday-diurnal.csv: 7 days from Monday 2026-11-02 00:00Z, 5-min samples; weekday
  peak around 15:00-21:00Z (US business hours), nights at ~12% of peak, weekends at 40%.
- prod-flash-crowd.csv: 6 hours, 15-s samples; steady, then 10x within one minute at 02:00,
  held 30 min, back to the base over 30 min.
- dev-office-hours.csv: 7 days, 5-min samples; traffic only 09:00-18:00 America/New_York on
  weekdays (developers and CI), zero otherwise.
"""

from __future__ import annotations

import csv
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
START = datetime(2026, 11, 2, tzinfo=timezone.utc)  # a Monday
PROD_PEAK = {"api": 1500.0, "web": 4000.0}  # rps at the weekday peak
FLASH_BASE = {"api": 300.0, "web": 800.0}
DEV_PEAK = {"api": 40.0, "web": 80.0}


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(name: str, rows: list[tuple[str, str, float]]) -> None:
    with (HERE / name).open("w", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["timestamp", "app", "rps"])
        out.writerows((t, app, f"{rps:.1f}") for t, app, rps in rows)


def diurnal_factor(t: datetime) -> float:
    """0.12 at night to 1.0 at the 18:00Z peak on weekdays; weekends at 40% of that."""
    hour = t.hour + t.minute / 60
    shape = 0.12 + 0.88 * max(0.0, math.sin(math.pi * (hour - 11) / 14)) ** 2 if 11 <= hour <= 25 else 0.12
    return shape * (0.4 if t.weekday() >= 5 else 1.0)


def prod_diurnal(rng: random.Random, days: int = 7, step_s: int = 300, peaks: dict[str, float] = PROD_PEAK):
    rows = []
    for i in range(days * 86400 // step_s):
        t = START + timedelta(seconds=i * step_s)
        f = diurnal_factor(t)
        for app, peak in peaks.items():
            rows.append((_stamp(t), app, peak * f * rng.uniform(0.95, 1.05)))
    return rows


def flash_crowd(rng: random.Random):
    rows = []
    surge, ramp = 2 * 3600, 60
    for i in range(6 * 3600 // 15):
        s = i * 15
        if s < surge:
            f = 1.0
        elif s < surge + ramp:
            f = 1 + 9 * (s - surge) / ramp
        elif s < surge + 1800:
            f = 10.0
        elif s < surge + 3600:
            f = 10 - 9 * (s - surge - 1800) / 1800
        else:
            f = 1.0
        t = START + timedelta(hours=14, seconds=s)
        for app, base in FLASH_BASE.items():
            rows.append((_stamp(t), app, base * f * rng.uniform(0.97, 1.03)))
    return rows


def dev_office_hours(rng: random.Random):
    rows, tz = [], ZoneInfo("America/New_York")
    for i in range(7 * 86400 // 300):
        t = START + timedelta(seconds=i * 300)
        local = t.astimezone(tz)
        hour = local.hour + local.minute / 60
        busy = local.weekday() < 5 and 9 <= hour < 18
        f = (0.6 + 0.4 * math.sin(math.pi * (hour - 9) / 9)) * (0.6 if 12 <= hour < 13 else 1.0) if busy else 0.0
        for app, peak in DEV_PEAK.items():
            rows.append((_stamp(t), app, peak * f * rng.uniform(0.8, 1.2) if f else 0.0))
    return rows


def main() -> None:
    _write("prod-weekday-diurnal.csv", prod_diurnal(random.Random(1)))
    _write("prod-flash-crowd.csv", flash_crowd(random.Random(2)))
    _write("dev-office-hours.csv", dev_office_hours(random.Random(3)))


if __name__ == "__main__":
    main()
