"""Probes for load balancers and orchestrators.

``/healthz`` (liveness) answers from the process alone: restarting a healthy
process because the database is down would not bring the database back.
``/readyz`` (readiness) pings the database, so traffic is routed elsewhere while
it is unreachable; the ping fails within the server selection timeout (503).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from .db import get_client

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    get_client().admin.command("ping")
    return jsonify(status="ready")
