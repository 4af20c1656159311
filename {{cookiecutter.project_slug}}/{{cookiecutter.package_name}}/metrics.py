"""``GET /metrics`` in Prometheus' text format, with prometheus-client.

prometheus-client is the reference client: it owns the text format, histograms and,
under gunicorn, the multiprocess mode that sums every worker's numbers at scrape
time. That mode is chosen by ``PROMETHEUS_MULTIPROC_DIR``, which must be set before
prometheus_client is imported; gunicorn.conf.py sets it (and cleans it) before any
worker starts, so a scrape that reaches any one worker sees the whole service.

Labels stay few and bounded: the route template (never the raw path), the method
(unusual ones count as ``other``) and the status; MongoDB commands by name and
outcome. ``METRICS_ENABLED=false`` leaves the route out and records nothing;
``METRICS_TOKEN`` requires ``Authorization: Bearer <token>`` to scrape, and
``METRICS_PORT`` moves the endpoint to a port of its own, served by gunicorn's
master process (gunicorn.conf.py), so it need not be exposed with the API.
"""

from __future__ import annotations

import functools
import hmac
import os

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from . import monitoring
from .access_log import route_template

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by route template and method.",
    ["route", "method"],
)
IN_FLIGHT = Gauge(
    "http_requests_in_flight",
    "Requests being served right now.",
    multiprocess_mode="livesum",
)
MONGO_COMMANDS = Histogram(
    "mongodb_command_duration_seconds",
    "Time of each MongoDB command, by command name and outcome.",
    ["command", "outcome"],
)
POOL_CONNECTIONS = Gauge(
    "mongodb_pool_connections",
    "Connections open in the MongoDB connection pools (the pool size).",
    multiprocess_mode="livesum",
)
POOL_CHECKED_OUT = Gauge(
    "mongodb_pool_checked_out_connections",
    "Pooled MongoDB connections in use by a request right now.",
    multiprocess_mode="livesum",
)
POOL_WAIT = Histogram(
    "mongodb_pool_wait_seconds",
    "Time waited to check a connection out of the pool, by outcome.",
    ["outcome"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0),
)

# One child per label combination, looked up once: ``labels()`` takes a lock and
# builds a key on every call, a cost paid on every request otherwise. The labels
# are bounded (route templates, a few methods and statuses), and so are these.
requests_by = functools.cache(REQUESTS.labels)
latency_by = functools.cache(LATENCY.labels)
command_latency_by = functools.cache(MONGO_COMMANDS.labels)
POOL_WAIT_SUCCESS = POOL_WAIT.labels("success")
POOL_WAIT_FAILURE = POOL_WAIT.labels("failure")

bp = Blueprint("metrics", __name__)


class PrometheusSink:
    """Receives monitoring.py's MongoDB observations (a ``monitoring.Sink``)."""

    def command(self, name: str, outcome: str, seconds: float) -> None:
        command_latency_by(name, outcome).observe(seconds)

    def connection_opened(self) -> None:
        POOL_CONNECTIONS.inc()

    def connection_closed(self) -> None:
        POOL_CONNECTIONS.dec()

    def checked_out(self, wait_seconds: float) -> None:
        POOL_CHECKED_OUT.inc()
        POOL_WAIT_SUCCESS.observe(wait_seconds)

    def checked_in(self) -> None:
        POOL_CHECKED_OUT.dec()

    def checkout_failed(self, wait_seconds: float) -> None:
        POOL_WAIT_FAILURE.observe(wait_seconds)


def registry() -> CollectorRegistry:
    """Every worker's metrics under gunicorn, this process's otherwise."""
    path = os.environ.get(MULTIPROCESS_DIR)
    if not path:
        return REGISTRY
    combined = CollectorRegistry()
    MultiProcessCollector(combined, path=path)  # type: ignore[no-untyped-call]
    return combined


def _authorized() -> bool:
    token: str = current_app.config["METRICS_TOKEN"]
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@bp.get("/metrics")
def scrape() -> Response:
    if not _authorized():
        raise Unauthorized(
            "A valid bearer token is required.",
            www_authenticate=WWWAuthenticate("bearer"),
        )
    return Response(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def _start() -> None:
    IN_FLIGHT.inc()
    g.metrics_in_flight = True


def _count(response: Response) -> Response:
    cost = monitoring.current_request()
    route = route_template()
    method = request.method if request.method in METHODS else "other"
    requests_by(route, method, str(response.status_code)).inc()
    if cost is not None:
        latency_by(route, method).observe(cost.seconds)
    return response


def _finish(error: BaseException | None) -> None:
    if g.pop("metrics_in_flight", False):
        IN_FLIGHT.dec()


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_count)
    app.teardown_request(_finish)
    if not app.config["METRICS_PORT"]:
        app.register_blueprint(bp)
