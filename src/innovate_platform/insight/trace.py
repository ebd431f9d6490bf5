"""Request-rate traces: CSV `timestamp,app,rps`; timestamps ISO 8601 (UTC when no offset) or Unix
epoch seconds (what Prometheus and most exports give). Implausible spans are refused before any
simulation starts: a trace longer than MAX_SPAN_DAYS, timestamps outside 2000-2100 (epoch
milliseconds, a wrong year), or a gap in one app's samples larger than GAP_FACTOR times its usual
step (and over an hour)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


class TraceError(Exception):
    """A trace the simulator cannot read: names the file, line and field."""


HEADER = ("timestamp", "app", "rps")
MAX_SPAN_DAYS = 62  # two months of samples; split longer exports
GAP_FACTOR = 10  # a gap this many times the app's median step (and over MIN_GAP_S) is a hole, not a step
MIN_GAP_S = 3600
_EARLIEST, _LATEST = 946684800.0, 4102444800.0  # 2000-01-01 and 2100-01-01 UTC


@dataclass(frozen=True)
class Trace:
    """Per app, the request rate as steps: rps holds from one sample to the next."""

    source: str
    start: float  # epoch seconds
    end: float
    series: dict[str, tuple[tuple[float, float], ...]]  # app -> ((epoch, rps), ...) sorted

    @property
    def apps(self) -> tuple[str, ...]:
        return tuple(self.series)


def parse_timestamp(text: str) -> float:
    """ISO 8601 (UTC when no offset) or epoch seconds ('1793628000' or '1793628000.5')."""
    text = text.strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def load_trace(path: str | Path, known_apps: tuple[str, ...] | None = None) -> Trace:
    """Read and validate a trace; every problem is one TraceError line."""
    path = Path(path)
    try:
        return _load_trace(path, known_apps)
    except UnicodeDecodeError as exc:
        raise TraceError(f"{path}: byte {exc.start} is not UTF-8 text; save the trace as a UTF-8 CSV") from None


def _load_trace(path: Path, known_apps: tuple[str, ...] | None) -> Trace:
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise TraceError(f"{path}: cannot read the trace ({exc.strerror})") from None
    rows: dict[str, list[tuple[float, float]]] = {}
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise TraceError(f"{path}:1: header must be 'timestamp,app,rps', got {','.join(header or []) or 'an empty file'}")
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != 3:
                raise TraceError(f"{path}:{line}: expected 3 fields (timestamp,app,rps), got {len(row)}")
            stamp, app, rps = (c.strip() for c in row)
            try:
                when = parse_timestamp(stamp)
            except ValueError:
                raise TraceError(f"{path}:{line}: timestamp: '{stamp}' is not an ISO 8601 time (2026-11-02T09:00:00Z) "
                                 "or epoch seconds (1793610000)") from None
            if not _EARLIEST <= when < _LATEST:
                hint = " (epoch milliseconds? divide by 1000)" if when >= _LATEST and stamp.isdigit() else ""
                raise TraceError(f"{path}:{line}: timestamp: '{stamp}' is outside 2000-2100{hint}; check the year and unit")
            try:
                rate = float(rps)
            except ValueError:
                raise TraceError(f"{path}:{line}: rps: '{rps}' is not a number") from None
            if not rate >= 0 or rate == float("inf"):
                raise TraceError(f"{path}:{line}: rps: {rps} must be a finite number >= 0")
            if known_apps is not None and app not in known_apps:
                raise TraceError(f"{path}:{line}: app: '{app}' is not an app of platform.yaml ({', '.join(known_apps)})")
            rows.setdefault(app, []).append((when, rate, line))
    if not rows:
        raise TraceError(f"{path}: no samples after the header")
    for app, samples in rows.items():
        samples.sort()
        _check_gaps(path, app, samples)
    series = {app: tuple((t, r) for t, r, _ in samples) for app, samples in rows.items()}
    start = min(s[0][0] for s in series.values())
    end = max(s[-1][0] for s in series.values())
    if end <= start:
        raise TraceError(f"{path}: the trace must span some time (first and last timestamp are equal)")
    days = (end - start) / 86400
    if days > MAX_SPAN_DAYS:
        raise TraceError(f"{path}: the trace spans {days:,.0f} days ({_iso(start)} to {_iso(end)}); the simulator "
                         f"replays at most {MAX_SPAN_DAYS} days: check the timestamps' year or split the trace")
    return Trace(str(path), start, end, series)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_gaps(path: Path, app: str, samples: list[tuple[float, float, int]]) -> None:
    """A hole in an app's samples (a wrong year or day on some rows) is refused, naming the line."""
    steps = sorted(b[0] - a[0] for a, b in zip(samples, samples[1:]) if b[0] > a[0])
    if len(steps) < 2:
        return
    usual = steps[len(steps) // 2]
    limit = max(GAP_FACTOR * usual, MIN_GAP_S)
    for a, b in zip(samples, samples[1:]):
        if b[0] - a[0] > limit:
            raise TraceError(f"{path}:{b[2]}: timestamp: {app} jumps {_duration(b[0] - a[0])} from {_iso(a[0])} "
                             f"(line {a[2]}) to {_iso(b[0])}, more than {GAP_FACTOR}x its usual {_duration(usual)} step; "
                             "fix the timestamp or write the quiet stretch as rows with rps 0")


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:g} s"
