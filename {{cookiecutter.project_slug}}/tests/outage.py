"""A database outage without the wait: a client whose operations fail at once.

Against an unreachable server pymongo raises only after the server selection
timeout (0.5 s at the least), so proving each route's 503 that way costs
seconds. ``DownClient`` stands in for a ``MongoClient`` in that state: like
pymongo, it does no I/O to hand out a database or a collection, and every
operation raises the error pymongo would, at once. One difference: pymongo's
``find`` returns a cursor that fails when first read; this fails at the call.

tests/test_db.py keeps one test that waits for a real unreachable server.
"""

from __future__ import annotations

from typing import Any, NoReturn

from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    NetworkTimeout,
    NotPrimaryError,
    ServerSelectionTimeoutError,
    WaitQueueTimeoutError,
)

# What pymongo raises when the database goes away: no server to select, a
# connection dropped or timed out mid-operation, a primary stepping down, and
# a pool with no free connection.
OUTAGE_ERRORS: list[type[ConnectionFailure]] = [
    ServerSelectionTimeoutError,
    AutoReconnect,
    NetworkTimeout,
    NotPrimaryError,
    WaitQueueTimeoutError,
]


class DownClient:
    """A client, and every database and collection from it, with the server gone."""

    def __init__(self, error: type[ConnectionFailure]) -> None:
        self.error = error

    @property  # type: ignore[misc]
    def __class__(self) -> type[Any]:
        """Passes ``isinstance(..., Database)``: code that checks it was handed a
        pymongo ``Database`` before any I/O (pymongo's file storage does) then
        fails at its first operation, as a real one does during an outage."""
        return Database

    def __getitem__(self, name: str) -> DownClient:
        return self  # client["db"], db["collection"]: no I/O in pymongo either

    def __getattr__(self, name: str) -> DownClient:
        if name.startswith("_"):
            raise AttributeError(name)
        return self  # client.admin, db.items, then the operation is a call

    def get_database(self, *args: object, **kwargs: object) -> DownClient:
        return self

    def get_collection(self, *args: object, **kwargs: object) -> DownClient:
        return self

    def __call__(self, *args: object, **kwargs: object) -> NoReturn:
        raise self.error(f"simulated outage: {self.error.__name__}")

    def close(self) -> None:
        """Closing a client succeeds during an outage, as pymongo's does."""
