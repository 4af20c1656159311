"""Every response is nosniff; API responses are no-store unless they cache."""

from __future__ import annotations

{% if cookiecutter.include_files -%}
import io
{% endif -%}
from typing import Any, NoReturn

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support import AppFactory
from werkzeug.test import TestResponse

ITEM = "/api/items/65a1b2c3d4e5f60718293a4b"  # an id no test creates


def assert_api_headers(response: TestResponse) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("get", "/api/items", None, 200),
        ("post", "/api/items", {"name": "Lamp"}, 201),
        ("post", "/api/items", {"name": ""}, 422),
        ("post", "/api/items", [], 400),
        ("get", ITEM, None, 404),
        ("patch", ITEM, {"quantity": 1}, 404),
        ("delete", ITEM, None, 404),
        ("get", "/api/items/not-an-id", None, 404),
        ("put", "/api/items", None, 405),
        ("get", "/api/items?limit=oops", None, 400),
        ("get", "/api/nowhere", None, 404),
        ("get", "/api", None, 404),
    ],
)
def test_item_responses_and_errors_are_no_store(
    client: FlaskClient, method: str, path: str, body: Any, status: int
) -> None:
    response = getattr(client, method)(path, json=body)
    assert response.status_code == status
    assert_api_headers(response)


def test_the_item_lifecycle_is_no_store(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    url = f"/api/items/{item['id']}"
    for response in (
        client.get(url),
        client.patch(url, json={"quantity": 5}),
        client.post("/api/items", json={"name": item["name"]}),  # 409
        client.delete(url),
    ):
        assert response.status_code in (200, 204, 409)
        assert_api_headers(response)


def test_a_non_json_body_is_no_store(client: FlaskClient) -> None:
    response = client.post("/api/items", data="name=x")
    assert response.status_code == 415
    assert_api_headers(response)


def test_a_body_over_the_limit_is_no_store(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/api/items", json={"name": "x" * 100})
    assert response.status_code == 413
    assert_api_headers(response)


def test_an_outage_is_no_store(offline_app: Flask) -> None:
    response = offline_app.test_client().get("/api/items")
    assert response.status_code == 503
    assert_api_headers(response)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/nowhere"])
def test_responses_outside_the_api_are_nosniff(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unexpected_error_is_nosniff_and_no_store(make_app: AppFactory) -> None:
    app = make_app()  # its own: the test adds a route
    client = app.test_client()

    @app.get("/api/boom")
    def boom() -> NoReturn:
        raise RuntimeError("boom")

    response = client.get("/api/boom")
    assert response.status_code == 500
    assert_api_headers(response)
{%- if cookiecutter.include_files %}


def test_file_uploads_deletes_and_errors_are_no_store(client: FlaskClient) -> None:
    file = (io.BytesIO(b"data"), "a.txt", "text/plain")
    uploaded = client.post("/api/files", data={"file": file})
    assert uploaded.status_code == 201
    assert_api_headers(uploaded)
    url = f"/api/files/{uploaded.get_json()['id']}"
    for response in (
        client.post("/api/files", data={}),  # 400
        client.get("/api/files/by-name/a.txt?version=x"),  # 400
        client.get(url, headers={"Range": "bytes=9-"}),  # 416
        client.get(url, headers={"If-Match": '"x"'}),  # 412
        client.delete(url),  # 204
        client.get(url),  # 404
    ):
        assert response.status_code in (204, 400, 404, 412, 416)
        assert_api_headers(response)


def test_file_downloads_keep_their_own_cache_policy(client: FlaskClient) -> None:
    file = (io.BytesIO(b"data"), "a.txt", "text/plain")
    stored = client.post("/api/files", data={"file": file}).get_json()
    url = f"/api/files/{stored['id']}"
    etag = client.get(url).headers["ETag"]
    for response in (
        client.get(url),
        client.get(url, headers={"Range": "bytes=0-1"}),
        client.get(url, headers={"If-None-Match": etag}),
        client.get("/api/files/by-name/a.txt"),
    ):
        assert response.status_code in (200, 206, 304)
        assert response.headers["Cache-Control"] == "max-age=3600"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
{%- endif %}
