"""Reports: an aggregation pipeline built from request input, safely.

The pipeline's shape (its stages and operators) is fixed in code; the request
only supplies *values*, each parsed and bounded first (``Filter.clause`` and
``query_int``). No stage, operator, field name or expression is ever taken
from the client, so ``?min_quantity={"$where": ...}`` is a 400, not a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from pymongo.collection import Collection
from werkzeug.exceptions import BadRequest

from .listing import Filter
from .validation import query_int, query_text

MAX_TOP, DEFAULT_TOP = 500, 100
TOP = {"type": "integer", "minimum": 1, "maximum": MAX_TOP, "default": DEFAULT_TOP}


def tag_totals(
    collection: Collection[Any], filters: Mapping[str, Filter]
) -> list[dict[str, Any]]:
    """Per tag: how many documents carry it and their total quantity.

    Most used first, then by tag; ``top`` keeps the first few. An item with
    two tags counts once under each; an item with none is in no row.
    """
    for name in request.args:
        if name not in filters and name != "top":
            raise BadRequest(f"{name} is not an argument of this report.")
    clauses = [
        spec.clause(name, raw)
        for name, spec in filters.items()
        if (raw := query_text(name)) is not None
    ]
    top = query_int("top", DEFAULT_TOP, minimum=1, maximum=MAX_TOP)
    pipeline: list[dict[str, Any]] = []
    if clauses:
        pipeline.append({"$match": {"$and": clauses}})
    pipeline += [
        {"$unwind": "$tags"},
        {
            "$group": {
                "_id": "$tags",
                "items": {"$sum": 1},
                "quantity": {"$sum": "$quantity"},
            }
        },
        {"$sort": {"items": -1, "_id": 1}},
        {"$limit": top},
    ]
    return [
        {"tag": row["_id"], "items": row["items"], "quantity": row["quantity"]}
        for row in collection.aggregate(pipeline)
    ]


def parameters(filters: Mapping[str, Filter]) -> list[dict[str, Any]]:
    """The report's query arguments for the OpenAPI document."""
    found = [spec.parameter(name) for name, spec in filters.items()]
    found.append(
        {"name": "top", "in": "query", "description": "How many tags.", "schema": TOP}
    )
    return found
