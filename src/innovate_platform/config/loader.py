"""Load platform.yaml into frozen models; every user mistake becomes one ConfigError line.

Three passes, each refusing with `file:line: field: reason; fix`, one line per mistake:
reading (UTF-8, no duplicate keys, no aliases), the typed models, then the platform rules
(config/rules/) that need the whole file: catalog, names, cross-field and safety rules.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from . import yaml_source
from .hints import exact_node, reason, walk
from .models import Platform

DEFAULT_CONFIG = "platform.yaml"
_FIELD_IN_MESSAGE = re.compile(r"\b(environments|apps|shared|versions|github)\b(\.[\w-]+|\[\d+\])*")


class ConfigError(Exception):
    """A mistake in platform.yaml: names the file, the field path and the fix."""


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The platform file: the explicit path, else $INNOVATE_CONFIG, else ./platform.yaml."""
    return Path(explicit or os.environ.get("INNOVATE_CONFIG") or DEFAULT_CONFIG)


def load_platform(path: str | os.PathLike[str] | None = None) -> Platform:
    """Read and validate a platform file."""
    file = config_path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read ({exc.strerror}); pass --config or set INNOVATE_CONFIG") from None
    try:
        text = yaml_source.decode(raw)
    except yaml_source.SourceError as exc:
        raise ConfigError(_at(str(file), exc.line, str(exc))) from None
    return parse_platform(text, str(file))


def parse_platform(text: str, source: str = DEFAULT_CONFIG) -> Platform:
    """Validate platform YAML text; `source` names the file in errors."""
    try:
        data, root = yaml_source.load(text)
    except yaml_source.SourceError as exc:
        raise ConfigError(_at(source, exc.line, str(exc))) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).replace("\n", " ")
        raise ConfigError(f"{source}{where}: malformed YAML: {problem}; fix the indentation or quoting there") from None
    except RecursionError:
        raise ConfigError(f"{source}: YAML nested too deeply to read (thousands of levels); platform.yaml is a few "
                          "levels deep: start from the example platform.yaml") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level (organisation, region, environments, ...); "
                          "start from the example platform.yaml")
    try:
        platform = Platform.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, root, source)) from None
    except (TypeError, ValueError, AttributeError) as exc:  # a validator met a shape it did not expect
        raise ConfigError(f"{source}: {exc}; compare the file with docs/platform-yaml.md") from None
    from .rules import run_rules

    problems = run_rules(platform)
    if problems:
        raise ConfigError("\n".join(_located(source, root, p.path, p.message) for p in problems))
    return platform


def _describe(exc: ValidationError, root: yaml.Node | None, source: str) -> str:
    """One line per problem: file:line: field.path: reason."""
    lines = []
    errors = exc.errors()
    deeper = [tuple(e["loc"]) for e in errors]
    for err in errors:
        if err["type"] == "too_short" and any(loc[: len(err["loc"])] == tuple(err["loc"]) and len(loc) > len(err["loc"])
                                              for loc in deeper):
            continue  # a list emptied by its own item's error: that error is the one to fix
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        loc = _strip_union_tags(loc)
        node = exact_node(root, loc)
        message = reason(err, node)
        if not loc:  # a whole-file rule: locate the first field its message names
            named = _FIELD_IN_MESSAGE.search(message)
            parts = re.split(r"[.\[\]]+", named.group(0)) if named else []
            loc = [int(p) if p.isdigit() else p for p in parts if p]
            message = message.removeprefix(named.group(0)).lstrip(": ") if named and message.startswith(named.group(0)) else message
        lines.append(_located(source, root, tuple(loc), message))
    return "\n".join(dict.fromkeys(lines))


def _strip_union_tags(loc: list) -> list:
    """Drop pydantic's type tags (`str`, `int`, `tuple[...]`) from a union's error path."""
    return [p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "int", "bool", "float")))]


def _located(source: str, root: yaml.Node | None, path: tuple, message: str) -> str:
    field = ".".join(str(p) for p in path) or "(top level)"
    anchor, node, complete = walk(root, list(path))
    node = node if complete else anchor
    return _at(source, node.start_mark.line + 1 if node is not None else None, f"{field}: {message}")


def _at(source: str, line: int | None, message: str) -> str:
    return f"{source}:{line}: {message}" if line else f"{source}: {message}"
