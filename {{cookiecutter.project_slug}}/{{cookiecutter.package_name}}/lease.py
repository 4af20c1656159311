"""A lock kept in the database that expires: a lease.

Two deploys must never change the schema at the same time, and a deploy that
crashed must not block the next one forever. A lease is one document,
``{_id: name, owner, expires_at}``. Taking it is a single atomic
``find_one_and_update`` that matches the lease only when it has expired, with
``upsert``: when nobody holds it the document is inserted, when it expired the
new owner replaces the old one, and when someone else holds a live lease the
filter matches nothing and the insert collides on ``_id`` (a DuplicateKeyError).
Exactly one caller sees its own name come back.

Expiry is judged by the deploying machine's clock: keep the lease far longer
than any clock skew, and renew it between long steps.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

COLLECTION = "schema_lease"
POLL_SECONDS = 0.5


class LeaseHeldError(RuntimeError):
    """Someone else holds the lease, and it did not come free in time."""


class LeaseLostError(RuntimeError):
    """The lease expired and another owner took it while we worked."""


def new_owner() -> str:
    """Who holds a lease, readable in the refusal message of the one waiting."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """One named lease in ``collection``, taken on behalf of ``owner``."""

    def __init__(
        self, collection: Collection[Any], name: str, *, seconds: float, owner: str
    ) -> None:
        self.collection = collection
        self.name = name
        self.seconds = seconds
        self.owner = owner

    def _expiry(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.seconds)

    def try_acquire(self) -> bool:
        """Take the lease if it is free or expired; True when it is ours now."""
        try:
            taken = self.collection.find_one_and_update(
                {"_id": self.name, "expires_at": {"$lte": datetime.now(UTC)}},
                {"$set": {"owner": self.owner, "expires_at": self._expiry()}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            return False
        return taken is not None and taken.get("owner") == self.owner

    def acquire(self, wait: float) -> None:
        """Take the lease, polling for up to ``wait`` seconds; LeaseHeldError if not."""
        deadline = time.monotonic() + wait
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                holder = self.collection.find_one({"_id": self.name}) or {}
                raise LeaseHeldError(
                    f"another upgrade holds the {self.name!r} lock "
                    f"(owner {holder.get('owner')}, until {holder.get('expires_at')}); "
                    f"waited {wait:g} s. Try again when it ends or expires."
                )
            time.sleep(POLL_SECONDS)

    def renew(self) -> None:
        """Push the expiry forward; LeaseLostError if it is no longer ours."""
        result = self.collection.update_one(
            {"_id": self.name, "owner": self.owner},
            {"$set": {"expires_at": self._expiry()}},
        )
        if result.matched_count == 0:
            raise LeaseLostError(
                f"the {self.name!r} lock expired and was taken over; "
                "use a longer lease (--lease)"
            )

    def release(self) -> None:
        """Give the lease up at once (only if it is still ours)."""
        self.collection.delete_one({"_id": self.name, "owner": self.owner})


@contextmanager
def hold(
    collection: Collection[Any], name: str, *, seconds: float, wait: float
) -> Iterator[Lease]:
    """Hold the lease ``name`` for the block; it is released however the block ends."""
    lease = Lease(collection, name, seconds=seconds, owner=new_owner())
    lease.acquire(wait)
    try:
        yield lease
    finally:
        lease.release()
