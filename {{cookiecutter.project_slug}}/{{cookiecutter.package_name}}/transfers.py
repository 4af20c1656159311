"""Move quantity from one item to another: two documents changed together.

``POST /api/items/transfers`` takes ``quantity`` from ``source`` and adds it to
``target`` in one transaction (``transactions.py``): both change or neither
does, and neither ever goes below zero or above the largest 64-bit integer,
however many transfers run at once. The conditions sit in the updates' filters,
so the database checks them in the same step that writes.
{%- if cookiecutter.auth != "none" %}

A transfer changes both items, so it follows PATCH's rules for each: the
``write`` scope, and both items the caller's own unless the caller is ``admin``
(403 otherwise, and nothing moves). The ownership condition sits in the same
filters.
{%- endif %}
"""

from __future__ import annotations

from typing import Annotated, Any

from bson import ObjectId
from flask import Blueprint, Response, jsonify
from pydantic import Field
from pymongo import ReturnDocument
from pymongo.client_session import ClientSession
from werkzeug.exceptions import Conflict, HTTPException, NotFound

{% if cookiecutter.auth != "none" -%}
from .auth import not_yours, owned
{% endif -%}
from .db import get_collection
from .errors import error_response
from .openapi import operation
from .resources import INT64_MAX, OBJECT_ID, Model, Positive
from .transactions import ReplicaSetRequired, atomically

bp = Blueprint("transfers", __name__, url_prefix="/api/items")

Id = Annotated[str, Field(pattern=OBJECT_ID)]
OVERFLOW = "The target item's quantity would exceed the largest integer."
CHANGED = "The target item changed during the transfer; try again."


class Transfer(Model):
    """Move ``quantity`` (at least 1) from the ``source`` item to the ``target``."""

    source: Id
    target: Id
    quantity: Positive


class Side(Model):
    id: Id
    quantity: int


class TransferOut(Model):
    """Both items' quantities after the transfer."""

    source: Side
    target: Side
    quantity: int


def refusal(
    item_id: ObjectId, role: str, session: ClientSession | None
) -> HTTPException | None:
    """Why an update of ``item_id`` matched nothing, if not its quantity.

    No such item: 404{% if cookiecutter.auth != "none" %}; another caller's: 403{% endif %}; the item is there{% if cookiecutter.auth != "none" %} and
    the caller's{% endif %}: None (its quantity was in the way).
    """
    items = get_collection("items")
    if items.find_one({"_id": item_id}, {"_id": 1}, session=session) is None:
        return NotFound(f"No {role} item with that id.")
{%- if cookiecutter.auth != "none" %}
    if items.find_one(owned({"_id": item_id}), {"_id": 1}, session=session) is None:
        return not_yours("item")
{%- endif %}
    return None


def move(
    source: ObjectId, target: ObjectId, quantity: int, session: ClientSession | None
) -> dict[str, Any]:
    """Both updates, each refusing to cross a bound; raising aborts the transaction."""
    items = get_collection("items")
    # A transfer is an edit of both items: a new version, so an If-Match sent
    # for the old quantity fails (412) instead of overwriting it.
    changes = {"$currentDate": {"updated_at": True}}
    after = ReturnDocument.AFTER
    # The target first: on the in-memory backend (no rollback) nothing may be
    # taken from the source before the whole transfer is known to fit.
    found = items.find_one({{ 'owned({"_id": target})' if cookiecutter.auth != "none" else '{"_id": target}' }}, {"quantity": 1}, session=session)
    if found is None:
        raise refusal(target, "target", session) or Conflict(CHANGED)
    if found.get("quantity", 0) > INT64_MAX - quantity:
        raise Conflict(OVERFLOW)
    taken = items.find_one_and_update(
        {{ 'owned({"_id": source, "quantity": {"$gte": quantity}})' if cookiecutter.auth != "none" else '{"_id": source, "quantity": {"$gte": quantity}}' }},
        {"$inc": {"quantity": -quantity, "version": 1}, **changes},
        projection={"quantity": 1},
        return_document=after,
        session=session,
    )
    if taken is None:
        raise refusal(source, "source", session) or Conflict(
            "The source item has less than that quantity."
        )
    given = items.find_one_and_update(
        {{ 'owned({"_id": target, "quantity": {"$lte": INT64_MAX - quantity}})' if cookiecutter.auth != "none" else '{"_id": target, "quantity": {"$lte": INT64_MAX - quantity}}' }},
        {"$inc": {"quantity": quantity, "version": 1}, **changes},
        projection={"quantity": 1},
        return_document=after,
        session=session,
    )
    if given is None:  # changed since it was read: the transaction aborts
        raise Conflict(OVERFLOW)
    return {
        "source": {"id": str(source), "quantity": taken["quantity"]},
        "target": {"id": str(target), "quantity": given["quantity"]},
        "quantity": quantity,
    }


@bp.post("/transfers")
@operation(body=Transfer, response=TransferOut, errors=(404, 409, 501))
def create_transfer() -> Response:
    """Move quantity from one item to another, atomically."""
    transfer = Transfer.from_request()
    source, target = ObjectId(transfer.source), ObjectId(transfer.target)
    if source == target:
        # A 409, not a 422: the body is valid JSON Schema (which cannot say
        # "two fields differ"); it is this request's state that cannot be.
        raise Conflict("The source and the target are the same item.")
    quantity = transfer.quantity
    return jsonify(atomically(lambda session: move(source, target, quantity, session)))


@bp.errorhandler(ReplicaSetRequired)
def replica_set_required(error: ReplicaSetRequired) -> Response:
    return error_response(501, error.description or "", code="replica_set_required")
