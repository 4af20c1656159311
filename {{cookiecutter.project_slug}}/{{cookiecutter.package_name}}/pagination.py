"""Keyset pagination on ``_id``: every page costs the same, however deep.

``skip(n)`` makes the server walk and discard ``n`` documents, so page 5,000 is
slow. Asking for ``_id > last id seen`` uses the ``_id`` index and stays as fast
as the first page, and pages stay stable while documents are being inserted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from flask import current_app
from pymongo import ASCENDING
from pymongo.collection import Collection
from werkzeug.exceptions import BadRequest

from .validation import query_int, query_text


@dataclass(frozen=True)
class Page:
    documents: list[dict[str, Any]]
    next_after: ObjectId | None  # None on the last page


def page_limit() -> int:
    """``limit`` from the query string, within this app's bounds, or a 400."""
    return query_int(
        "limit",
        current_app.config["API_PAGE_SIZE"],
        minimum=1,
        maximum=current_app.config["API_MAX_PAGE_SIZE"],
    )


def page_arguments() -> tuple[ObjectId | None, int]:
    """``after`` and ``limit`` from the query string, or a 400 saying what is wrong."""
    limit = page_limit()
    after = query_text("after")
    if after is None:
        return None, limit
    if not ObjectId.is_valid(after):
        raise BadRequest("after must be the id of the last item of a page.")
    return ObjectId(after), limit


def page_parameters(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``after`` and ``limit`` as OpenAPI parameters, with this app's bounds."""
    limit = {
        "type": "integer",
        "minimum": 1,
        "maximum": config["API_MAX_PAGE_SIZE"],
        "default": config["API_PAGE_SIZE"],
    }
    after = {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}
    return [
        {
            "name": "after",
            "in": "query",
            "description": "The last id seen.",
            "schema": after,
        },
        {"name": "limit", "in": "query", "description": "Page size.", "schema": limit},
    ]


def keyset_page(
    collection: Collection[Any],
    filter: dict[str, Any],
    *,
    after: ObjectId | tuple[Any, ...] | None,
    limit: int,
    order: list[tuple[str, int]] | None = None,
) -> Page:
    """One page of ``filter``'s matches in ``order``, starting after ``after``.

    ``order`` is a sort key and a unique tie-break, ``[(field, way), (unique,
    way)]``, or one unique field (the default: ``_id``); ``after`` is the last
    page's final values of those fields (an id alone in ``_id`` order). One
    extra document is read to know whether another page follows, so the last
    page says so instead of leading to an empty one.
    """
    order = order or [("_id", ASCENDING)]
    query = filter
    if after is not None:
        values = after if isinstance(after, tuple) else (after,)
        beyond = _beyond(order, values)
        query = {"$and": [filter, beyond]} if filter else beyond
    cursor = collection.find(query).sort(order).limit(limit + 1)
    documents = list(cursor)
    if len(documents) <= limit:
        return Page(documents, None)
    del documents[limit:]
    return Page(documents, documents[-1]["_id"])


def _beyond(order: list[tuple[str, int]], values: tuple[Any, ...]) -> dict[str, Any]:
    """What follows ``values`` in ``order``: a later key, or the same key, later tie."""
    (field, direction), *rest = order
    past, reached = ("$gt", "$gte") if direction == ASCENDING else ("$lt", "$lte")
    if not rest:
        return {field: {past: values[0]}}
    (tiebreak, _), *_ = rest
    # The outer bound on the sort key alone lets the server start its index
    # walk at the cursor; the $or then only sorts out the ties.
    return {
        field: {reached: values[0]},
        "$or": [{field: {past: values[0]}}, {tiebreak: {past: values[1]}}],
    }
