"""Every index the service relies on, declared in one place.

Uniqueness is enforced by the database, not by checking before writing: two
requests racing to create the same name would both pass a check, but only one can
pass a unique index. Indexes are built by the deploy step (``flask db upgrade``,
see ``schema.py``), never by a request; ``/readyz`` compares this list with what
the server has.

Servers name indexes their own way (MongoDB keeps the name given here, others
do not), so an index counts as present when one on the server has the same keys
and the same options, whatever it is called.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    # Rate-limit counters (rate_limits.py) are deleted once their window is over.
    "rate_limits": [
        IndexModel([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=0)
    ],
}

# Options that change what an index does; anything else a server reports (``v``,
# ``ns``, ``background``, its own name) is bookkeeping.
OPTIONS: dict[str, Any] = {
    "unique": False,
    "sparse": False,
    "expireAfterSeconds": None,
    "partialFilterExpression": None,
    "collation": None,
    "hidden": False,
}


def declared() -> Iterator[tuple[str, IndexModel]]:
    """Each declared index with its collection, in declaration order."""
    for collection, models in INDEXES.items():
        for model in models:
            yield collection, model


def describe(collection: str, model: IndexModel) -> str:
    """One readable line: ``items.name_key_unique (name_key: 1) unique``."""
    spec = model.document
    keys = ", ".join(f"{field}: {order}" for field, order in spec["key"].items())
    flags = [name for name in OPTIONS if name in spec]
    return " ".join([f"{collection}.{spec['name']}", "(" + keys + ")", *flags])


def _number(value: Any) -> Any:
    """1, 1.0 and Int64(1) are the same direction; servers report any of them."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value == int(value) else value
    return value


def _keys(spec: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(field, _number(order)) for field, order in spec["key"].items()]


def matches(declared_spec: Mapping[str, Any], server_spec: Mapping[str, Any]) -> bool:
    """Whether a server's index does what a declared one asks: keys and options."""
    if _keys(declared_spec) != _keys(server_spec):
        return False
    for name, default in OPTIONS.items():
        want, have = declared_spec.get(name, default), server_spec.get(name, default)
        if name == "collation" and want is not None and have is not None:
            # Servers fill in every collation field; compare the declared ones.
            have = {field: have.get(field) for field in want}
        if _number(want) != _number(have):
            return False
    return True


def missing(db: Database[Any]) -> list[str]:
    """The declared indexes the server does not have, described one per line."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    absent = []
    for collection, model in declared():
        if collection not in found:
            found[collection] = list(db[collection].list_indexes())
        if not any(matches(model.document, spec) for spec in found[collection]):
            absent.append(describe(collection, model))
    return absent
