"""/api/v1/projects/<id>/items: the items of one project."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import db
from .errors import not_found
from .models import Item
from .projects import get_owned_project, get_project
from .validation import Field, json_object, page, validate

bp = Blueprint("items", __name__, url_prefix="/api/v1/projects/<id:project_id>/items")

ITEM_FIELDS = (
    Field("title", str, required=True, min_length=1, max_length=200),
    Field("done", bool),
)


def get_item(project_id: int, item_id: int, *, change: bool = False) -> Item:
    (get_owned_project if change else get_project)(project_id)
    item = db.session().get(Item, item_id)
    if item is None or item.project_id != project_id:
        raise not_found(f"item {item_id} of project {project_id}")
    return item


@bp.post("")
def create_item(project_id: int):
    fields = validate(json_object(), ITEM_FIELDS)
    get_owned_project(project_id)
    item = Item(project_id=project_id, **fields)
    session = db.session()
    session.add(item)
    try:
        session.commit()
    except IntegrityError:  # the project was deleted since we looked
        session.rollback()
        raise not_found(f"project {project_id}") from None
    return jsonify(item.to_json()), 201


@bp.get("")
def list_items(project_id: int):
    window = page()
    get_project(project_id)
    session = db.session()
    in_project = Item.project_id == project_id
    total = session.scalar(select(func.count()).select_from(Item).where(in_project))
    rows = session.scalars(select(Item).where(in_project).order_by(Item.id).limit(window.limit).offset(window.offset))
    return jsonify(
        {"items": [i.to_json() for i in rows], "total": total, "limit": window.limit, "offset": window.offset}
    )


@bp.get("/<id:item_id>")
def read_item(project_id: int, item_id: int):
    return jsonify(get_item(project_id, item_id).to_json())


@bp.patch("/<id:item_id>")
def update_item(project_id: int, item_id: int):
    fields = validate(json_object(), ITEM_FIELDS, partial=True)
    item = get_item(project_id, item_id, change=True)
    for name, value in fields.items():
        setattr(item, name, value)
    session = db.session()
    session.commit()
    session.refresh(item)
    return jsonify(item.to_json())


@bp.delete("/<id:item_id>")
def delete_item(project_id: int, item_id: int):
    session = db.session()
    session.delete(get_item(project_id, item_id, change=True))
    session.commit()
    return "", 204
