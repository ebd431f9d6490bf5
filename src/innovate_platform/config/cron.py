"""Cron expressions as Karpenter parses disruption-budget schedules (robfig/cron ParseStandard):
five fields (minute hour day-of-month month day-of-week) or a @descriptor, in UTC."""

from __future__ import annotations

DESCRIPTORS = ("@annually", "@yearly", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {m: i for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}),
    ("day-of-week", 0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}),
)


def cron_problem(expression: str) -> str | None:
    """None if Karpenter accepts the schedule, else what is wrong with it."""
    text = expression.strip()
    if text.startswith("@"):
        return None if text in DESCRIPTORS else f"'{text}' is not one of {', '.join(DESCRIPTORS)}"
    parts = text.split()
    if len(parts) != len(FIELDS):
        return (f"'{expression}' has {len(parts)} fields; Karpenter takes 5 (minute hour day-of-month month "
                "day-of-week), no seconds or year")
    for part, (name, low, high, names) in zip(parts, FIELDS):
        for item in part.split(","):
            problem = _item_problem(item.lower(), name, low, high, names)
            if problem:
                return f"'{expression}': {problem}"
    return None


def _item_problem(item: str, name: str, low: int, high: int, names: dict[str, int]) -> str | None:
    span, _, step = item.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f"{name} step '/{step}' must be a positive number"
    if span in ("*", "?"):
        return None
    bounds = span.split("-")
    if len(bounds) > 2 or "" in bounds:
        return f"{name} '{item}' is not a number, a range a-b or */n"
    values = []
    for bound in bounds:
        value = names.get(bound, int(bound) if bound.isdigit() else None)
        if value is None:
            return f"{name} '{bound}' is not a number" + (f" or one of {', '.join(names)}" if names else "")
        if not low <= value <= high:
            return f"{name} {value} is outside {low}-{high}"
        values.append(value)
    if len(values) == 2 and values[0] > values[1]:
        return f"{name} range '{span}' runs backwards"
    return None
