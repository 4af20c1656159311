from __future__ import annotations

from typing import Any

import pytest
from bson.int64 import Int64
from bson.son import SON
from pymongo.database import Database

from {{ cookiecutter.package_name }}.indexes import (
    INDEXES,
    declared,
    describe,
    matches,
    missing,
)

DECLARED = {"key": SON([("name_key", 1)]), "name": "name_key_unique", "unique": True}


@pytest.mark.parametrize(
    "server",
    [
        {
            "v": 2,
            "key": SON([("name_key", 1)]),
            "name": "name_key_unique",
            "unique": True,
        },
        # Another server's name for the same index.
        {
            "v": 2,
            "key": SON([("name_key", 1)]),
            "name": "idx_items_name_key",
            "unique": True,
        },
        {"key": {"name_key": 1.0}, "name": "x", "unique": True, "background": True},
        {"key": {"name_key": Int64(1)}, "name": "x", "unique": True, "ns": "db.items"},
    ],
)
def test_an_index_matches_by_keys_and_options_whatever_its_name(
    server: dict[str, Any],
) -> None:
    assert matches(DECLARED, server)


@pytest.mark.parametrize(
    "server",
    [
        {"key": {"name_key": 1}, "name": "name_key_unique"},  # same name, not unique
        {"key": {"name_key": 1}, "name": "name_key_unique", "unique": False},
        {"key": {"name_key": -1}, "name": "name_key_unique", "unique": True},
        {"key": {"name_key": 1, "tags": 1}, "name": "name_key_unique", "unique": True},
        {"key": {"title": 1}, "name": "name_key_unique", "unique": True},
        {"key": {"name_key": 1}, "name": "n", "unique": True, "sparse": True},
        {"key": {"name_key": 1}, "name": "n", "unique": True, "expireAfterSeconds": 60},
        {
            "key": {"name_key": 1},
            "name": "n",
            "unique": True,
            "partialFilterExpression": {"quantity": {"$gt": 0}},
        },
    ],
)
def test_an_index_with_other_keys_or_options_does_not_match(
    server: dict[str, Any],
) -> None:
    assert not matches(DECLARED, server)


def test_key_order_matters() -> None:
    compound = {"key": SON([("a", 1), ("b", 1)]), "name": "ab"}
    assert matches(compound, {"key": SON([("a", 1), ("b", 1)]), "name": "other"})
    assert not matches(compound, {"key": SON([("b", 1), ("a", 1)]), "name": "ab"})


def test_a_collation_matches_on_the_fields_declared() -> None:
    declared_spec = {
        "key": {"name_key": 1},
        "collation": {"locale": "en", "strength": 2},
    }
    filled_in = {"locale": "en", "strength": 2, "caseLevel": False, "version": "57"}
    assert matches(declared_spec, {"key": {"name_key": 1}, "collation": filled_in})
    other = {**filled_in, "strength": 3}
    assert not matches(declared_spec, {"key": {"name_key": 1}, "collation": other})
    assert not matches(declared_spec, {"key": {"name_key": 1}})


def test_missing_lists_what_the_server_lacks(db: Database[Any]) -> None:
    assert missing(db) == []
    db.items.drop_indexes()
    every_items_index = [describe("items", model) for model in INDEXES["items"]]
    assert missing(db) == every_items_index
    assert "items.name_key_unique (name_key: 1) unique" in every_items_index
    db.drop_collection("items")
    assert len(missing(db)) == len(INDEXES["items"])


def test_every_declared_index_has_a_unique_name() -> None:
    names = [(collection, model.document["name"]) for collection, model in declared()]
    assert len(names) == len(set(names))
