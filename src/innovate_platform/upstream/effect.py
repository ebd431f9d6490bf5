"""Does each value key change the render? Helm silently ignores keys a chart does not read.

A key has an effect when removing it, or else changing it (a flipped switch, a number plus one,
a string with a suffix), changes the rendered output or makes the chart refuse to render.
"""

from __future__ import annotations

import copy
import json
from typing import Any, Callable, Iterator

Path_ = tuple[str, ...]


def leaves(values: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Paths to every scalar or list in a nested mapping (an empty mapping is a leaf too)."""
    if isinstance(values, dict) and values:
        for key, item in values.items():
            yield from leaves(item, prefix + (str(key),))
    elif prefix:
        yield prefix


def _get(values: dict, path: Path_) -> Any:
    node: Any = values
    for part in path:
        node = node[part]
    return node


def without(values: dict, path: Path_) -> dict:
    out = copy.deepcopy(values)
    parent = _get(out, path[:-1]) if len(path) > 1 else out
    del parent[path[-1]]
    return out


def changed_value(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 2 + 1
    if isinstance(value, str):
        return value + "-x"
    if isinstance(value, list):
        return [] if value else ["x"]
    if isinstance(value, dict):
        return {"x": "x"}
    return "x"


def changed(values: dict, path: Path_) -> dict:
    out = copy.deepcopy(values)
    parent = _get(out, path[:-1]) if len(path) > 1 else out
    parent[path[-1]] = changed_value(parent[path[-1]])
    return out


def shape(values: Any) -> str:
    """The values with every string blanked: environments whose values differ only in substituted
    names and ARNs share one proof per key."""
    def blank(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: blank(i) for k, i in v.items()}
        if isinstance(v, list):
            return [blank(i) for i in v]
        return "s" if isinstance(v, str) else v
    return json.dumps(blank(values), sort_keys=True)


MARKER = "innovateprobe"


def _mark(value: Any, tag: str, counter: list[int]) -> Any:
    if isinstance(value, dict):
        return {k: _mark(v, tag, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark(v, tag, counter) for v in value]
    if isinstance(value, str):
        counter[0] += 1
        return f"{MARKER}{tag}x{counter[0]}"
    return value


def marked(values: dict, paths: list[Path_]) -> dict:
    """Every string under each leaf replaced by a marker naming the leaf (`innovateprobe<i>x<n>`):
    one render proves at once every key whose marker reaches the output."""
    out = copy.deepcopy(values)
    for i, path in enumerate(paths):
        parent = _get(out, path[:-1]) if len(path) > 1 else out
        parent[path[-1]] = _mark(parent[path[-1]], str(i), [0])
    return out


def shown(text: str, paths: list[Path_]) -> set[Path_]:
    """The leaves whose marker appears in a render of `marked(values, paths)`."""
    return {p for i, p in enumerate(paths) if f"{MARKER}{i}x" in text}


def has_effect(values: dict, path: Path_, baseline: str, render: Callable[[dict], tuple[str, bool]]) -> bool:
    """`render(values) -> (text, ok)`; True when removing or changing the key changes the output."""
    for variant in (without(values, path), changed(values, path)):
        text, ok = render(variant)
        if not ok or text != baseline:
            return True
    return False


def dotted(path: Path_) -> str:
    return ".".join(path)
