"""Versioned data migrations: one module per step, applied in name order.

Each module here is named ``v<NNNN>_<what>.py`` and defines ``up(db)``.
``flask db upgrade`` runs the ones not yet recorded in the ``schema_migrations``
collection, after the indexes and validators, under the schema lease, and records
each as it finishes; ``flask db status`` lists them. A step may run again if a
deploy dies between its work and its record, so write ``up`` to be idempotent
(filter on what still needs the change, use ``$set`` rather than ``$inc``).
Steps are never edited once deployed: add the next one instead.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from pymongo.database import Database

COLLECTION = "schema_migrations"
NAME = re.compile(r"^v\d{4}_[a-z0-9_]+$")


class Migration(NamedTuple):
    name: str
    up: Callable[[Database[Any]], None]


def discover() -> list[Migration]:
    """Every migration module of this package, in order; a misnamed one is an error."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        if not NAME.match(module.name):
            raise RuntimeError(
                f"migrations/{module.name}.py: a migration is named v<NNNN>_<what>.py"
            )
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        found.append(Migration(module.name, loaded.up))
    return sorted(found)


def applied(db: Database[Any]) -> dict[str, Any]:
    """Name -> when it was applied, for the migrations recorded in ``db``."""
    return {
        record["_id"]: record.get("applied_at")
        for record in db[COLLECTION].find({}, {"applied_at": 1})
    }
