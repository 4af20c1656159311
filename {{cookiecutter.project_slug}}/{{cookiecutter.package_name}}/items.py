"""The example resource: items, with create, read, list, update and delete.

A resource is its models, its views and its own rules; the shared steps live in
``resources.Store``, and ``Model.from_request`` parses a body (``parse_body``).
See the README's "Add a resource" for writing the next one.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from flask import Blueprint, Response, current_app, jsonify
from pydantic import Field

from . import idempotency, stats, versions
from .idempotency import idempotent
from .listing import Listing, at_least, at_most, name_prefix, tag
from .openapi import operation
from .resources import (
    Count,
    FreeMap,
    Model,
    Name,
    Store,
    Tags,
    Text,
    paged,
    partial,
    stored,
)

bp = Blueprint("items", __name__, url_prefix="/api/items")
store = Store("items", noun="item", unique="name")
# Each filter and sort needs an index (indexes.py; tests/test_listing.py checks).
# Ties are broken by the unique name key, already indexed and a stable order.
LISTING = Listing(
    filters={
        "tag": tag("tags"),
        "name_prefix": name_prefix("name_key"),
        "min_quantity": at_least("quantity"),
        "max_quantity": at_most("quantity"),
    },
    sorts={
        "name": ("name_key", str),
        "created": ("created_at", datetime),
        "quantity": ("quantity", int),
    },
    tiebreak="name_key",
)


class Item(Model):
    """An item as a client sends it; the name is unique, ignoring letter case."""

    name: Name
    description: Text = ""
    quantity: Count = 0
    tags: Tags = Field(default_factory=list)
    attributes: FreeMap = Field(default_factory=dict)


ItemPatch = partial(Item)
ItemOut = stored(Item)


@bp.post("")
@operation(
    body=Item,
    response=ItemOut,
    status=201,
    errors=(409,),
    link_id="id",
    parameters=(idempotency.PARAMETER,),
    headers=("ETag", "Idempotent-Replayed"),
)
@idempotent
def create_item() -> tuple[Response, int, dict[str, str]]:
    """Create an item; with an Idempotency-Key, a retry creates nothing more."""
    return store.create(Item.from_request(), location="items.get_item")


@bp.get("")
@operation(response=paged(ItemOut), query=LISTING.parameters)
def list_items() -> Response:
    """List items, filtered and sorted (by name unless asked), a page at a time."""
    return store.page("items.list_items", listing=LISTING)


class TagTotal(Model):
    tag: str
    items: int
    quantity: int


class Stats(Model):
    """Per tag, most used first: how many items carry it, their total quantity."""

    tags: list[TagTotal]


# The list's filters but the tag itself (every row is one tag).
STATS_FILTERS = {name: spec for name, spec in LISTING.filters.items() if name != "tag"}


@bp.get("/stats")
@operation(response=Stats, query=lambda config: stats.parameters(STATS_FILTERS))
def item_stats() -> Response:
    """Counts and total quantity per tag ($unwind, $group, $sort)."""
    return jsonify(tags=stats.tag_totals(store.collection(), STATS_FILTERS))


@bp.get("/<objectid:item_id>")
@operation(response=ItemOut, headers=("ETag",))
def get_item(item_id: ObjectId) -> Response:
    """Read one item."""
    return store.get(item_id)


@bp.patch("/<objectid:item_id>")
@operation(
    body=ItemPatch,
    response=ItemOut,
    errors=(409, 412),
    parameters=(versions.PARAMETER,),
    headers=("ETag",),
)
def update_item(item_id: ObjectId) -> Response:
    """Change some fields of an item; the others stay as they are."""
    return store.update(item_id, ItemPatch.from_request())


@bp.delete("/<objectid:item_id>")
@operation(status=204, errors=(400, 412), parameters=(versions.PARAMETER,))
def delete_item(item_id: ObjectId) -> tuple[str, int]:
    """Delete an item."""
    return store.delete(item_id)


def seed_items(count: int) -> int:
    """Insert ``count`` sample items that do not exist yet; returns how many were new.

    Upserting on the unique name's key makes seeding idempotent: run it twice,
    get the same data.
    """
    created = 0
    for number in range(1, count + 1):
        sample = Item(name=f"Sample item {number}", quantity=number, tags=["sample"])
        fields = store.stamped(sample)
        result = store.collection().update_one(
            {"name_key": fields["name_key"]}, {"$setOnInsert": fields}, upsert=True
        )
        if result.upserted_id is not None:
            created += 1
    current_app.logger.info("Seeded %d new items", created)
    return created
