"""Upload quota: the bytes of files one caller may keep stored (FILES_QUOTA_BYTES).

Each caller has one counter document, ``{"_id": <caller>, "used": <bytes>}``.
An upload reserves its size before it is stored, with one conditional ``$inc``
that matches only while ``used + size`` stays within the quota, so concurrent
uploads cannot overshoot it between a check and a write: the database decides.
A failed upload and a delete give the bytes back.
"""

from __future__ import annotations

from contextlib import suppress

from flask import current_app
from pymongo.errors import DuplicateKeyError
from werkzeug.exceptions import RequestEntityTooLarge

from .db import get_db

COLLECTION = "quotas"


class QuotaExceeded(RequestEntityTooLarge):
    """413 with its own code, so a client can tell it from a too-large body."""

    code_name = "quota_exceeded"


def reserve(owner: str, size: int) -> None:
    """Count ``size`` bytes against ``owner``, or raise QuotaExceeded."""
    limit: int = current_app.config["FILES_QUOTA_BYTES"]
    counters = get_db()[COLLECTION]
    if size > limit:
        raise QuotaExceeded(f"This file alone is over the {limit}-byte quota.")
    # A concurrent first upload may make the counter first: that is fine.
    with suppress(DuplicateKeyError):
        counters.update_one({"_id": owner}, {"$setOnInsert": {"used": 0}}, upsert=True)
    reserved = counters.update_one(
        {"_id": owner, "used": {"$lte": limit - size}}, {"$inc": {"used": size}}
    )
    if reserved.matched_count != 1:  # matched, not modified: a 0-byte file counts
        raise QuotaExceeded(
            f"Storing this file would take you over your {limit}-byte quota; "
            "delete some files first."
        )


def release(owner: str, size: int) -> None:
    """Give back ``size`` bytes (a failed upload, a deleted file)."""
    if size:
        get_db()[COLLECTION].update_one({"_id": owner}, {"$inc": {"used": -size}})


def used(owner: str) -> int:
    found = get_db()[COLLECTION].find_one({"_id": owner}) or {}
    count: int = found.get("used", 0)
    return count
