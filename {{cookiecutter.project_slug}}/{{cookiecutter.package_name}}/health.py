"""Probes for load balancers and orchestrators.

``/healthz`` (liveness) answers from the process alone: restarting a healthy
process because the database is down would not bring the database back.
``/readyz`` (readiness) pings the database, so traffic is routed elsewhere while
it is unreachable; the ping fails within the server selection timeout (503).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .db import get_client
from .openapi import operation
from .resources import Model

bp = Blueprint("health", __name__)


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
    """Readiness: the database answers a ping."""
    get_client().admin.command("ping")
    return jsonify(status="ready")
