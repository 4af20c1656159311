"""HTTP throughput and latency of the four apps, measured in interleaved rounds.

All four run at once under identical gunicorn settings against the same database;
each round drives every app in turn (starting with a different one each round), so
drift in the machine's speed spreads over all of them instead of favouring one.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bson import ObjectId

from bench.load import drive
from bench.serve import WORKERS, gunicorn_command
from support.baking import TEMPLATE
from support.environment import clean_env
from support.network import free_port
from support.serving import Served, serve

# name -> (gunicorn target, what it is); {package} is the baked package.
APPS = {
    "shared": ("{package}:create_app()", "baked service (one shared client)"),
    "per_request": (
        "bench.apps.per_request_app:create_app()",
        "same, new client per request",
    ),
    "flask_pymongo": (
        "bench.apps.flask_pymongo_app:create_app()",
        "Flask-PyMongo 3.x app",
    ),
    "minimal": ("bench.apps.minimal_app:app", "minimal Flask + global client"),
}
ROUTES = {
    "by_id": "GET /api/items/<id>",
    "page": "GET /api/items?limit=20",
}


def paths(route: str, ids: list[ObjectId]) -> list[str]:
    if route == "by_id":
        return [f"/api/items/{item_id}" for item_id in ids]
    return ["/api/items?limit=20"]


def _same_shape(servers: dict[str, Served], item_id: ObjectId) -> None:
    """Every app must answer the same fields, or the comparison is not fair."""
    shapes = {}
    for name, server in servers.items():
        url = f"{server.url}/api/items/{item_id}"
        with urllib.request.urlopen(url, timeout=10) as response:
            shapes[name] = sorted(json.load(response))
    if len({tuple(shape) for shape in shapes.values()}) != 1:
        raise RuntimeError(f"the apps answer different fields: {shapes}")


def measure(
    project: Path,
    package: str,
    uri: str,
    ids: list[ObjectId],
    workdir: Path,
    *,
    rounds: int,
    seconds: float,
    warmup: float,
    connections: int,
) -> dict[str, Any]:
    env = clean_env(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        MONGODB_URI=uri,
        LOG_LEVEL="WARNING",
        BENCH_PACKAGE=package,
    )
    results: dict[str, Any] = {
        name: {route: {"rps": [], "p50_ms": [], "p99_ms": []} for route in ROUTES}
        for name in APPS
    }
    with ExitStack() as stack:
        servers = {}
        for name, (target, _) in APPS.items():
            port = free_port()
            command = gunicorn_command(
                target.format(package=package), port, [project, TEMPLATE]
            )
            servers[name] = stack.enter_context(
                serve(
                    command,
                    port=port,
                    cwd=workdir,
                    env=env,
                    log=workdir / f"gunicorn-{name}.log",
                    workers=WORKERS,
                    probe="/api/items?limit=1",
                )
            )
        _same_shape(servers, ids[0])
        for server in servers.values():
            for route in ROUTES:
                drive(server.url, paths(route, ids), warmup, connections)
        names = list(APPS)
        for number in range(rounds):
            order = names[number % len(names) :] + names[: number % len(names)]
            for route in ROUTES:
                for name in order:
                    load = drive(
                        servers[name].url, paths(route, ids), seconds, connections
                    )
                    result = results[name][route]
                    result["rps"].append(load.rps)
                    result["p50_ms"].append(load.p50_ms)
                    result["p99_ms"].append(load.p99_ms)
    return results
