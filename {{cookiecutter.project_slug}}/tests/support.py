"""Small helpers that test modules import (fixtures stay in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from pymongo.collection import Collection

# Builds an app with settings overridden: the ``make_app`` fixture.
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
