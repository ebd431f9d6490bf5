"""environments.<env>.sleep: when dev sleeps."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .model_base import Model

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class SleepSchedule(Model):
    """When dev sleeps: from `sleep_at` to `wake_at` on weekdays, and all weekend."""

    timezone: str
    sleep_at: str = Field(pattern=HHMM)
    wake_at: str = Field(pattern=HHMM)
    # Workloads go to zero first; node groups follow this many minutes later (Karpenter
    # needs that long to empty its nodes) and come back this many minutes before wake_at.
    node_group_offset_minutes: int = Field(default=30, ge=5, le=120)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone (for example Europe/Berlin)") from None
        return value

    @model_validator(mode="after")
    def _night_long_enough(self) -> SleepSchedule:
        night = (_minutes(self.wake_at) - _minutes(self.sleep_at)) % (24 * 60)
        if night < 2 * self.node_group_offset_minutes + 30:
            raise ValueError(
                f"the night from {self.sleep_at} to {self.wake_at} is too short for a "
                f"{self.node_group_offset_minutes} min node group offset on each side"
            )
        return self

    def timeline(self) -> dict[str, str]:
        """Local HH:MM of the four steps, in order: workloads down, nodes down, nodes up, workloads up.

        Each step runs on weekdays (Mon-Fri), so the cluster also sleeps from Friday night
        to Monday morning.
        """
        offset = self.node_group_offset_minutes
        return {
            "workloads_down": self.sleep_at,
            "node_groups_down": _hhmm(_minutes(self.sleep_at) + offset),
            "node_groups_up": _hhmm(_minutes(self.wake_at) - offset),
            "workloads_up": self.wake_at,
        }


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _hhmm(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
