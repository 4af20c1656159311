from __future__ import annotations

from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from outage import OUTAGE_ERRORS, DownClient
from pymongo.errors import AutoReconnect, ConnectionFailure, DuplicateKeyError
from werkzeug.test import TestResponse


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
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/boom")
    def boom() -> NoReturn:
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    error = assert_error_shape(response, 500)
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert error["code"] == "internal_server_error"
    assert "secret internals" in caplog.text


def test_a_connection_failure_is_a_503_with_retry_after(
    app: Flask, client: FlaskClient
) -> None:
    @app.get("/flaky")
    def flaky() -> NoReturn:
        raise AutoReconnect("connection reset")

    response = client.get("/flaky")
    assert_error_shape(response, 503)
    assert response.headers["Retry-After"] == str(app.config["RETRY_AFTER_SECONDS"])


def test_an_untranslated_duplicate_key_is_a_409(
    app: Flask, client: FlaskClient
) -> None:
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
