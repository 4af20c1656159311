"""The baked service with a new MongoClient for every request: the anti-pattern.

Built by the benchmark, never shipped. The resource store's ``get_collection`` is
swapped for one that makes a client for the request (kept in ``g``, so threads
never share it) and closes it when the request ends, like a view that calls
``MongoClient(uri)`` itself. The
client is made by the service's own ``db.connect`` with the same settings, so the
client's lifetime is the only difference from the shared-client service.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask, current_app, g
from pymongo.collection import Collection
from pymongo.database import Database

PACKAGE = os.environ["BENCH_PACKAGE"]
service = importlib.import_module(PACKAGE)
db = importlib.import_module(f"{PACKAGE}.db")
resources = importlib.import_module(f"{PACKAGE}.resources")


def per_request_db() -> Database[Any]:
    state = current_app.extensions[db.EXTENSION]
    if "client" not in g:
        g.client = db.connect(state.uri, state.options)
    return g.client[state.database_name]


def per_request_collection(name: str) -> Collection[Any]:
    return per_request_db()[name]


def close_client(error: BaseException | None) -> None:
    client = g.pop("client", None)
    if client is not None:
        client.close()


def create_app() -> Flask:
    app: Flask = service.create_app()
    # Every item route reaches MongoDB through resources.Store.collection.
    resources.get_collection = per_request_collection
    app.teardown_appcontext(close_client)
    return app
