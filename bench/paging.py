"""Pagination cost as the collection grows: a first page against a deep one.

The generated ``keyset_page`` (``_id > last seen``) and skip/limit are both asked for
a page of 20 at the same depth of the same collection. It imports the baked
package, so it runs inside the project (``bench.in_project``).
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from typing import Any

from pymongo import MongoClient

from bench.data import seed
from bench.in_project import answer

PAGE = 20


def _median_ms(query: Callable[[], list[Any]], repeat: int) -> dict[str, Any]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        documents = query()
        timings.append((time.perf_counter() - started) * 1e3)
        if len(documents) != PAGE:
            raise RuntimeError(f"a page held {len(documents)} documents, not {PAGE}")
    return {"ms": timings, "median_ms": statistics.median(timings)}


def measure(package: str, uri: str, *, size: int, repeat: int) -> dict[str, Any]:
    """Seed ``size`` documents into the database ``uri`` names, then time pages."""
    client: MongoClient[dict[str, Any]] = MongoClient(uri, tz_aware=True)
    with client:
        return _measure(package, client.get_default_database()["pages"], size, repeat)


def _measure(package: str, collection: Any, size: int, repeat: int) -> dict[str, Any]:
    keyset_page = importlib.import_module(f"{package}.pagination").keyset_page
    insert_seconds = seed(collection, size)
    depth = size * 9 // 10
    cursor = collection.find({}, {"_id": 1}).sort("_id", 1).skip(depth - 1).limit(1)
    after = next(cursor)["_id"]

    def keyset(after: Any) -> Callable[[], list[Any]]:
        return lambda: keyset_page(collection, {}, after=after, limit=PAGE).documents

    def skip(depth: int) -> Callable[[], list[Any]]:
        return lambda: list(collection.find().sort("_id", 1).skip(depth).limit(PAGE))

    return {
        "collection_size": size,
        "insert_seconds": insert_seconds,
        "depth": depth,
        **first_and_deep(keyset, skip, after=after, depth=depth, repeat=repeat),
    }


def first_and_deep(
    keyset: Callable[[Any], Callable[[], list[Any]]],
    skip: Callable[[int], Callable[[], list[Any]]],
    *,
    after: Any,
    depth: int,
    repeat: int,
) -> dict[str, Any]:
    """The first page and the page at ``depth``, by keyset and by skip/limit.

    ``keyset(after)`` and ``skip(depth)`` build the queries; every pagination
    measurement reports these four timings under the same names.
    """
    return {
        "keyset_first": _median_ms(keyset(None), repeat),
        "keyset_deep": _median_ms(keyset(after), repeat),
        "skip_first": _median_ms(skip(0), repeat),
        "skip_deep": _median_ms(skip(depth), repeat),
    }


if __name__ == "__main__":
    answer(measure)
