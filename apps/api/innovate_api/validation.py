"""Request validation: JSON bodies against small field specs, and query parameters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import request

from .errors import ApiError
from .text import clean_text


@dataclass(frozen=True)
class Field:
    """One body field: its JSON type, whether it is required, and its length bounds for strings."""

    name: str
    kind: type  # str or bool
    required: bool = False
    nullable: bool = False
    min_length: int = 0
    max_length: int | None = None
    multiline: bool = False  # strings: line breaks and tabs allowed (descriptions), see text.py


class _NotJson(ValueError):
    """A JSON construct Python's parser accepts but we refuse; its message is for clients."""


def _reject_constant(value: str):
    raise _NotJson(f"{value} is not valid JSON")


def _json_problem(error: Exception) -> str:
    """What is wrong with a body, in JSON terms only (never Python's own wording)."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, _NotJson):
        return str(error)
    if isinstance(error, RecursionError):
        return "it is nested too deeply"
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8"
    return "a number in it has too many digits (at most 4300)"


JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
              bool: "a boolean", type(None): "null"}


def json_object() -> dict[str, Any]:
    """The request body as a JSON object, or a 4xx ApiError saying what is wrong with it."""
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise ApiError(
            415, "unsupported_media_type",
            f"Content-Type must be application/json, got {request.mimetype or 'none'!r}",
        )
    raw = request.get_data(cache=True)  # raises 413 beyond MAX_CONTENT_LENGTH
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "malformed_json", f"request body is not valid JSON: {_json_problem(error)}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", f"request body must be a JSON object, not {JSON_TYPES[type(body)]}")
    return body


def _is_utf8(value: str) -> bool:
    """False for lone surrogates (JSON allows "\\ud800"; PostgreSQL does not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _type_name(kind: type) -> str:
    return {str: "string", bool: "boolean"}[kind]


def validate(body: dict[str, Any], fields: tuple[Field, ...], partial: bool = False) -> dict[str, Any]:
    """The validated fields of ``body``; ``partial`` (PATCH) makes every field optional but needs one."""
    known = {f.name: f for f in fields}
    for name in body:
        if name not in known:
            raise ApiError(
                400, "unknown_field", f"unknown field {name!r}; allowed: {', '.join(known)}", field=name
            )
    if partial and not body:
        raise ApiError(400, "empty_update", f"give at least one of: {', '.join(known)}")
    clean: dict[str, Any] = {}
    for spec in fields:
        if spec.name not in body:
            if spec.required and not partial:
                raise ApiError(400, "required", f"{spec.name} is required", field=spec.name)
            continue
        value = body[spec.name]
        if value is None and spec.nullable:
            clean[spec.name] = None
            continue
        if type(value) is not spec.kind:  # bool is not an int here, and 1 is not a bool
            raise ApiError(
                400, "invalid_type",
                f"{spec.name} must be a {_type_name(spec.kind)}{' or null' if spec.nullable else ''}",
                field=spec.name,
            )
        if spec.kind is str:
            if not _is_utf8(value):
                raise ApiError(
                    400, "invalid_value", f"{spec.name} must be valid Unicode text (no lone surrogates)",
                    field=spec.name,
                )
            value = clean_text(spec.name, value, multiline=spec.multiline)
            if len(value) < spec.min_length or (spec.max_length is not None and len(value) > spec.max_length):
                empty = " (it is empty after trimming whitespace)" if not value else ""
                raise ApiError(
                    400, "invalid_length",
                    f"{spec.name} must be {spec.min_length}..{spec.max_length} characters after NFC"
                    f" normalisation and trimming{empty}",
                    field=spec.name,
                )
        clean[spec.name] = value
    return clean


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        raise ApiError(400, "invalid_query", f"{name} must be an integer {low}..{high}", field=name)
    value = int(raw)
    if not low <= value <= high:
        raise ApiError(400, "invalid_query", f"{name} must be an integer {low}..{high}", field=name)
    return value


def page(max_limit: int = 100, default_limit: int = 20) -> Page:
    """limit (1..100, default 20) and offset (>= 0) from the query string."""
    return Page(
        limit=_query_int("limit", default_limit, 1, max_limit),
        offset=_query_int("offset", 0, 0, 2_000_000_000),
    )
