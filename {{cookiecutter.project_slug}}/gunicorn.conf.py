"""gunicorn's settings, read from the environment.

gunicorn loads this file from the working directory, so production runs::

    gunicorn "{{ cookiecutter.package_name }}:create_app()"

and a deployment changes behaviour through environment variables, not by editing
this file. Add ``--preload`` (or ``GUNICORN_CMD_ARGS=--preload``) to build the app
once in the master before forking: safe, because ``create_app`` opens no
MongoClient; each worker makes its own on first use.

Every worker has its own connection pool, so the service may open up to
workers x ``MONGODB_MAX_POOL_SIZE`` connections to MongoDB; size both together.

The worker class is gevent: each connection is a greenlet, so clients that send
their request slowly (a byte every few seconds) wait on the event loop instead of
holding one of a few threads, and ``/healthz`` keeps answering. gunicorn's gevent
worker monkey-patches the standard library when it starts, which pymongo supports
(its pool and monitors then run on greenlets).
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any


def _setting(name: str, default: int, *fallbacks: str) -> int:
    """A whole-number setting; a typo stops gunicorn with the variable's name."""
    for key in (name, *fallbacks):
        raw = os.environ.get(key, "").strip()
        if raw:
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"{key} must be a whole number, got {raw!r}") from None
    return default


# GUNICORN_BIND wins; otherwise HOST and PORT, the names platforms set. Every
# interface by default, because a container's published port needs it.
bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '0.0.0.0')}:{_setting('PORT', 8000)}"
)
# WEB_CONCURRENCY is the name Heroku-style platforms set from the machine size.
workers = _setting("WEB_CONCURRENCY", 2, "GUNICORN_WORKERS")
# gevent: one greenlet per connection, up to worker_connections per worker.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
if worker_class == "gevent":
    # Patch now, before ``--preload`` imports the app: pymongo must see gevent's
    # socket, ssl and threading from its first import, or TLS and locks stay
    # blocking (gevent's MonkeyPatchWarning). The workers patch again; a no-op.
    from gevent import monkey

    monkey.patch_all()
worker_connections = _setting("GUNICORN_WORKER_CONNECTIONS", 1000)
# Threads per worker, for GUNICORN_WORKER_CLASS=gthread only (gevent ignores it).
threads = _setting("GUNICORN_THREADS", 4)
# A worker silent for this long is killed and replaced. Every database call has a
# shorter deadline (MONGODB_TIMEOUT_MS, checked below), so a slow server is a 503.
timeout = _setting("GUNICORN_TIMEOUT", 30)
# On restart or SIGTERM, requests in flight get this long to finish.
graceful_timeout = _setting("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection stays open. Behind a load balancer, make
# it longer than the balancer's idle timeout, or it may reuse a closed connection.
keepalive = _setting("GUNICORN_KEEPALIVE", 5)

# The app writes one access line per request itself (with the route template,
# request id and MongoDB time), so gunicorn's own access log stays off. Its error
# log (start, stop, worker deaths) goes to stdout, next to the app's logs.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# gunicorn's exit code for "a worker failed to boot": the master stops at once.
WORKER_BOOT_ERROR = 3


def post_worker_init(worker: Any) -> None:
    """Check the settings, then set the loaded app aside from the garbage collector.

    The app's deadline comes from its own settings, the worker timeout from
    gunicorn's (whatever set it), so the check runs where both are known: a
    database call that could outlive the timeout refuses to serve. So does a
    worker class given on the command line after this file patched for gevent.

    Everything alive now (modules, the app, its schemas and routes) lives as long
    as the worker. ``gc.freeze()`` moves it to the collector's permanent
    generation, so each full collection walks only what requests made instead
    of the whole app again (about 60 microseconds less CPU per read, measured
    side by side under gunicorn).
    With ``--preload`` it also keeps the pages the workers share with the master
    from being written to by the collector.
    """
    deadline_ms = getattr(worker.wsgi, "config", {}).get("MONGODB_TIMEOUT_MS", 0)
    if deadline_ms >= worker.cfg.timeout * 1000:
        worker.log.error(
            "MONGODB_TIMEOUT_MS (%d ms) must be below gunicorn's worker timeout "
            "(GUNICORN_TIMEOUT, %d s): a slow database would get workers killed",
            deadline_ms,
            worker.cfg.timeout,
        )
        sys.exit(WORKER_BOOT_ERROR)
    if worker_class == "gevent" and worker.cfg.worker_class_str != "gevent":
        # This file patched the standard library for gevent when it was loaded;
        # a -k/--worker-class flag, read after that, cannot undo it.
        worker.log.error(
            "gunicorn.conf.py patched the standard library for gevent, but the "
            "worker class is %s: choose it with GUNICORN_WORKER_CLASS, not -k",
            worker.cfg.worker_class_str,
        )
        sys.exit(WORKER_BOOT_ERROR)
    gc.freeze()


# prometheus-client's multiprocess mode: every worker writes its metrics to files
# in this directory and a scrape of any worker sums them all. It must be set
# before the app (and prometheus_client) is imported, which is why it is done
# here; without PROMETHEUS_MULTIPROC_DIR, a private temporary directory is used
# (and removed when gunicorn stops).
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metrics-")
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
METRICS_DIR.mkdir(parents=True, exist_ok=True)
# METRICS_PORT: serve every worker's metrics from the master on their own port
# (METRICS_HOST, loopback by default) instead of the app's /metrics route.
METRICS_PORT = _setting("METRICS_PORT", 0)
METRICS_HOST = os.environ.get("METRICS_HOST", "127.0.0.1")


def on_starting(server: Any) -> None:
    """Files left by an earlier run would be summed in: start empty."""
    for stale in METRICS_DIR.glob("*.db"):
        stale.unlink()


def when_ready(server: Any) -> None:
    if METRICS_PORT:
        from prometheus_client import CollectorRegistry, start_http_server
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        start_http_server(METRICS_PORT, addr=METRICS_HOST, registry=registry)


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: drop its live gauges (in-flight requests, pool connections)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def on_exit(server: Any) -> None:
    if _own_metrics_dir:
        shutil.rmtree(METRICS_DIR, ignore_errors=True)
