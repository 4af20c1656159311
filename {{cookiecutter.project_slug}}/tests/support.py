"""Small helpers that test modules import (fixtures stay in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from typing import Any

from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient
from pymongo.collection import Collection
from pymongo.database import Database

# Builds an app with settings overridden: the ``make_app`` and ``shared_app``
# fixtures.
AppFactory = Callable[..., Flask]

# A closed port on loopback: connections are refused at once, so "the database
# is down" is certain. pymongo still waits for server selection before it gives
# up (0.5 s at the least, unless the test lowers that floor with conftest's
# prompt_server_checks), so only a test of that wait should use it for real.
UNREACHABLE_URI = "mongodb://127.0.0.1:9/unreachable"


def unique_keys(collection: Collection[Any]) -> list[list[tuple[str, int]]]:
    """The key patterns of a collection's unique indexes, whatever they are named.

    Servers name indexes differently (nx-27017 is not MongoDB), so tests compare
    what an index does, not what it is called.
    """
    indexes = collection.index_information().values()
    return [list(index["key"]) for index in indexes if index.get("unique")]


class Stock:
    """Items made through the API once per module, then stored again as they were.

    The first test that fills a stock makes its items with POST /api/items and
    keeps the API's answers and the documents it stored. Every later test gets
    those very documents stored directly in its own database, and the same
    answers: for tests that only read the items, the requests were set-up that
    cost about 1 ms each (listing alone sent some 450 of them, 0.4 s a run).
    """

    def __init__(self) -> None:
        self.made: dict[str, dict[str, Any]] = {}
        self.documents: list[dict[str, Any]] = []

    def fill(
        self, client: FlaskClient, db: Database[Any], bodies: list[dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        """The items of ``bodies`` in ``db``; the API's answers, by the name sent."""
        if not self.documents:
            for body in bodies:
                response = client.post("/api/items", json=body)
                assert response.status_code == 201, response.get_json()
                self.made[body["name"]] = response.get_json()
            ids = [ObjectId(made["id"]) for made in self.made.values()]
            self.documents = list(db.items.find({"_id": {"$in": ids}}))
        else:
            db.items.insert_many(deepcopy(self.documents))
        return deepcopy(self.made)
