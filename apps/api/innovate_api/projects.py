"""/api/v1/projects: create, list, read, update and delete projects."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import db
from .errors import ApiError, not_found
from .identity import current_user
from .models import Project
from .validation import Field, json_object, page, validate

bp = Blueprint("projects", __name__, url_prefix="/api/v1/projects")

PROJECT_FIELDS = (
    Field("name", str, required=True, min_length=1, max_length=100),
    Field("description", str, nullable=True, max_length=2000, multiline=True),
)


def get_project(project_id: int) -> Project:
    project = db.session().get(Project, project_id)
    if project is None:
        raise not_found(f"project {project_id}")
    return project


def get_owned_project(project_id: int) -> Project:
    """The project, if the caller owns it: only its owner may change it, its items or attachments."""
    project = get_project(project_id)
    if project.owner_sub is None or project.owner_sub != current_user():
        raise ApiError(403, "forbidden", f"only the owner of project {project_id} may change it")
    return project


def _commit_unique_name(name: str | None) -> None:
    try:
        db.session().commit()
    except IntegrityError as error:
        db.session().rollback()
        if "uq_projects_name" in str(error.orig):
            raise ApiError(409, "conflict", f"a project named {json.dumps(name, ensure_ascii=False)} already exists", field="name") from None
        raise


@bp.post("")
def create_project():
    fields = validate(json_object(), PROJECT_FIELDS)
    project = Project(**fields, owner_sub=current_user())
    db.session().add(project)
    _commit_unique_name(fields["name"])
    return jsonify(project.to_json()), 201


@bp.get("")
def list_projects():
    window = page()
    session = db.session()
    total = session.scalar(select(func.count()).select_from(Project))
    rows = session.scalars(select(Project).order_by(Project.id).limit(window.limit).offset(window.offset))
    return jsonify(
        {"items": [p.to_json() for p in rows], "total": total, "limit": window.limit, "offset": window.offset}
    )


@bp.get("/<id:project_id>")
def read_project(project_id: int):
    return jsonify(get_project(project_id).to_json())


@bp.patch("/<id:project_id>")
def update_project(project_id: int):
    fields = validate(json_object(), PROJECT_FIELDS, partial=True)
    project = get_owned_project(project_id)
    for name, value in fields.items():
        setattr(project, name, value)
    _commit_unique_name(fields.get("name"))
    db.session().refresh(project)
    return jsonify(project.to_json())


@bp.delete("/<id:project_id>")
def delete_project(project_id: int):
    session = db.session()
    session.delete(get_owned_project(project_id))
    session.commit()
    return "", 204
