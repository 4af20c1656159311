"""The example resource: items, with create, read, list, update and delete.

Copy this module to add a resource. The pattern: validate the body into a new dict
of known fields (never pass the request body to pymongo), let the unique index
decide conflicts, and shape every document through ``to_json``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from flask import Blueprint, Response, current_app, jsonify, url_for
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from werkzeug.exceptions import Conflict, NotFound

from .db import Document, find_one_or_404, get_db
from .pagination import keyset_page, page_arguments
from .validation import ValidationError, json_object

bp = Blueprint("items", __name__, url_prefix="/api/items")

COLLECTION = "items"
NAME_MAX = 200
DESCRIPTION_MAX = 2000
TAGS_MAX = 20
TAG_MAX = 50
ATTRIBUTES_MAX = 50
SCALARS = (str, int, float, bool, type(None))


def collection() -> Collection[Document]:
    return get_db()[COLLECTION]


def to_json(document: Document) -> dict[str, Any]:
    """The public form of an item: ``_id`` becomes ``id``, a 24-hex string."""
    public = {key: value for key, value in document.items() if key != "_id"}
    return {"id": str(document["_id"]), **public}


def _check_name(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > NAME_MAX:
        return f"must be at most {NAME_MAX} characters"
    return None


def _check_description(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > DESCRIPTION_MAX:
        return f"must be at most {DESCRIPTION_MAX} characters"
    return None


def _check_quantity(value: Any) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return "must be a whole number, 0 or more"
    return None


def _check_tags(value: Any) -> str | None:
    if not isinstance(value, list) or len(value) > TAGS_MAX:
        return f"must be a list of at most {TAGS_MAX} strings"
    if not all(isinstance(tag, str) and 0 < len(tag) <= TAG_MAX for tag in value):
        return f"each tag must be a non-empty string of at most {TAG_MAX} characters"
    return None


def _check_attributes(value: Any) -> str | None:
    if not isinstance(value, dict) or len(value) > ATTRIBUTES_MAX:
        return f"must be an object with at most {ATTRIBUTES_MAX} keys"
    if not all(isinstance(v, SCALARS) for v in value.values()):
        return "values must be strings, numbers, booleans or null"
    return None


FIELDS = {
    "name": _check_name,
    "description": _check_description,
    "quantity": _check_quantity,
    "tags": _check_tags,
    "attributes": _check_attributes,
}


def defaults() -> dict[str, Any]:
    """Values for the optional fields, fresh each time (lists and dicts are mutable)."""
    return {"description": "", "quantity": 0, "tags": [], "attributes": {}}


def validate_item(body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The known, valid fields of ``body``, or a 422 listing every problem.

    ``partial`` is for PATCH: fields may be left out, but at least one is needed.
    """
    errors = {key: "is not a known field" for key in body if key not in FIELDS}
    for field, check in FIELDS.items():
        if field in body:
            problem = check(body[field])
            if problem:
                errors[field] = problem
    if not partial and "name" not in body:
        errors["name"] = "is required"
    if partial and not body:
        errors["body"] = f"must set at least one of: {', '.join(FIELDS)}"
    if errors:
        raise ValidationError(errors)
    item = {field: body[field] for field in FIELDS if field in body}
    if "name" in item:
        item["name"] = item["name"].strip()
    return item


def _conflict(name: str) -> Conflict:
    return Conflict(f"An item named {name!r} already exists.")


@bp.post("")
def create_item() -> tuple[Response, int, dict[str, str]]:
    item = {**defaults(), **validate_item(json_object(), partial=False)}
    now = datetime.now(UTC)
    item["created_at"] = item["updated_at"] = now
    try:
        result = collection().insert_one(item)
    except DuplicateKeyError:
        raise _conflict(item["name"]) from None
    location = url_for("items.get_item", item_id=result.inserted_id)
    return jsonify(to_json(item)), 201, {"Location": location}


@bp.get("")
def list_items() -> Response:
    after, limit = page_arguments()
    page = keyset_page(collection(), {}, after=after, limit=limit)
    next_url = None
    if page.next_after is not None:
        next_url = url_for("items.list_items", after=page.next_after, limit=limit)
    return jsonify(items=[to_json(doc) for doc in page.documents], next=next_url)


@bp.get("/<objectid:item_id>")
def get_item(item_id: ObjectId) -> Response:
    item = find_one_or_404(
        collection(), {"_id": item_id}, description=_missing(item_id)
    )
    return jsonify(to_json(item))


@bp.patch("/<objectid:item_id>")
def update_item(item_id: ObjectId) -> Response:
    """Apply the valid fields; the server stamps ``updated_at`` with its own clock.

    ``update_one`` tells apart the two failures a client must see differently: no
    match (404) and a unique-index violation (409). The item is then read back so
    the response shows exactly what is stored.
    """
    changes = validate_item(json_object(), partial=True)
    try:
        result = collection().update_one(
            {"_id": item_id},
            {"$set": changes, "$currentDate": {"updated_at": True}},
        )
    except DuplicateKeyError:
        raise _conflict(changes["name"]) from None
    if result.matched_count == 0:
        raise NotFound(_missing(item_id))
    item = find_one_or_404(
        collection(), {"_id": item_id}, description=_missing(item_id)
    )
    return jsonify(to_json(item))


@bp.delete("/<objectid:item_id>")
def delete_item(item_id: ObjectId) -> tuple[str, int]:
    if collection().delete_one({"_id": item_id}).deleted_count == 0:
        raise NotFound(_missing(item_id))
    return "", 204


def _missing(item_id: ObjectId) -> str:
    return f"No item with id {item_id}."


def seed_items(count: int) -> int:
    """Insert ``count`` sample items that do not exist yet; returns how many were new.

    Upserting on the unique name makes seeding idempotent: run it twice, get the
    same data.
    """
    now = datetime.now(UTC)
    created = 0
    for number in range(1, count + 1):
        name = f"Sample item {number}"
        sample = {
            **defaults(),
            "quantity": number,
            "tags": ["sample"],
            "created_at": now,
            "updated_at": now,
        }
        result = collection().update_one(
            {"name": name}, {"$setOnInsert": sample}, upsert=True
        )
        if result.upserted_id is not None:
            created += 1
    current_app.logger.info("Seeded %d new items", created)
    return created
