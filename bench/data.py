"""The documents every measurement uses: realistic items, made the same way each time.

An item has what the generated service stores (name and its key, description,
quantity, tags, attributes, version, creator, timestamps) plus an owner reference
and a small edit history, so each document carries ObjectIds, timezone-aware
datetimes and nested fields, as real documents do.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo.collection import Collection

BATCH = 5_000
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
COLORS = ("red", "green", "blue", "black", "white")


def document(number: int) -> dict[str, Any]:
    """Item ``number``; datetimes are whole milliseconds, as MongoDB stores them."""
    created = EPOCH + timedelta(minutes=number)
    name = f"Item {number:06d}"
    return {
        "name": name,
        # What the service derives and stores with every item: the case-free name
        # key its list sorts and pages on (names.py: casefold of an ASCII name),
        # the version its ETags carry, and who made it.
        "name_key": name.casefold(),
        "version": 1,
        "created_by": "bench",
        "description": f"Sample item number {number}, used by the benchmark.",
        "quantity": number % 1000,
        "tags": ["bench", COLORS[number % len(COLORS)]],
        "attributes": {
            "color": COLORS[number % 5],
            "size": number % 7,
            "fragile": False,
        },
        "owner_id": ObjectId(),
        "history": [
            {"at": created, "by": ObjectId(), "change": "created"},
            {"at": created + timedelta(hours=1), "by": ObjectId(), "change": "priced"},
        ],
        "created_at": created,
        "updated_at": created + timedelta(hours=1),
    }


def seed(collection: Collection[Any], count: int) -> float:
    """Insert ``count`` items in batches; returns the seconds it took."""
    started = time.perf_counter()
    for start in range(0, count, BATCH):
        stop = min(count, start + BATCH)
        collection.insert_many([document(n) for n in range(start, stop)])
    return time.perf_counter() - started


def ids(collection: Collection[Any], count: int) -> list[ObjectId]:
    """The first ``count`` ids in ``_id`` order."""
    cursor = collection.find({}, {"_id": 1}).sort("_id", 1).limit(count)
    return [doc["_id"] for doc in cursor]
