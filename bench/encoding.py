"""JSON encoding of a page of BSON documents: the generated provider vs Flask-PyMongo's.

Both providers get the same 100 documents as pymongo returns them (ObjectIds,
timezone-aware datetimes, nested fields) and are timed with ``timeit`` making
the response a view's ``jsonify`` makes (``provider.response``). It imports
the baked package, so it runs inside the project (``bench.in_project``).
"""

from __future__ import annotations

import importlib
import json
import statistics
import timeit
from typing import Any

from bson import ObjectId
from flask import Flask
from flask_pymongo.helpers import BSONProvider

from bench.data import document
from bench.in_project import answer

DOCUMENTS = 100


def measure(package: str, *, repeat: int, number: int) -> dict[str, Any]:
    provider = importlib.import_module(f"{package}.json_provider").MongoJSONProvider
    app = Flask("bench")
    documents = [{"_id": ObjectId(), **document(n)} for n in range(DOCUMENTS)]
    providers = {"generated": provider(app), "flask_pymongo": BSONProvider(app)}
    results: dict[str, Any] = {"documents": DOCUMENTS}
    for name, encoder in providers.items():
        decoded = json.loads(encoder.response(documents).get_data())
        if len(decoded) != DOCUMENTS:
            raise RuntimeError(f"{name} encoded {len(decoded)} documents")
        runs = timeit.repeat(
            lambda encoder=encoder: encoder.response(documents),
            repeat=repeat,
            number=number,
        )
        per_call_ms = [run / number * 1e3 for run in runs]
        results[name] = {
            "ms": per_call_ms,
            "median_ms": statistics.median(per_call_ms),
        }
    return results


if __name__ == "__main__":
    answer(measure)
