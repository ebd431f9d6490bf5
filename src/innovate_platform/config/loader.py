"""Load platform.yaml into frozen models; every user mistake becomes one ConfigError line."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from .models import Platform

DEFAULT_CONFIG = "platform.yaml"


class ConfigError(Exception):
    """A mistake in platform.yaml: names the file, the field path and the fix."""


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The platform file: the explicit path, else $INNOVATE_CONFIG, else ./platform.yaml."""
    return Path(explicit or os.environ.get("INNOVATE_CONFIG") or DEFAULT_CONFIG)


def load_platform(path: str | os.PathLike[str] | None = None) -> Platform:
    """Read and validate a platform file."""
    file = config_path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read ({exc.strerror}); pass --config or set INNOVATE_CONFIG") from None
    return parse_platform(text, str(file))


def parse_platform(text: str, source: str = DEFAULT_CONFIG) -> Platform:
    """Validate platform YAML text; `source` names the file in errors."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}{where}: malformed YAML: {problem}; fix the indentation or quoting there") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level (organisation, region, environments, ...)")
    try:
        return Platform.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, root, source)) from None


def _describe(exc: ValidationError, root: yaml.Node | None, source: str) -> str:
    """One line per problem: file:line: field.path: reason."""
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        field = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(root, loc)
        where = f"{source}:{line}" if line else source
        lines.append(f"{where}: {field}: {_reason(err)}")
    return "\n".join(lines)


def _reason(err: dict) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key; remove it or check its spelling against docs/platform-yaml.md"
    if kind == "missing":
        return "required key is missing; add it"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        if pattern == r"^\d{12}$":
            return f"'{err['input']}' is not an AWS account ID; write the 12 digits in quotes"
        return f"'{err['input']}' does not match the expected form {pattern}"
    if kind == "literal_error":
        return f"'{err['input']}' is not allowed; expected {err['ctx']['expected']}"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _line_of(node: yaml.Node | None, loc: list) -> int | None:
    """The 1-based line of the deepest YAML node that the error path reaches."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line
