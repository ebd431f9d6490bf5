"""Turn pydantic's errors into one plain line each, with the fix a platform engineer needs.

The commonest surprise is YAML's typing: `account: 111111111111` is a number, `kubernetes: 1.36`
a float, `sleep_at: 20:00` the base-60 integer 1200 and `enabled: no` the boolean false. Such a
value gets the hint to quote exactly what was written.
"""

from __future__ import annotations

import re

import yaml

_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_TYPE_ERRORS = {"string_type", "int_type", "int_parsing", "bool_type", "bool_parsing", "float_type",
                "float_parsing", "tuple_type", "list_type", "dict_type", "model_type", "literal_error",
                "string_pattern_mismatch", "int_from_float"}


def walk(root: yaml.Node | None, loc: list) -> tuple[yaml.Node | None, yaml.Node | None, bool]:
    """(anchor, node, complete) for an error path: `node` is the deepest YAML node the path reaches (the
    root when nothing matches), `anchor` the line to show for a field the file lacks (the key of the last
    mapping step, `hosts:`, or the last list item, not some sibling of the missing field), `complete`
    whether the whole path exists."""
    anchor = node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                return anchor, node, False
            anchor, node = pair
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            anchor = node = node.value[part]
        else:
            return anchor, node, False
    return anchor, node, True


def exact_node(root: yaml.Node | None, loc: list) -> yaml.Node | None:
    """The node of exactly this path, or None when the path does not reach it."""
    _, node, complete = walk(root, loc)
    return node if complete else None


def quoting_hint(node: yaml.Node | None) -> str | None:
    """The hint for a plain scalar that YAML typed as something other than a string, else None."""
    if not isinstance(node, yaml.ScalarNode) or node.style not in (None, ""):
        return None
    text = node.value
    resolved = yaml.SafeLoader(text).resolve(yaml.ScalarNode, text, (True, False))
    if resolved == "tag:yaml.org,2002:str":
        return None
    if resolved == "tag:yaml.org,2002:int" and _SEXAGESIMAL.match(text):
        seen = f"the base-60 number {yaml.safe_load(text)}"
    elif resolved == "tag:yaml.org,2002:int":
        seen = "a number"
    elif resolved == "tag:yaml.org,2002:float":
        seen = f"the number {yaml.safe_load(text)!r}"
    elif resolved == "tag:yaml.org,2002:bool":
        seen = f"the boolean {str(yaml.safe_load(text)).lower()}"
    elif resolved == "tag:yaml.org,2002:null":
        seen = "null (no value)"
    else:
        seen = resolved.rsplit(":", 1)[-1]
    return f"YAML read {text} as {seen}, not text; write it in quotes: \"{text}\""


def reason(err: dict, node: yaml.Node | None) -> str:
    """The reason and fix for one pydantic error at `node`."""
    kind = err["type"]
    if kind in ("string_type", "int_type", "bool_type", "float_type") and isinstance(
            node, (yaml.MappingNode, yaml.SequenceNode)):
        shape = "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
        return f"expected a single value, not {shape}; check the indentation and see docs/platform-yaml.md"
    if kind == "string_type":
        hint = quoting_hint(node)
        if hint:
            return hint
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling against docs/platform-yaml.md"
    if kind == "missing":
        return "required key is missing; add it (see docs/platform-yaml.md)"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if pattern == r"^\d{12}$":
            return f"'{err['input']}' is not an AWS account ID; write the 12 digits in quotes"
        return f"'{err['input']}' does not match the expected form {pattern}; fix the value"
    if kind == "literal_error":
        return f"'{err['input']}' is not allowed; expected {err['ctx']['expected']}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"'{err['input']}' is not a whole number; write digits only, without quotes or units"
    if kind in ("bool_parsing", "bool_type"):
        return f"'{err['input']}' is not true or false; write true or false"
    if kind in ("tuple_type", "list_type"):
        return "expected a list; write it as [a, b] or one '- item' per line"
    if kind in ("dict_type", "model_type"):
        return "expected a mapping of keys (key: value), not a single value; see docs/platform-yaml.md"
    if kind == "greater_than_equal" or kind == "less_than_equal":
        return f"{err['msg'].lower()}, got {err['input']}; change the number"
    if kind in ("too_short", "too_long"):
        return f"{err['msg']}; change the list"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "value_error" and err.get("ctx", {}).get("error") is not None and ";" not in msg:
        return f"{msg}; fix the value"
    return msg
