"""Every request has an id: a sane incoming one is kept, anything else replaced."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support import AppFactory

from {{ cookiecutter.package_name }}.request_ids import MAX_LENGTH, sanitize

GENERATED = re.compile(r"[0-9a-f]{32}")
SANE = [
    "abc",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "trace:span.01_ab-CD",
    "x" * MAX_LENGTH,
]
HOSTILE = [
    "",
    " ",
    "has space",
    "line\r\nX-Injected: 1",
    "new\nline",
    "nul\x00byte",
    "tab\there",
    "x" * (MAX_LENGTH + 1),
    "ünïcode",
    "emoji-\U0001f600",
    '"quoted"',
    "semi;colon",
    "<script>",
]


def request_with_id(client: FlaskClient, path: str, request_id: str) -> Any:
    # Through the WSGI environ: the test client refuses CR/LF in a header value,
    # a real proxy or attacker need not.
    return client.get(path, environ_base={"HTTP_X_REQUEST_ID": request_id})


@pytest.mark.parametrize("request_id", SANE)
def test_a_sane_incoming_id_is_kept_and_returned(
    client: FlaskClient, request_id: str
) -> None:
    response = request_with_id(client, "/healthz", request_id)
    assert response.headers["X-Request-ID"] == request_id


@pytest.mark.parametrize("request_id", HOSTILE)
def test_a_hostile_incoming_id_is_replaced_with_a_fresh_one(
    client: FlaskClient, request_id: str
) -> None:
    response = request_with_id(client, "/healthz", request_id)
    returned = response.headers["X-Request-ID"]
    assert GENERATED.fullmatch(returned)
    assert returned != request_id


@pytest.mark.parametrize("request_id", HOSTILE)
def test_sanitize_never_returns_a_hostile_value(request_id: str) -> None:
    assert GENERATED.fullmatch(sanitize(request_id))


def test_without_an_incoming_id_each_request_gets_its_own(client: FlaskClient) -> None:
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5
    assert all(GENERATED.fullmatch(request_id) for request_id in ids)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/route", 404),
        ("PUT", "/api/items", 405),
        ("GET", "/api/items?limit=oops", 400),
        ("POST", "/api/items", 415),
    ],
)
def test_error_responses_carry_the_request_id(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    response = client.open(path, method=method, headers={"X-Request-ID": "err-1"})
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == "err-1"


def test_an_outage_response_carries_the_request_id(offline_app: Flask) -> None:
    response = offline_app.test_client().get(
        "/api/items", headers={"X-Request-ID": "outage-1"}
    )
    assert response.status_code == 503
    assert response.headers["X-Request-ID"] == "outage-1"


def test_every_log_line_of_a_failing_request_has_its_id(
    make_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app: Flask = make_app(LOG_FORMAT="json")

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    capsys.readouterr()
    response = app.test_client().get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "boom-1"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    messages = [line["message"] for line in lines]
    assert "Unhandled exception" in messages
    assert any(message.startswith("GET /boom 500") for message in messages)
    assert {line["request_id"] for line in lines} == {"boom-1"}
