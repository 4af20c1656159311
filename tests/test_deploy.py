"""Deploy-time behaviour of a gunicorn-served bake on nx-27017: the schema step,
deadlines, and a server that restarts empty or stops answering.

Figures are printed; see them with ``python -m pytest tests/test_deploy.py -rP``.
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path

import pytest

from support.baking import PACKAGE
from support.commands import run
from support.deploy_step import flask_db_upgrade, production_env
from support.http_client import Http, Reply, fetch
from support.live_server import LiveServer
from support.serving import served_by_gunicorn
from support.stall_proxy import stall_proxy

DEADLINE_MS = 1000
# A 503 must come within the deadline, plus room for a busy machine.
BOUND = DEADLINE_MS / 1000 + 2


def wait_for(
    url: str, path: str, status: int, bound: float, code: str = ""
) -> tuple[float, Reply]:
    """Poll ``path`` until it answers ``status`` (with error ``code``, if given);
    the seconds that took and the answer."""
    started = time.monotonic()
    while True:
        try:
            reply = fetch(url, "GET", path)
            if reply.status == status and (
                not code or reply.body["error"]["code"] == code
            ):
                return time.monotonic() - started, reply
        except OSError:
            pass
        assert time.monotonic() - started < bound, f"{path} never {status}"
        time.sleep(0.1)


@pytest.mark.slow  # a live server of its own and gunicorn
def test_a_server_restarted_empty_is_not_ready_until_db_upgrade(
    project: Path, tmp_path: Path
) -> None:
    server = LiveServer(tmp_path / "nx")  # in memory: a restart loses everything
    server.start()
    uri = f"{server.uri}/restart"
    try:
        first = flask_db_upgrade(project, uri)
        assert first.returncode == 0, first.stdout + first.stderr
        assert "unique: created" in first.stdout
        with served_by_gunicorn(
            project, "--preload", MONGODB_URI=uri, SCHEMA_CHECK_SECONDS="1"
        ) as app:
            assert fetch(app.url, "GET", "/readyz").status == 200
            server.stop()
            server.start()
            not_ready, reply = wait_for(
                app.url, "/readyz", 503, 15, code="schema_not_ready"
            )
            # Every declared index is gone: the unique key, the list's, the rate
            # limits' and the idempotency records' TTLs among them.
            details = reply.body["error"]["details"]
            assert set(details.values()) == {"missing"}, details
            assert "items.name_key_unique (name_key: 1) unique" in details
            assert "items.tags_quantity (tags: 1, quantity: 1, name_key: 1)" in details
            ttl = "idempotency_keys.expires (created_at: 1) expireAfterSeconds"
            assert ttl in details
            assert "rate_limits.expiry (expires_at: 1) expireAfterSeconds" in details
            # Not ready, yet serving: reads work and nothing builds indexes. (Each
            # worker's first request after the restart may find its pooled
            # connection closed: a 503 it recovers from by itself.)
            wait_for(app.url, "/api/items", 200, bound=5)
            again = flask_db_upgrade(project, uri)
            assert again.returncode == 0, again.stdout + again.stderr
            ready, _ = wait_for(app.url, "/readyz", 200, bound=5)
            assert "Traceback" not in app.output()
        print(
            f"restart: /readyz 503 {not_ready:.2f} s after the empty restart, "
            f"200 {ready:.2f} s after db upgrade"
        )
    finally:
        server.stop()


@pytest.mark.parametrize("worker_class", ["gevent", "gthread"])
def test_a_stalled_server_is_a_503_not_a_killed_worker(
    project: Path, live_server: LiveServer, worker_class: str
) -> None:
    """A proxy that stops forwarding: each request ends at its deadline (503),
    far inside gunicorn's worker timeout, with either worker class."""
    with (
        stall_proxy(live_server.uri) as proxy,
        served_by_gunicorn(
            project,
            MONGODB_URI=f"{proxy.uri}/stall_{uuid.uuid4().hex[:8]}",
            MONGODB_TIMEOUT_MS=str(DEADLINE_MS),
            GUNICORN_TIMEOUT="4",
            GUNICORN_WORKER_CLASS=worker_class,
        ) as app,
    ):
        created = fetch(app.url, "GET", "/api/items")
        assert created.status == 200, created
        workers = app.worker_pids()
        proxy.stall()
        replies = [fetch(app.url, "GET", "/api/items") for _ in range(3)]
        with Http(app.url) as http:
            replies.append(http.request("POST", "/api/items", {"name": "late"}))
        for reply in replies:
            assert reply.status == 503, reply
            assert reply.body["error"]["code"] == "database_unavailable"
            assert int(reply.headers["retry-after"]) > 0
            assert reply.seconds < BOUND, reply
        health = fetch(app.url, "GET", "/healthz")
        assert health.status == 200
        time.sleep(4)  # one whole worker timeout: nobody gets killed meanwhile
        proxy.resume()
        deadline = time.monotonic() + 15
        while fetch(app.url, "GET", "/api/items").status != 200:
            assert time.monotonic() < deadline, "no recovery after the stall"
            time.sleep(0.2)
        assert app.worker_pids() == workers
        output = app.output()
        assert "WORKER TIMEOUT" not in output, output[-3000:]
        assert "Traceback" not in output, output[-3000:]
    print(
        f"stall ({worker_class}): 503 after "
        + ", ".join(f"{reply.seconds:.2f}" for reply in replies)
        + " s"
    )


def test_gunicorn_refuses_a_deadline_at_or_above_its_worker_timeout(
    project: Path,
) -> None:
    env = production_env(
        MONGODB_URI="mongodb://127.0.0.1:9/never",
        MONGODB_TIMEOUT_MS="30000",
        GUNICORN_TIMEOUT="30",
        GUNICORN_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="1",
    )
    command = [sys.executable, "-m", "gunicorn", f"{PACKAGE}:create_app()"]
    result = run(command, project, env, timeout=60)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "MONGODB_TIMEOUT_MS (30000 ms) must be below gunicorn's worker timeout "
        "(GUNICORN_TIMEOUT, 30 s)"
    ) in output
    assert "Traceback" not in output


def test_gunicorn_refuses_a_worker_class_flag_after_the_gevent_patch(
    project: Path,
) -> None:
    """gunicorn.conf.py patches for gevent as it loads (GUNICORN_WORKER_CLASS
    unset means gevent); a -k flag read later would run threads on a patched
    standard library, so the worker refuses to boot and says what to set."""
    env = production_env(
        MONGODB_URI="mongodb://127.0.0.1:9/never",
        GUNICORN_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="1",
    )
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread"]
    result = run([*command, f"{PACKAGE}:create_app()"], project, env, timeout=60)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "gunicorn.conf.py patched the standard library for gevent, but the worker "
        "class is gthread: choose it with GUNICORN_WORKER_CLASS, not -k"
    ) in output
    assert "Traceback" not in output
