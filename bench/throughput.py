"""HTTP throughput and latency of the six apps, measured in interleaved rounds.

All six run at once with the same number of worker processes against the same
database; each round drives every app in turn (starting with a different one each
round), so drift in the machine's speed spreads over all of them instead of
favouring one. Documents a create run adds are deleted after it, so every read
run sees the same collection.
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bson import ObjectId
from pymongo.collection import Collection

from bench.load import Route, drive
from support.api_key import ENTRY, HEADERS
from support.baking import TEMPLATE
from support.deploy_step import flask_db_upgrade
from support.environment import clean_env
from support.network import free_port
from support.serving import Served, start

# Every app gets as many worker processes; gunicorn's get threads, uvicorn's an
# event loop.
WORKERS = 2
THREADS = 4
# The service's gunicorn.conf.py reads its worker class from the environment when
# it is loaded, and patches the standard library for gevent then: a
# ``--worker-class`` flag comes too late to stop that, so this says gthread first.
SERVICE_ENV = {"GUNICORN_WORKER_CLASS": "gthread"}
# name -> (server, import target, what it is); {package} is the baked package.
# The service twice: baked with every optional feature off (``auth=none``, issue
# 9's targets), and the default bake with its API key on every request (issue 11's).
SERVICE = "shared"
WITH_API_KEY = "api_key"
SERVICES = (SERVICE, WITH_API_KEY)
APPS = {
    SERVICE: (
        "gunicorn",
        "{package}:create_app()",
        "baked service (shared client, auth none)",
    ),
    WITH_API_KEY: (
        "gunicorn",
        "{package}:create_app()",
        "baked service (default bake, API key)",
    ),
    "per_request": (
        "gunicorn",
        "bench.apps.per_request_app:create_app()",
        "same, new client per request",
    ),
    "flask_pymongo": (
        "gunicorn",
        "bench.apps.flask_pymongo_app:create_app()",
        "Flask-PyMongo 3.x app",
    ),
    "minimal": ("gunicorn", "bench.apps.minimal_app:app", "minimal Flask app"),
    "fastapi": (
        "uvicorn",
        "bench.apps.fastapi_app:app",
        "FastAPI + AsyncMongoClient",
    ),
}
ROUTES = {
    "by_id": "GET /api/items/<id>",
    "page": "GET /api/items?limit=20",
    "create": "POST /api/items",
}
READS = ("by_id", "page")
# Every created item carries this tag, so a create run can be undone.
LOAD_TAG = "bench-load"


def new_item(key: str) -> dict[str, Any]:
    """The body of one create: a unique name and a few fields of each kind."""
    return {
        "name": f"Load item {key}",
        "quantity": 3,
        "tags": [LOAD_TAG, "green"],
        "attributes": {"color": "green", "size": 2},
    }


def route(name: str, ids: list[ObjectId]) -> Route:
    if name == "by_id":
        return Route("GET", [f"/api/items/{item_id}" for item_id in ids])
    if name == "page":
        return Route("GET", ["/api/items?limit=20"])
    return Route("POST", ["/api/items"], status=201, body=new_item)


def command(app: str, package: str, port: int, project: Path) -> list[str]:
    """How ``app`` is served: gunicorn (gthread) or uvicorn, same worker count.

    The baked service runs as its Dockerfile runs it, with its own
    ``gunicorn.conf.py`` (its worker hooks included); the worker class, counts
    and log level given here override the file's, so every app gets the same
    server.
    """
    server, target, _ = APPS[app]
    if server == "uvicorn":
        return [
            *(sys.executable, "-m", "uvicorn", "--workers", str(WORKERS)),
            *("--host", "127.0.0.1", "--port", str(port), "--no-access-log"),
            *("--app-dir", str(TEMPLATE), target),
        ]
    config = ["-c", str(project / "gunicorn.conf.py")] if app in SERVICES else []
    return [
        *(sys.executable, "-m", "gunicorn", *config, "--worker-class", "gthread"),
        # gunicorn's own lines at info, whatever LOG_LEVEL says: the launcher
        # counts the "Booting worker" lines to know every worker is up.
        *("--log-level", "info"),
        *("-w", str(WORKERS), "--threads", str(THREADS), "-b", f"127.0.0.1:{port}"),
        *("--pythonpath", f"{project},{TEMPLATE}", target.format(package=package)),
    ]


def _same_shape(servers: dict[str, Served], item_id: ObjectId) -> None:
    """Every app must answer the same fields, or the comparison is not fair."""
    shapes = {}
    for name, server in servers.items():
        url = f"{server.url}/api/items/{item_id}"
        request = urllib.request.Request(url, headers=HEADERS)
        with urllib.request.urlopen(request, timeout=10) as response:
            shapes[name] = sorted(json.load(response))
    if len({tuple(shape) for shape in shapes.values()}) != 1:
        raise RuntimeError(f"the apps answer different fields: {shapes}")


def _terminate_all(servers: dict[str, Served]) -> None:
    for server in servers.values():
        server.process.terminate()


def _upgrade_db(project: Path, uri: str) -> None:
    """The service's deploy step first: its indexes (the unique name key and the
    list's sort keys among them) on the collection every app serves. It runs as
    the container's entrypoint runs it, reading no ``.env``: the bake's own names
    its development database, which would get the indexes instead."""
    made = flask_db_upgrade(project, uri)
    if made.returncode != 0:
        raise RuntimeError(made.stdout + made.stderr)


def measure(
    project: Path,
    open_project: Path,
    package: str,
    uri: str,
    items: Collection[Any],
    ids: list[ObjectId],
    workdir: Path,
    *,
    rounds: int,
    seconds: float,
    warmup: float,
    connections: int,
) -> dict[str, Any]:
    """req/s, p50 and p99 per app and route, one entry per round.

    ``project`` is the default bake (API keys), served as ``api_key``;
    ``open_project`` the same template baked with ``auth=none``, served as the
    service and its client-per-request copy. Both name their package ``package``.
    ``uri`` names the database that holds ``items``, the seeded collection.
    """
    projects = dict.fromkeys(APPS, open_project) | {WITH_API_KEY: project}
    env = clean_env(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        MONGODB_URI=uri,
        # Every optional feature off (issue 9): what logs and metrics cost is
        # measured apart, on against off (switches.py).
        LOG_LEVEL="WARNING",
        METRICS_ENABLED="false",
        # Slow-command warnings too: with none of the three, the service's
        # client has no command listener at all (monitoring.py).
        MONGODB_SLOW_COMMAND_MS="0",
        BENCH_PACKAGE=package,
        # The default bake checks its API key (every app is sent it; the
        # others ignore it); rate limits off: their cost is measured apart.
        API_KEYS=ENTRY,
        RATE_LIMITS="",
        **SERVICE_ENV,
    )
    # Both bakes declare the same indexes (the default bake's validator also
    # requires created_by; nx-27017 enforces no validator).
    _upgrade_db(open_project, uri)
    results: dict[str, Any] = {
        name: {route: {"rps": [], "p50_ms": [], "p99_ms": []} for route in ROUTES}
        for name in APPS
    }
    with ExitStack() as stack:
        servers = {}
        for name in APPS:  # all started at once, then awaited
            port = free_port()
            servers[name] = start(
                command(name, package, port, projects[name]),
                port=port,
                cwd=workdir,
                env=env,
                log=workdir / f"{name}.log",
            )
            stack.callback(servers[name].stop)
        # Last in, first out: every server gets its SIGTERM before any is awaited.
        stack.callback(_terminate_all, servers)
        for server in servers.values():
            server.wait_until_ready("/api/items?limit=1", WORKERS)
        _same_shape(servers, ids[0])
        for server in servers.values():
            for name in ROUTES:
                drive(server.url, route(name, ids), warmup, connections)
        items.delete_many({"tags": LOAD_TAG})
        names = list(APPS)
        for number in range(rounds):
            order = names[number % len(names) :] + names[: number % len(names)]
            for name in ROUTES:
                for app in order:
                    load = drive(
                        servers[app].url, route(name, ids), seconds, connections
                    )
                    items.delete_many({"tags": LOAD_TAG})
                    result = results[app][name]
                    result["rps"].append(load.rps)
                    result["p50_ms"].append(load.p50_ms)
                    result["p99_ms"].append(load.p99_ms)
    return results
