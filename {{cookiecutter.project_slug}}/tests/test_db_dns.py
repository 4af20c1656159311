"""A mongodb+srv:// name that does not resolve is an outage, not a crash.

pymongo resolves the name when the client is made. The resolver is replaced here,
so these tests need no network and take milliseconds, on either backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dns.name
import dns.resolver
import pytest
from flask import Flask
from flask.testing import FlaskClient

from {{ cookiecutter.package_name }}.db import get_client

# A client of an SRV URI polls DNS on a thread that sleeps heartbeatFrequencyMS at a
# time, even once closed, and pymongo's exit hook waits up to a second for it: at
# the shortest heartbeat pymongo allows, it has ended long before the run does.
SRV_URI = (
    "mongodb+srv://app:hunter2-Secret@cluster.example.invalid/shop"
    "?heartbeatFrequencyMS=500"
)


class SrvAnswer(list[Any]):
    """Just enough of a dnspython Answer for pymongo's SRV lookup."""

    rrset = None


class SrvRecord:
    def __init__(self, host: str, port: int) -> None:
        self.target = dns.name.from_text(host)
        self.port = port


def dns_down(*args: Any, **kwargs: Any) -> Any:
    raise dns.resolver.NXDOMAIN


def dns_up(name: Any, kind: str, **kwargs: Any) -> Any:
    if kind == "TXT":
        raise dns.resolver.NoAnswer
    return SrvAnswer([SrvRecord("db1.example.invalid.", 27017)])


@pytest.fixture
def srv_app(shared_app: Callable[..., Flask]) -> Flask:
    return shared_app(MONGODB_URI=SRV_URI, MONGODB_SERVER_SELECTION_TIMEOUT_MS=100)


def test_a_failed_dns_lookup_answers_503_with_retry_after_and_recovers(
    srv_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: FlaskClient = srv_app.test_client()
    monkeypatch.setattr(dns.resolver, "resolve", dns_down)
    for method, path in [
        ("GET", "/api/items"),
        ("POST", "/api/items"),
        ("GET", "/readyz"),
    ]:
        response = client.open(path, method=method, json={"name": "x"})
        assert response.status_code == 503, (method, path, response.get_data())
        assert response.headers["Retry-After"] == str(
            srv_app.config["RETRY_AFTER_SECONDS"]
        )
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert "hunter2" not in response.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200

    # DNS answers again: the next use makes the client from the new answer.
    monkeypatch.setattr(dns.resolver, "resolve", dns_up)
    with srv_app.app_context():
        seeds = set(get_client().topology_description.server_descriptions())
    assert seeds == {("db1.example.invalid", 27017)}
