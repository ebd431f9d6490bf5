"""Request-rate traces: CSV `timestamp,app,rps`, timestamps ISO 8601 (UTC when no offset)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


class TraceError(Exception):
    """A trace the simulator cannot read: names the file, line and field."""


HEADER = ("timestamp", "app", "rps")


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
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
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
                raise TraceError(f"{path}:{line}: timestamp: '{stamp}' is not an ISO 8601 time (2026-11-02T09:00:00Z)") from None
            try:
                rate = float(rps)
            except ValueError:
                raise TraceError(f"{path}:{line}: rps: '{rps}' is not a number") from None
            if not rate >= 0 or rate == float("inf"):
                raise TraceError(f"{path}:{line}: rps: {rps} must be a finite number >= 0")
            if known_apps is not None and app not in known_apps:
                raise TraceError(f"{path}:{line}: app: '{app}' is not an app of platform.yaml ({', '.join(known_apps)})")
            rows.setdefault(app, []).append((when, rate))
    if not rows:
        raise TraceError(f"{path}: no samples after the header")
    series = {app: tuple(sorted(samples)) for app, samples in rows.items()}
    start = min(s[0][0] for s in series.values())
    end = max(s[-1][0] for s in series.values())
    if end <= start:
        raise TraceError(f"{path}: the trace must span some time (first and last timestamp are equal)")
    return Trace(str(path), start, end, series)
