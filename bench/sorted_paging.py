"""A filtered, sorted page at depth against the first one (issue 13).

The baked service's own list rule is used: ``items.LISTING`` for the order and
its tie-break, ``pagination.keyset_page`` for the page, and ``indexes.INDEXES``
for the indexes, created first as ``flask db upgrade`` would. The page is
``?tag=red&sort=quantity`` (an equality filter, then a sort key, then the
unique name key): where the server walks the (tags, quantity, name_key) index
from the cursor, a page 90 % of the way down costs what the first does; skip
and limit at the same depth are measured beside it for contrast.

``python bench/sorted_paging.py --uri mongodb://127.0.0.1:PORT --package NAME``
runs it alone (the baked package must be importable); ``run.py`` calls
``measure``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from collections.abc import Callable
from typing import Any

from data import document
from paging import PAGE, _median_ms
from pymongo import MongoClient
from pymongo.collection import Collection

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


def measure(
    package: str, collection: Collection[Any], *, size: int, repeat: int
) -> dict[str, Any]:
    keyset_page = importlib.import_module(f"{package}.pagination").keyset_page
    listing = importlib.import_module(f"{package}.items").LISTING
    order = listing.orders()["quantity"]
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

    deep = keyset(after)()
    expected = list(collection.find(query).sort(order.spec).skip(depth).limit(PAGE))
    if [d["_id"] for d in deep] != [d["_id"] for d in expected]:
        raise RuntimeError("the keyset page at depth is not the skip page there")
    return {
        "collection_size": size,
        "matching": matching,
        "depth": depth,
        "order": order.spec,
        "insert_seconds": insert_seconds,
        "keyset_first": _median_ms(keyset(None), repeat),
        "keyset_deep": _median_ms(keyset(after), repeat),
        "skip_first": _median_ms(skip(0), repeat),
        "skip_deep": _median_ms(skip(depth), repeat),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", required=True)
    parser.add_argument("--package", required=True)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    client: MongoClient[dict[str, Any]] = MongoClient(args.uri, tz_aware=True)
    try:
        result = measure(
            args.package,
            client["sorted_paging"]["items"],
            size=args.size,
            repeat=args.repeat,
        )
    finally:
        client.close()
    medians = {
        key: round(value["median_ms"], 2)
        for key, value in result.items()
        if isinstance(value, dict)
    }
    print(
        json.dumps(
            {
                **{k: result[k] for k in ("collection_size", "matching", "depth")},
                **medians,
            }
        )
    )


if __name__ == "__main__":
    main()
