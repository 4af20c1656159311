"""Probes for load balancers and orchestrators.

``/healthz`` (liveness) answers from the process alone: restarting a healthy
process because the database is down would not bring the database back.
``/readyz`` (readiness) pings the database, so traffic is routed elsewhere while
it is unreachable (503 within the server selection timeout), and compares the
declared indexes with the server's: a server restarted empty, or a deploy whose
upgrade failed, is not ready until ``flask db upgrade`` has run. That comparison
is cached for SCHEMA_CHECK_SECONDS, so probes stay cheap yet never trust an old
answer for long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify
from flask.blueprints import BlueprintSetupState

from . import indexes
from .db import get_client, get_db
from .errors import error_response
from .openapi import operation
from .resources import Model

bp = Blueprint("health", __name__)
EXTENSION = "schema_check"


class SchemaCheck:
    """The last answer to "which declared indexes are missing?", with its expiry."""

    def __init__(
        self, seconds: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.missing: list[str] = []
        self.expires = 0.0
        self._lock = threading.Lock()

    def current(self) -> list[str]:
        with self._lock:
            if self.clock() >= self.expires:
                self.missing = indexes.missing(get_db())
                self.expires = self.clock() + self.seconds
            return self.missing


@bp.record_once
def _add_schema_check(state: BlueprintSetupState) -> None:
    seconds = state.app.config["SCHEMA_CHECK_SECONDS"]
    state.app.extensions[EXTENSION] = SchemaCheck(seconds)


class Status(Model):
    status: str


@bp.get("/healthz")
@operation(response=Status, database=False)
def healthz() -> Response:
    """Liveness: the process answers."""
    return jsonify(status="ok")


@bp.get("/readyz")
@operation(response=Status)
def readyz() -> Response:
    """Readiness: the database answers a ping and every declared index exists."""
    get_client().admin.command("ping")
    missing = current_app.extensions[EXTENSION].current()
    if missing:
        response = error_response(
            503,
            "Declared indexes are missing: run `flask db upgrade`.",
            code="schema_not_ready",
            details=dict.fromkeys(missing, "missing"),
        )
        response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
        return response
    return jsonify(status="ready")
