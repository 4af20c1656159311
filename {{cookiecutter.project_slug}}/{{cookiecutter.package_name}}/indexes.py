"""Every index the service relies on, declared in one place.

Uniqueness is enforced by the database, not by checking before writing: two
requests racing to create the same name would both pass a check, but only one can
pass a unique index. ``flask init-db`` and the first use of the database both call
``create_indexes``; creating an index that already exists is a no-op.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

INDEXES: dict[str, list[IndexModel]] = {
    # On the name's key (names.py), so names differing only in case or in
    # invisible characters conflict.
    # The list's filters and sorts (items.LISTING): equality (tags), then the
    # sort key, then the unique name key that breaks ties, so every page is an
    # index walk from the cursor. (_id would do as the tie-break on MongoDB;
    # nx-27017 0.8.1 fails every insert once a compound index names _id.)
    "items": [
        IndexModel([("name_key", ASCENDING)], name="name_key_unique", unique=True),
        IndexModel(
            [("created_at", ASCENDING), ("name_key", ASCENDING)], name="created"
        ),
        IndexModel([("quantity", ASCENDING), ("name_key", ASCENDING)], name="quantity"),
        IndexModel(
            [("tags", ASCENDING), ("created_at", ASCENDING), ("name_key", ASCENDING)],
            name="tags_created",
        ),
        IndexModel([("tags", ASCENDING), ("name_key", ASCENDING)], name="tags_name"),
        IndexModel(
            [("tags", ASCENDING), ("quantity", ASCENDING), ("name_key", ASCENDING)],
            name="tags_quantity",
        ),
    ],
    # Idempotency keys (idempotency.py): the server deletes each a day after use.
    "idempotency_keys": [
        IndexModel(
            [("created_at", ASCENDING)], name="expires", expireAfterSeconds=86400
        )
    ],
}


def create_indexes(db: Database[Any]) -> list[str]:
    """Create the declared indexes in ``db``; returns their names."""
    names: list[str] = []
    for collection, models in INDEXES.items():
        names.extend(db[collection].create_indexes(models))
    return names
