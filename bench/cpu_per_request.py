"""CPU per request in one process: the baked app against the minimal app.

A deterministic companion to the HTTP throughput runs, for a shared machine: each
app answers ``GET /api/items/<id>`` and ``POST /api/items`` through its WSGI
callable a few thousand times, and the process's CPU time per request is taken
(the best of a few rounds). pymongo's ``find_one`` and ``insert_one`` are replaced
by stubs that answer at once, the same for every app, so the figure is everything
but the database round trip: routing, hooks, validation, encoding, and building
pymongo's ``Database`` and ``Collection`` objects where an app does that. Python
function calls per request (cProfile) are reported too; they do not vary at all.

It imports the baked package, so it runs inside a bake (``bench.in_project``)::

    PYTHONPATH=<bake>:<template> python -m bench.cpu_per_request \
        '{"package": "inventory_service"}'

Modes of the baked app: ``off`` (every optional feature off: logs at WARNING, no
slow-command warnings, ``METRICS_ENABLED=false``, no rate limits, as
bench/throughput.py runs it) and
``on`` (JSON access lines at INFO and metrics). Both call with the template tests'
API key when the bake has API keys, as the throughput runs do.
"""

from __future__ import annotations

import cProfile
import importlib
import importlib.util
import io
import json
import logging
import os
import pstats
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.collection import Collection
from pymongo.results import InsertOneResult
from werkzeug.test import EnvironBuilder

from bench.in_project import answer
from support.api_key import ENTRY, HEADERS

# Never contacted: the two operations the routes use are stubbed.
URI = "mongodb://127.0.0.1:1/cpu_per_request"
ITEM_ID = ObjectId()
NOW = datetime.now(UTC)
STORED = {
    "_id": ITEM_ID,
    "name": "Widget",
    "name_key": "widget",
    "description": "",
    "quantity": 3,
    "tags": ["a", "b"],
    "attributes": {"colour": "red"},
    "created_at": NOW,
    "updated_at": NOW,
}
BODY = json.dumps(
    {"name": "Widget", "quantity": 3, "tags": ["a", "b"], "attributes": {"k": "v"}}
).encode()
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _find_one(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    return dict(STORED)


def _insert_one(self: Any, document: dict[str, Any], *a: Any, **k: Any) -> Any:
    document.setdefault("_id", ObjectId())
    return InsertOneResult(document["_id"], acknowledged=True)


def _call(app: WSGIApp, environ: dict[str, Any], body: bytes | None) -> str:
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status.append(line)

    env = dict(environ)
    if body is not None:
        env["wsgi.input"] = io.BytesIO(body)
        env["CONTENT_LENGTH"] = str(len(body))
    result = app(env, start_response)
    for _ in result:
        pass
    close = getattr(result, "close", None)
    if close is not None:
        close()
    return status[0]


def _cost(
    app: WSGIApp, environ: dict[str, Any], body: bytes | None, number: int, rounds: int
) -> dict[str, float]:
    status = ""
    for _ in range(number // 10):  # warm up
        status = _call(app, environ, body)
    if not status.startswith(("200", "201")):
        raise RuntimeError(f"{environ['PATH_INFO']} answered {status}")
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(number):
            _call(app, environ, body)
        best = min(best, (time.process_time() - started) / number)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(100):
        _call(app, environ, body)
    profiler.disable()
    calls = round(pstats.Stats(profiler).total_calls / 100)  # type: ignore[attr-defined]
    return {"cpu_us": round(best * 1e6, 1), "calls": calls}


def _quiet_logs() -> None:
    """Log lines are formatted and written, to nowhere."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115


def _apps(package: str) -> dict[str, Callable[[], WSGIApp]]:
    """Each app is built just before its turn: logging is set up per process."""
    os.environ["MONGODB_URI"] = URI
    create_app = importlib.import_module(package).create_app
    base = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "MONGODB_URI": URI,
        "RATE_LIMITS": "",
    }
    if importlib.util.find_spec(f"{package}.api_keys"):  # as bench/throughput.py
        base["API_KEYS"] = ENTRY
    off = {
        **base,
        "LOG_LEVEL": "WARNING",
        "METRICS_ENABLED": "false",
        "MONGODB_SLOW_COMMAND_MS": "0",
    }
    on = {**base, "LOG_LEVEL": "INFO", "LOG_FORMAT": "json", "METRICS_ENABLED": "true"}
    return {
        "minimal": lambda: importlib.import_module("bench.apps.minimal_app").app,
        "off": lambda: create_app(off),
        "on": lambda: create_app(on),
    }


def measure(package: str, number: int = 3000, rounds: int = 7) -> dict[str, Any]:
    Collection.find_one = _find_one  # type: ignore[method-assign,assignment]
    Collection.insert_one = _insert_one  # type: ignore[method-assign,assignment]
    headers = list(HEADERS.items())
    read = EnvironBuilder(path=f"/api/items/{ITEM_ID}", headers=headers)
    create = EnvironBuilder(
        path="/api/items",
        method="POST",
        content_type="application/json",
        headers=headers,
    )
    results: dict[str, Any] = {}
    for name, build in _apps(package).items():
        app = build()
        _quiet_logs()
        results[name] = {
            "read": _cost(app, read.get_environ(), None, number, rounds),
            "create": _cost(app, create.get_environ(), BODY, number, rounds),
        }
    minimal, off, on = results["minimal"], results["off"], results["on"]
    results["ratios"] = {
        "read_vs_minimal": round(minimal["read"]["cpu_us"] / off["read"]["cpu_us"], 2),
        "create_vs_minimal": round(
            minimal["create"]["cpu_us"] / off["create"]["cpu_us"], 2
        ),
        "on_vs_off": round(off["read"]["cpu_us"] / on["read"]["cpu_us"], 2),
    }
    return results


if __name__ == "__main__":
    answer(measure)
