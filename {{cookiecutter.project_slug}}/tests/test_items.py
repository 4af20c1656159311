from __future__ import annotations

import re
from typing import Any

import pytest
from bson import ObjectId
from flask.testing import FlaskClient
from pymongo.database import Database

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
MISSING = str(ObjectId())


def test_create_returns_the_item_and_its_location(client: FlaskClient) -> None:
    response = client.post(
        "/api/items",
        json={"name": "  Lamp ", "tags": ["home"], "attributes": {"colour": "red"}},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"[0-9a-f]{24}", body["id"])
    assert response.headers["Location"] == f"/api/items/{body['id']}"
    assert body["name"] == "Lamp"
    assert body["description"] == ""
    assert body["quantity"] == 0
    assert body["tags"] == ["home"]
    assert body["attributes"] == {"colour": "red"}
    assert ISO_UTC.fullmatch(body["created_at"])
    assert body["created_at"] == body["updated_at"]


def test_create_stores_only_the_validated_fields(
    client: FlaskClient, db: Database[Any]
) -> None:
    response = client.post("/api/items", json={"name": "Lamp", "quantity": 2})
    stored = db.items.find_one({"_id": ObjectId(response.get_json()["id"])})
    assert stored is not None
    assert set(stored) == {
        "_id",
        "name",
        "name_key",
        "description",
        "quantity",
        "tags",
        "attributes",
        "created_at",
        "updated_at",
    }


def test_a_duplicate_name_is_a_409(client: FlaskClient, item: dict[str, Any]) -> None:
    response = client.post("/api/items", json={"name": item["name"]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_get_one(client: FlaskClient, item: dict[str, Any]) -> None:
    response = client.get(f"/api/items/{item['id']}")
    assert response.status_code == 200
    assert response.get_json() == item


def test_get_a_missing_item_is_a_404(client: FlaskClient) -> None:
    response = client.get(f"/api/items/{MISSING}")
    assert response.status_code == 404
    assert MISSING in response.get_json()["error"]["message"]


def test_patch_updates_only_the_given_fields(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    response = client.patch(f"/api/items/{item['id']}", json={"quantity": 9})
    assert response.status_code == 200
    body = response.get_json()
    assert body["quantity"] == 9
    assert body["name"] == item["name"]
    assert ISO_UTC.fullmatch(body["updated_at"])
    assert body["updated_at"] >= item["updated_at"]
    assert body["created_at"] == item["created_at"]


def test_patch_validates_like_create(client: FlaskClient, item: dict[str, Any]) -> None:
    response = client.patch(f"/api/items/{item['id']}", json={"name": ""})
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["details"]


def test_patch_needs_at_least_one_field(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    assert client.patch(f"/api/items/{item['id']}", json={}).status_code == 422


def test_patch_to_a_taken_name_is_a_409(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    other = client.post("/api/items", json={"name": "Other"}).get_json()
    response = client.patch(f"/api/items/{other['id']}", json={"name": item["name"]})
    assert response.status_code == 409


def test_patch_a_missing_item_is_a_404(client: FlaskClient) -> None:
    assert (
        client.patch(f"/api/items/{MISSING}", json={"quantity": 1}).status_code == 404
    )


def test_delete_then_it_is_gone(client: FlaskClient, item: dict[str, Any]) -> None:
    response = client.delete(f"/api/items/{item['id']}")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/api/items/{item['id']}").status_code == 404
    assert client.delete(f"/api/items/{item['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": 3}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a", "quantity": -1}, "quantity"),
        ({"name": "a", "quantity": 1.5}, "quantity"),
        ({"name": "a", "quantity": True}, "quantity"),
        ({"name": "a", "tags": "home"}, "tags"),
        ({"name": "a", "tags": ["ok", ""]}, "tags[1]"),
        ({"name": "a", "attributes": {"size": [1]}}, "attributes.size"),
        ({"name": "a", "colour": "red"}, "colour"),
        ({"name": {"$gt": ""}}, "name.$gt"),
        ({"name": "a", "attributes": {"$where": "1"}}, "attributes.$where"),
        ({"name": "a", "attributes": {"a.b": 1}}, "attributes.a.b"),
        ({"$set": {"name": "a"}}, "$set"),
        ({"name": "a", "quantity": 2**64}, "quantity"),
        ({"name": "a", "attributes": {"n": -(2**70)}}, "attributes.n"),
        ({"name": "a", "attributes": {"a\u0000b": 1}}, "attributes.a\u0000b"),
    ],
)
def test_invalid_bodies_are_a_422_naming_the_field(
    client: FlaskClient, db: Database[Any], body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]
    assert db.items.count_documents({}) == 0


@pytest.mark.parametrize("body", [[1, 2], "text", 3, False])
def test_a_body_that_is_not_an_object_is_a_400(client: FlaskClient, body: Any) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"name": "a", "attributes": {"x": NaN}}',
        '{"name": "a", "quantity": Infinity}',
        "[" * 100_000 + "]" * 100_000,
        b'{"name": "\xff"}',
    ],
)
def test_malformed_json_is_a_400(
    client: FlaskClient, db: Database[Any], text: str | bytes
) -> None:
    response = client.post("/api/items", data=text, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
    assert db.items.count_documents({}) == 0


@pytest.mark.parametrize(
    "text", ['{"name": "\\ud800"}', '{"name": "a", "tags": ["\\udfff"]}']
)
def test_text_that_is_not_unicode_is_a_422(client: FlaskClient, text: str) -> None:
    response = client.post("/api/items", data=text, content_type="application/json")
    assert response.status_code == 422


def test_a_body_that_is_not_json_is_a_415(client: FlaskClient) -> None:
    response = client.post("/api/items", data="name=x")
    assert response.status_code == 415
    assert response.is_json


def test_list_pages_through_every_item_once(client: FlaskClient) -> None:
    names = {f"item {n:02}" for n in range(7)}
    for name in sorted(names):
        assert client.post("/api/items", json={"name": name}).status_code == 201
    seen: list[str] = []
    url = "/api/items?limit=3"
    pages = 0
    while url:
        body = client.get(url).get_json()
        assert len(body["items"]) <= 3
        seen.extend(entry["name"] for entry in body["items"])
        url = body["next"]
        pages += 1
    assert pages == 3
    assert seen == sorted(names)  # creation order, which is _id order


def test_the_last_page_has_no_next(client: FlaskClient, item: dict[str, Any]) -> None:
    body = client.get("/api/items?limit=1").get_json()
    assert body == {"items": [item], "next": None}


def test_an_empty_list(client: FlaskClient) -> None:
    assert client.get("/api/items").get_json() == {"items": [], "next": None}


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=ten",
        "limit=1_0",
        "limit=-1",
        "limit=",
        "after=nope",
        "after=" + "g" * 24,
    ],
)
def test_bad_page_arguments_are_a_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/items?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400
