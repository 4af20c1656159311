"""Give every item a ``name_key``, which the unique index and the validator need.

Items written by another tool (an import, the shell) may lack the key the service
stores next to each name. Idempotent: it touches only items without one.
"""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from .. import names


def up(db: Database[Any]) -> None:
    for item in db.items.find({"name_key": {"$exists": False}}, {"name": 1}):
        if isinstance(item.get("name"), str):
            db.items.update_one(
                {"_id": item["_id"], "name_key": {"$exists": False}},
                {"$set": {"name_key": names.key(item["name"])}},
            )
