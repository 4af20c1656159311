from __future__ import annotations

import json
from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.ctx import AppContext
from flask.testing import FlaskClient
from outage import OUTAGE_ERRORS, DownClient
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
    WTimeoutError,
)
from support import AppFactory
from werkzeug.exceptions import UnprocessableEntity
from werkzeug.test import TestResponse

from {{ cookiecutter.package_name }} import items
from {{ cookiecutter.package_name }}.errors import (
    MAX_DETAIL_CHARS,
    MAX_DETAILS,
    cap_details,
    error_response,
)
from {{ cookiecutter.package_name }}.validation import MAX_MEMBERS


def assert_error_shape(response: TestResponse, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.is_json
    error: dict[str, Any] = response.get_json()["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str)
    assert isinstance(error["message"], str)
    return error


def test_unknown_route_is_a_json_404(client: FlaskClient) -> None:
    error = assert_error_shape(client.get("/nowhere"), 404)
    assert error["code"] == "not_found"


def test_wrong_method_is_a_json_405_with_allow(client: FlaskClient) -> None:
    response = client.put("/api/items")
    assert_error_shape(response, 405)
    assert "POST" in response.headers["Allow"]


def test_a_body_over_the_limit_is_a_json_413(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/api/items", json={"name": "x" * 200})
    assert_error_shape(response, 413)


def test_an_unexpected_exception_is_a_json_500_without_a_traceback(
    make_app: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()  # its own: the test adds a route
    client = app.test_client()

    @app.get("/boom")
    def boom() -> NoReturn:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    error = assert_error_shape(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert error["code"] == "internal_server_error"
    assert "secret internals" in caplog.text


def test_a_connection_failure_is_a_503_with_retry_after(make_app: AppFactory) -> None:
    app = make_app()  # its own: the test adds a route
    client = app.test_client()

    @app.get("/flaky")
    def flaky() -> NoReturn:
        raise AutoReconnect("connection reset")

    response = client.get("/flaky")
    assert_error_shape(response, 503)
    assert response.headers["Retry-After"] == str(app.config["RETRY_AFTER_SECONDS"])


def test_an_untranslated_duplicate_key_is_a_409(make_app: AppFactory) -> None:
    app = make_app()  # its own: the test adds a route
    client = app.test_client()

    @app.get("/dup")
    def dup() -> NoReturn:
        raise DuplicateKeyError("E11000 duplicate key", code=11000)

    assert_error_shape(client.get("/dup"), 409)


@pytest.mark.parametrize("error", OUTAGE_ERRORS)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/items", None),
        ("post", "/api/items", {"name": "a"}),
        ("get", "/api/items/65a1b2c3d4e5f60718293a4b", None),
        ("patch", "/api/items/65a1b2c3d4e5f60718293a4b", {"quantity": 1}),
        ("delete", "/api/items/65a1b2c3d4e5f60718293a4b", None),
    ],
)
def test_every_database_route_is_a_503_while_the_database_is_down(
    offline_app: Flask,
    outage: DownClient,
    error: type[ConnectionFailure],
    method: str,
    path: str,
    body: Any,
) -> None:
    outage.error = error
    response = getattr(offline_app.test_client(), method)(path, json=body)
    error_body = assert_error_shape(response, 503)
    assert error_body["code"] == "database_unavailable"
    assert response.headers["Retry-After"] == str(
        offline_app.config["RETRY_AFTER_SECONDS"]
    )


def test_as_many_unknown_keys_as_a_body_may_hold_give_a_small_error(
    client: FlaskClient,
) -> None:
    body = {f"k{number}": 0 for number in range(MAX_MEMBERS)}
    response = client.post(
        "/api/items", data=json.dumps(body), content_type="application/json"
    )
    error = assert_error_shape(response, 422)
    assert len(response.data) < 40_000
    assert len(error["details"]) == MAX_DETAILS
    # Every unknown key, and the missing name, is a problem.
    assert error["details_omitted"] == MAX_MEMBERS + 1 - MAX_DETAILS


def test_60000_unknown_keys_are_refused_whole_with_a_small_413(
    client: FlaskClient,
) -> None:
    body = {f"k{number}": 0 for number in range(60_000)}  # 0.7 MB, under the limit
    response = client.post(
        "/api/items", data=json.dumps(body), content_type="application/json"
    )
    error = assert_error_shape(response, 413)
    assert str(MAX_MEMBERS) in error["message"]
    assert "details" not in error
    assert len(response.data) < 1_000


def test_details_that_fit_are_sent_whole(app_context: AppContext) -> None:
    details = {f"field{number}": "is wrong" for number in range(MAX_DETAILS)}
    error = error_response(422, "Invalid.", details=details).get_json()["error"]
    assert error["details"] == details
    assert "details_omitted" not in error


@pytest.mark.parametrize(
    ("details", "kept", "omitted"),
    [
        ({"a": "b"}, {"a": "b"}, 0),
        ({"k" * 10_000: "v"}, {"k" * (MAX_DETAIL_CHARS - 1) + "\u2026": "v"}, 0),
        ({"a": "v" * 10_000}, {"a": "v" * (MAX_DETAIL_CHARS - 1) + "\u2026"}, 0),
        # Keys that coincide once shortened are dropped, and counted.
        ({"k" * 600 + "1": 1, "k" * 600 + "2": 2}, None, 1),
        (list(range(MAX_DETAILS + 7)), list(range(MAX_DETAILS)), 7),
        (("x",) * (MAX_DETAILS * 3), ["x"] * MAX_DETAILS, MAX_DETAILS * 2),
        ("t" * 10_000, "t" * (MAX_DETAIL_CHARS - 1) + "\u2026", 0),
        (12, 12, 0),
    ],
)
def test_cap_details(
    app_context: AppContext, details: Any, kept: Any, omitted: int
) -> None:
    capped, left_out = cap_details(details)
    if kept is not None:
        assert capped == kept
    assert left_out == omitted


@pytest.mark.parametrize(
    "value",
    [
        {"nested": ["deep"] * 10_000},
        [{"loc": ["x"] * 1000, "msg": "m" * 1000}],
        "\x00" * 1000,  # six characters each as JSON
    ],
)
def test_each_detail_is_bounded_in_size(app_context: AppContext, value: Any) -> None:
    capped, _ = cap_details({"field": value, "other": value})
    assert len(json.dumps(capped)) < 20 * MAX_DETAIL_CHARS


def test_an_http_error_with_many_details_is_capped(make_app: AppFactory) -> None:
    app = make_app()  # its own: the test adds a route
    client = app.test_client()

    @app.get("/many")
    def many() -> NoReturn:
        error = UnprocessableEntity("Too many.")
        error.details = {str(number): "bad" for number in range(1000)}  # type: ignore[attr-defined]
        raise error

    error = assert_error_shape(client.get("/many"), 422)
    assert len(error["details"]) == MAX_DETAILS
    assert error["details_omitted"] == 1000 - MAX_DETAILS


class FailingCollection:
    """A collection whose every method raises ``error``, as a slow server would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> NoReturn:
            raise self.error

        return fail


@pytest.mark.parametrize(
    "error",
    [
        ExecutionTimeout("operation exceeded time limit", code=50),
        NetworkTimeout("timed out (configured timeouts: timeoutMS: 5000.0ms)"),
        WTimeoutError("waiting for replication timed out", code=64),
        ServerSelectionTimeoutError("No servers found yet, Timeout: 5.0s"),
    ],
    ids=type,
)
def test_a_missed_deadline_is_a_503_with_retry_after(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, error: PyMongoError
) -> None:
    assert error.timeout
    monkeypatch.setattr(items.store, "collection", lambda: FailingCollection(error))
    for response in (
        client.get("/api/items"),
        client.get("/api/items/65a1b2c3d4e5f60718293a4b"),
        client.post("/api/items", json={"name": "late"}),
    ):
        assert assert_error_shape(response, 503)["code"] == "database_unavailable"
        assert int(response.headers["Retry-After"]) > 0


def test_a_driver_error_that_is_not_a_timeout_is_a_500_that_hides_it(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = OperationFailure("secret internals", code=2)
    assert not error.timeout
    monkeypatch.setattr(items.store, "collection", lambda: FailingCollection(error))
    response = client.get("/api/items")
    assert_error_shape(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
