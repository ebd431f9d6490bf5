"""A problem found by a platform rule: the field's path in platform.yaml and the reason with its fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: tuple[str | int, ...]
    message: str


def env_path(env: str, *rest: str | int) -> tuple[str | int, ...]:
    return ("environments", env, *rest)


def duplicates(values: list[str]) -> list[str]:
    """Values that occur more than once, in first-seen order."""
    seen: set[str] = set()
    return list(dict.fromkeys(v for v in values if v in seen or seen.add(v)))
