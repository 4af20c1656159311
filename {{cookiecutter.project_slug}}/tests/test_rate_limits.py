"""Rate limits: counted in the service's database, refused as JSON 429s."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
{%- if cookiecutter.auth != "none" %}
from credentials import ANONYMOUS, bearer
{%- endif %}
from flask import Flask
from outage import DownClient
from support import UNREACHABLE_URI
from werkzeug.test import Client

from {{ cookiecutter.package_name }}.db import get_db
from {{ cookiecutter.package_name }}.rate_limits import (
    COLLECTION,
    MongoWindowStorage,
)

AppFactory = Callable[..., Flask]
pytestmark = pytest.mark.usefixtures("whole_rate_window")


def exhaust(client: Client, path: str, times: int) -> list[int]:
    return [client.get(path).status_code for _ in range(times)]


def test_the_limit_refuses_with_a_json_429_and_retry_after(
    shared_app: AppFactory,
) -> None:
    client = shared_app(RATE_LIMITS="3/hour").test_client()
    assert exhaust(client, "/api/items", 3) == [200, 200, 200]
    refused = client.get("/api/items")
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "too_many_requests"
    assert "3 per 1 hour" in error["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 3600


@pytest.mark.parametrize(
    ("into_window", "retry_after"),
    [(0.25, 3600), (1799.5, 1801), (3599.9, 1)],  # its start, middle and end
)
def test_retry_after_counts_to_the_end_of_the_window_and_not_past_it(
    shared_app: AppFactory,
    monkeypatch: pytest.MonkeyPatch,
    into_window: float,
    retry_after: int,
) -> None:
    """A client refused a quarter of a second into an hourly window waits the
    rest of that hour, rounded up: 3600 s, never 3601."""
    client = shared_app(RATE_LIMITS="3/hour").test_client()
    hour = int(time.time() // 3600) + 24  # a window no other test counts in
    monkeypatch.setattr(time, "time", lambda: hour * 3600 + into_window)
    assert exhaust(client, "/api/items", 3) == [200, 200, 200]
    refused = client.get("/api/items")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == retry_after


def test_only_refusals_carry_retry_after(shared_app: AppFactory) -> None:
    response = shared_app(RATE_LIMITS="3/hour").test_client().get("/api/items")
    assert response.status_code == 200
    assert "Retry-After" not in response.headers


def test_writes_and_reads_share_one_budget(shared_app: AppFactory) -> None:
    client = shared_app(RATE_LIMITS="2/hour").test_client()
    assert client.post("/api/items", json={"name": "one"}).status_code == 201
    assert client.get("/api/items").status_code == 200
    assert client.post("/api/items", json={"name": "two"}).status_code == 429


def test_each_client_address_has_its_own_budget(shared_app: AppFactory) -> None:
    client = shared_app(RATE_LIMITS="1/hour").test_client()
    here = {"REMOTE_ADDR": "192.0.2.1"}
    there = {"REMOTE_ADDR": "192.0.2.2"}
{%- if cookiecutter.auth != "none" %}
    # Without a credential the address is all there is to count (then a 401).
    for environ, expected in ((here, 401), (here, 429), (there, 401)):
        response = client.get("/api/items", environ_base=environ, headers=ANONYMOUS)
        assert response.status_code == expected
{%- else %}
    assert client.get("/api/items", environ_base=here).status_code == 200
    assert client.get("/api/items", environ_base=here).status_code == 429
    assert client.get("/api/items", environ_base=there).status_code == 200
{%- endif %}


def test_probes_are_never_limited(shared_app: AppFactory) -> None:
    client = shared_app(RATE_LIMITS="1/hour").test_client()
    assert exhaust(client, "/healthz", 5) == [200] * 5
    assert exhaust(client, "/readyz", 5) == [200] * 5


def test_counts_live_in_the_database_so_every_worker_shares_them(
    make_app: AppFactory,
) -> None:
    """Two apps on one database stand in for two gunicorn workers."""
    first = make_app(RATE_LIMITS="2/hour")
    second = make_app(RATE_LIMITS="2/hour", MONGODB_DB=first.config["MONGODB_DB"])
    if first.config["MONGODB_URI"].startswith("mongomock://"):
        # mongomock keeps each client's data apart; share the one client.
        second.extensions["mongo"] = first.extensions["mongo"]
    assert first.test_client().get("/api/items").status_code == 200
    assert second.test_client().get("/api/items").status_code == 200
    assert first.test_client().get("/api/items").status_code == 429
    with first.app_context():
        counters = list(get_db()[COLLECTION].find())
    assert [c["count"] for c in counters] == [3]


def test_a_counter_document_expires_when_its_window_ends(
    shared_app: AppFactory,
) -> None:
    # An hourly window (whole_rate_window keeps clear of its end): a shorter
    # one could end, and the in-memory backend drop the counter, before the
    # test reads it on a busy machine.
    app = shared_app(RATE_LIMITS="2/hour")
    client = app.test_client()
    client.get("/api/items")
    with app.app_context():
        counter: dict[str, Any] = get_db()[COLLECTION].find_one() or {}
    assert counter["count"] == 1
    window_end = float(counter["_id"].rpartition("@")[2])
    assert window_end % 3600 == 0  # windows are aligned to the clock
    assert time.time() < window_end <= time.time() + 3600


def test_a_window_that_ends_while_it_is_counted_counts_the_request(
    shared_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-memory backend drops a counter whose window is over as it reads it
    back: that request is then counted alone, never a 500."""
    monkeypatch.setattr(time, "time", lambda: 1_000_000.0)  # a window of 1970
    with shared_app().test_request_context("/api/items"):
        assert MongoWindowStorage().incr("address:192.0.2.1", 60) == 1


def test_empty_rate_limits_turn_limits_off(shared_app: AppFactory) -> None:
    app = shared_app(RATE_LIMITS="")
    client = app.test_client()
    assert exhaust(client, "/api/items", 20) == [200] * 20
    with app.app_context():
        assert get_db()[COLLECTION].count_documents({}) == 0


@pytest.mark.parametrize("path", ["/api/items", "/openapi.json"])
def test_an_outage_is_a_503_not_a_pass_or_a_500(
    shared_app: AppFactory, outage: DownClient, path: str
) -> None:
    """The limiter cannot store its count: a 503, even where the route itself
    would not touch the database (the document)."""
    app = shared_app(MONGODB_URI=UNREACHABLE_URI, RATE_LIMITS="3/hour")
    response = app.test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"]


@pytest.mark.parametrize(
    "value", ["lots", "600", "600/fortnight", "-1/minute", "600/minute;", "/minute"]
)
def test_a_malformed_limit_stops_the_app_naming_the_setting(
    make_app: AppFactory, value: str
) -> None:
    from {{ cookiecutter.package_name }}.config import ConfigError

    with pytest.raises(ConfigError, match="RATE_LIMITS"):
        make_app(RATE_LIMITS=value)
{%- if cookiecutter.auth != "none" %}


def test_each_credential_has_its_own_budget_wherever_it_calls_from(
    shared_app: AppFactory,
) -> None:
    client = shared_app(RATE_LIMITS="1/hour").test_client()
    here = {"REMOTE_ADDR": "192.0.2.1"}
    there = {"REMOTE_ADDR": "192.0.2.2"}
    assert client.get("/api/items", environ_base=here).status_code == 200
    # The same credential from another address: the same budget.
    assert client.get("/api/items", environ_base=there).status_code == 429
    # Another credential from the same address: a budget of its own.
    other = client.get("/api/items", environ_base=here, headers=bearer("reader"))
    assert other.status_code == 200


def test_made_up_credentials_count_against_the_address(shared_app: AppFactory) -> None:
    client = shared_app(RATE_LIMITS="2/hour").test_client()
    here = {"REMOTE_ADDR": "192.0.2.1"}
    statuses = [
        client.get("/api/items", environ_base=here, headers=forged).status_code
        for forged in (
            {"Authorization": "Bearer made-up-1"},
            {"Authorization": "Bearer made-up-2"},
            {"Authorization": "Bearer made-up-3"},
        )
    ]
    assert statuses == [401, 401, 429]
{%- endif %}
