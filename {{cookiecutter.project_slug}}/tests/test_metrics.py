"""GET /metrics: Prometheus text format, bounded labels, MongoDB and pool figures."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pymongo.monitoring import (
    ConnectionCheckedInEvent,
    ConnectionCheckedOutEvent,
    ConnectionCheckOutFailedEvent,
    ConnectionCheckOutFailedReason,
    ConnectionClosedEvent,
    ConnectionClosedReason,
    ConnectionCreatedEvent,
)
from support import AppFactory

from {{ cookiecutter.package_name }}.config import ConfigError
from {{ cookiecutter.package_name }}.db import EXTENSION
from {{ cookiecutter.package_name }}.metrics import PrometheusSink
from {{ cookiecutter.package_name }}.monitoring import PoolMonitor

ITEM_ROUTE = "/api/items/<objectid:item_id>"
TOKEN = "metrics-token-2b7e151628aed2a6abf7158809cf4f3c"
ADDRESS = ("db", 27017)


def sample(name: str, **labels: str) -> float:
    """This process's current value of one series (0 when it does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(
    client: FlaskClient, **headers: str
) -> dict[tuple[str, tuple[Any, ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for s in family.samples
    }


def test_requests_are_counted_by_route_template_method_and_status(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    labels = {"route": ITEM_ROUTE, "method": "GET"}
    before = sample("http_requests_total", status="200", **labels)
    latency_before = sample("http_request_duration_seconds_count", **labels)
    for _ in range(3):
        assert client.get(f"/api/items/{item['id']}").status_code == 200
    scraped = scrape(client)
    key = tuple(sorted({**labels, "status": "200"}.items()))
    assert scraped["http_requests_total", key] == before + 3
    latency = ("http_request_duration_seconds_count", tuple(sorted(labels.items())))
    assert scraped[latency] == latency_before + 3
    # The scrape itself is the one request in flight.
    assert scraped["http_requests_in_flight", ()] == 1
    assert sample("http_requests_in_flight") == 0


def test_labels_stay_bounded_whatever_the_path_or_method(client: FlaskClient) -> None:
    before = sample(
        "http_requests_total", route="<unmatched>", method="GET", status="404"
    )
    for path in ("/a", "/b/c", "/api/items/xyz", "/%0d%0a", "/" + "z" * 300):
        assert client.get(path).status_code == 404
    assert (
        sample("http_requests_total", route="<unmatched>", method="GET", status="404")
        == before + 5
    )
    other = sample(
        "http_requests_total", route="<unmatched>", method="other", status="405"
    )
    assert client.open("/api/items", method="BREW").status_code == 405
    assert (
        sample("http_requests_total", route="<unmatched>", method="other", status="405")
        == other + 1
    )
    exposed = client.get("/metrics").get_data(as_text=True)
    assert "zzzz" not in exposed
    assert "BREW" not in exposed


def test_mongodb_commands_are_timed_on_a_server_and_absent_on_mongomock(
    app: Flask, client: FlaskClient, item: dict[str, Any]
) -> None:
    labels = {"command": "find", "outcome": "success"}
    before = sample("mongodb_command_duration_seconds_count", **labels)
    waits = sample("mongodb_pool_wait_seconds_count", outcome="success")
    client.get(f"/api/items/{item['id']}")
    after = sample("mongodb_command_duration_seconds_count", **labels)
    if app.extensions[EXTENSION].in_memory:
        assert after == before
    else:
        assert after == before + 1
        assert sample("mongodb_pool_wait_seconds_count", outcome="success") > waits
        assert sample("mongodb_pool_connections") >= 1
        assert sample("mongodb_pool_checked_out_connections") == 0


def test_pool_events_move_the_pool_gauges() -> None:
    monitor = PoolMonitor(PrometheusSink())
    opened = sample("mongodb_pool_connections")
    busy = sample("mongodb_pool_checked_out_connections")
    failed = sample("mongodb_pool_wait_seconds_count", outcome="failure")
    monitor.connection_created(ConnectionCreatedEvent(ADDRESS, 1))
    monitor.connection_checked_out(ConnectionCheckedOutEvent(ADDRESS, 1, 0.002))
    assert sample("mongodb_pool_connections") == opened + 1
    assert sample("mongodb_pool_checked_out_connections") == busy + 1
    monitor.connection_checked_in(ConnectionCheckedInEvent(ADDRESS, 1))
    monitor.connection_closed(
        ConnectionClosedEvent(ADDRESS, 1, ConnectionClosedReason.POOL_CLOSED)
    )
    monitor.connection_check_out_failed(
        ConnectionCheckOutFailedEvent(
            ADDRESS, ConnectionCheckOutFailedReason.TIMEOUT, 1.5
        )
    )
    assert sample("mongodb_pool_connections") == opened
    assert sample("mongodb_pool_checked_out_connections") == busy
    assert sample("mongodb_pool_wait_seconds_count", outcome="failure") == failed + 1


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer wrong",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}x",
        f"Basic {TOKEN}",
        TOKEN,
    ],
)
def test_a_token_protects_the_endpoint(
    shared_app: AppFactory, authorization: str
) -> None:
    client = shared_app(METRICS_TOKEN=TOKEN).test_client()
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert "http_requests_total" not in response.get_data(as_text=True)


def test_the_right_token_scrapes(shared_app: AppFactory) -> None:
    client = shared_app(METRICS_TOKEN=TOKEN).test_client()
    assert scrape(client, Authorization=f"Bearer {TOKEN}")
    assert scrape(client, Authorization=f"bearer {TOKEN}")


def test_metrics_can_be_turned_off(shared_app: AppFactory) -> None:
    client = shared_app(METRICS_ENABLED="false").test_client()
    before = sample("http_requests_total", route="/healthz", method="GET", status="200")
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 404
    assert (
        sample("http_requests_total", route="/healthz", method="GET", status="200")
        == before
    )


@pytest.mark.parametrize("value", ["maybe", "2", "", "enabled"])
def test_a_bad_metrics_switch_is_refused_by_name(
    make_app: AppFactory, value: str
) -> None:
    with pytest.raises(ConfigError, match="METRICS_ENABLED"):
        make_app(METRICS_ENABLED=value)
