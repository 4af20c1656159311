from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import BuildError

OID = ObjectId("65a1b2c3d4e5f60718293a4b")


def test_a_valid_id_reaches_the_view_as_an_objectid(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    endpoint, arguments = adapter.match(f"/api/items/{OID}")
    assert endpoint == "items.get_item"
    assert arguments == {"item_id": OID}


@pytest.mark.parametrize(
    "bad",
    [
        "123",
        "zzzzzzzzzzzzzzzzzzzzzzzz",
        "65a1b2c3d4e5f60718293a4b0",
        "65a1b2c3d4e5f6071829.a4b",
    ],
)
def test_a_malformed_id_is_a_json_404(client: FlaskClient, bad: str) -> None:
    response = client.get(f"/api/items/{bad}")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("value", [OID, str(OID)])
def test_to_url_accepts_objectid_or_string(app: Flask, value: Any) -> None:
    with app.test_request_context():
        assert url_for("items.get_item", item_id=value) == f"/api/items/{OID}"


def test_to_url_refuses_anything_else(app: Flask) -> None:
    with app.test_request_context(), pytest.raises(BuildError):
        url_for("items.get_item", item_id="not-an-id")
