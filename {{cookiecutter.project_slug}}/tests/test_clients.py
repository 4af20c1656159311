"""Clients through proxies (PROXY_FIX_HOPS) and from browsers (CORS_ORIGINS)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
{%- if cookiecutter.auth != "none" %}
from credentials import ANONYMOUS
{%- endif %}
from flask import Flask
from flask.testing import FlaskClient

from {{ cookiecutter.package_name }}.config import ConfigError

AppFactory = Callable[..., Flask]
PROXY = {"REMOTE_ADDR": "10.0.0.1"}  # every request below arrives from here
{%- if cookiecutter.auth != "none" %}
# Requests without a credential count against their address (then get a 401);
# a caller with a credential counts against it, wherever it calls from.
ALLOWED = 401
{%- else %}
ANONYMOUS: dict[str, str] = {}
ALLOWED = 200
{%- endif %}
pytestmark = pytest.mark.usefixtures("whole_rate_window")


def status(client: FlaskClient, forwarded_for: str) -> int:
    headers = {"X-Forwarded-For": forwarded_for, **ANONYMOUS}
    return client.get("/api/items", headers=headers, environ_base=PROXY).status_code


def test_by_default_forwarded_headers_are_not_trusted(shared_app: AppFactory) -> None:
    client = shared_app(RATE_LIMITS="1/hour").test_client()
    assert status(client, "203.0.113.9") == ALLOWED
    # A client cannot escape its limit by inventing an address.
    assert status(client, "192.0.2.50") == 429


def test_one_trusted_hop_counts_the_address_the_proxy_saw(
    shared_app: AppFactory,
) -> None:
    client = shared_app(RATE_LIMITS="1/hour", PROXY_FIX_HOPS=1).test_client()
    assert status(client, "198.51.100.7") == ALLOWED
    assert status(client, "198.51.100.8") == ALLOWED
    assert status(client, "198.51.100.7") == 429
    # Only the last hop is trusted: a spoofed entry before it changes nothing.
    assert status(client, "1.2.3.4, 198.51.100.7") == 429


def test_two_trusted_hops_read_one_entry_further_back(shared_app: AppFactory) -> None:
    client = shared_app(RATE_LIMITS="1/hour", PROXY_FIX_HOPS=2).test_client()
    assert status(client, "198.51.100.7, 10.0.0.2") == ALLOWED
    assert status(client, "198.51.100.7, 10.0.0.3") == 429
    assert status(client, "198.51.100.8, 10.0.0.2") == ALLOWED


def test_no_cross_origin_access_by_default(shared_app: AppFactory) -> None:
    client = shared_app().test_client()
    response = client.get("/api/items", headers={"Origin": "https://app.example.com"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_listed_origins_get_cors_headers_and_others_do_not(
    shared_app: AppFactory,
) -> None:
    client = shared_app(
        CORS_ORIGINS="https://app.example.com, https://admin.example.com"
    ).test_client()
    allowed = client.get("/api/items", headers={"Origin": "https://app.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    preflight = client.options(
        "/api/items",
        headers={
            "Origin": "https://admin.example.com",
            "Access-Control-Request-Method": "POST",
        },
    )
    allow = preflight.headers["Access-Control-Allow-Origin"]
    assert allow == "https://admin.example.com"
    stranger = client.get("/api/items", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers


@pytest.mark.parametrize(
    "value",
    ["*", "app.example.com", "ftp://app.example.com", "https://", "https://a.b/path"],
)
def test_a_malformed_origin_stops_the_app(make_app: AppFactory, value: str) -> None:
    with pytest.raises(ConfigError, match="CORS_ORIGINS"):
        make_app(CORS_ORIGINS=value)
