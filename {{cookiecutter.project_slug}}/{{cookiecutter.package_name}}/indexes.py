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
    "items": [
        IndexModel([("name_key", ASCENDING)], name="name_key_unique", unique=True)
    ],
}


def create_indexes(db: Database[Any]) -> list[str]:
    """Create the declared indexes in ``db``; returns their names."""
    names: list[str] = []
    for collection, models in INDEXES.items():
        names.extend(db[collection].create_indexes(models))
    return names
