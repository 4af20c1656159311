"""A filtered, sorted page at depth against the first one (issue 13).

The baked service's own list rule is used: ``items.LISTING`` for the order and
its tie-break, ``pagination.keyset_page`` for the page, and ``indexes.INDEXES``
for the indexes, created first as ``flask db upgrade`` would. The page is
``?tag=red&sort=quantity`` (an equality filter, then a sort key, then the
unique name key): where the server walks the (tags, quantity, name_key) index
from the cursor, a page 90 % of the way down costs what the first does; skip
and limit at the same depth are measured beside it for contrast.

It imports the baked package, so it runs inside the project
(``bench.in_project``), as ``bench.paging`` does.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from pymongo import MongoClient
from pymongo.collection import Collection

from bench.data import document
from bench.in_project import answer
from bench.paging import PAGE, first_and_deep

TAG = "red"  # one item in five (data.COLORS)


def _seed(collection: Collection[Any], package: str, size: int) -> float:
    names = importlib.import_module(f"{package}.names")
    indexes = importlib.import_module(f"{package}.indexes")
    started = time.perf_counter()
    collection.drop()
    collection.create_indexes(indexes.INDEXES["items"])
    batch = []
    for number in range(size):
        item = document(number)
        item["name_key"] = names.key(item["name"])
        batch.append(item)
        if len(batch) == 5_000:
            collection.insert_many(batch)
            batch = []
    if batch:
        collection.insert_many(batch)
    return time.perf_counter() - started


def measure(package: str, uri: str, *, size: int, repeat: int) -> dict[str, Any]:
    """Seed ``size`` documents into the database ``uri`` names, then time pages."""
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    with client:
        return _measure(package, client.get_default_database()["items"], size, repeat)


def _measure(
    package: str, collection: Collection[Any], size: int, repeat: int
) -> dict[str, Any]:
    keyset_page = importlib.import_module(f"{package}.pagination").keyset_page
    listing = importlib.import_module(f"{package}.items").LISTING
    order = listing.orders["quantity"]
    insert_seconds = _seed(collection, package, size)
    query = {listing.filters["tag"].field: TAG}
    matching = collection.count_documents(query)
    depth = matching * 9 // 10
    last = next(collection.find(query).sort(order.spec).skip(depth - 1).limit(1))
    after = (last[order.field], last[order.tiebreak])

    def keyset(after: Any) -> Callable[[], list[Any]]:
        return lambda: (
            keyset_page(
                collection, query, after=after, limit=PAGE, order=order.spec
            ).documents
        )

    def skip(depth: int) -> Callable[[], list[Any]]:
        return lambda: list(
            collection.find(query).sort(order.spec).skip(depth).limit(PAGE)
        )

    deep, expected = keyset(after)(), skip(depth)()
    if [d["_id"] for d in deep] != [d["_id"] for d in expected]:
        raise RuntimeError("the keyset page at depth is not the skip page there")
    return {
        "collection_size": size,
        "matching": matching,
        "depth": depth,
        "order": order.spec,
        "insert_seconds": insert_seconds,
        **first_and_deep(keyset, skip, after=after, depth=depth, repeat=repeat),
    }


if __name__ == "__main__":
    answer(measure)
