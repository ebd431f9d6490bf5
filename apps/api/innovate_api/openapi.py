"""/openapi.yaml: the API's OpenAPI 3.1 description, as committed in apps/api/openapi.yaml."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Response

bp = Blueprint("openapi", __name__)
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"


@cache
def openapi_text() -> str:
    return OPENAPI_PATH.read_text(encoding="utf-8")


@bp.get("/openapi.yaml")
def openapi_document():
    return Response(openapi_text(), content_type="application/yaml; charset=utf-8")
