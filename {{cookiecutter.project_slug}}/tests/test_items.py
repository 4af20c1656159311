from __future__ import annotations

import re
from typing import Any

import pytest
from bson import ObjectId
from flask.testing import FlaskClient
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError


def reports_duplicates_on_find_and_modify(db: Database[Any]) -> bool:
    """Whether the server raises DuplicateKeyError from find_one_and_update."""
    probe = db["probe_find_and_modify"]
    probe.create_index("k", unique=True)
    probe.insert_many([{"k": 1}, {"k": 2}])
    try:
        probe.find_one_and_update({"k": 2}, {"$set": {"k": 1}})
    except DuplicateKeyError:
        return True
    finally:
        probe.drop()
    return False


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
        "version",
        "created_at",
        "updated_at",
{%- if cookiecutter.auth != "none" %}
        "created_by",
{%- endif %}
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
    client: FlaskClient, item: dict[str, Any], db: Database[Any]
) -> None:
    if not reports_duplicates_on_find_and_modify(db):
        pytest.skip(
            "this server's findAndModify does not report a unique-index "
            "violation (nx-27017 0.8.1 returns no document); MongoDB raises 11000"
        )
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
    assert seen == sorted(names)  # name order, the default (test_listing.py)


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


@pytest.mark.parametrize(
    "twin",
    ["widget", "WIDGET", " Widget ", "Wid\u200bget", "\ufeffWidget", "\uff37idget"],
)
def test_a_name_differing_only_in_case_or_invisibly_is_a_409(
    client: FlaskClient, item: dict[str, Any], twin: str
) -> None:
    response = client.post("/api/items", json={"name": twin})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_the_name_is_kept_as_written_less_what_cannot_be_seen(
    client: FlaskClient,
) -> None:
    response = client.post("/api/items", json={"name": "\u202eMy\u200b Lamp\u3000"})
    assert response.status_code == 201
    assert response.get_json()["name"] == "My Lamp"
    assert "name_key" not in response.get_json()


@pytest.mark.parametrize("name", ["\u200b", "\ufeff \u200d", "\x00", "\u202e\u202c"])
def test_a_name_with_nothing_visible_is_a_422(client: FlaskClient, name: str) -> None:
    response = client.post("/api/items", json={"name": name})
    assert response.status_code == 422
    assert "visible" in response.get_json()["error"]["details"]["name"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a", "quantity": "3"}, "quantity"),
        ({"name": "a", "quantity": False}, "quantity"),
        ({"name": 7}, "name"),
        ({"name": "a", "description": 1}, "description"),
        ({"name": "a", "tags": [1]}, "tags[0]"),
        ({"name": "a", "attributes": {"x": {"y": 1}}}, "attributes.x"),
        ({"name": "a", "attributes": "x"}, "attributes"),
    ],
)
def test_types_are_strict(
    client: FlaskClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_a_whole_number_written_with_a_point_is_that_number(
    client: FlaskClient,
) -> None:
    response = client.post("/api/items", json={"name": "a", "quantity": 3.0})
    assert response.status_code == 201
    assert response.get_json()["quantity"] == 3


def test_every_bad_field_is_named_by_its_path(client: FlaskClient) -> None:
    body = {
        "name": "",
        "tags": ["ok", "", "x" * 51],
        "attributes": {"$x": 1, "a.b": 2, "ok": [1]},
        "colour": "red",
    }
    details = client.post("/api/items", json=body).get_json()["error"]["details"]
    assert set(details) == {
        "name",
        "tags[1]",
        "tags[2]",
        "attributes.$x",
        "attributes.a.b",
        "attributes.ok",
        "colour",
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        # More keys and list items than a body may hold: refused whole.
        ({f"field{n}": n for n in range(20_000)}, 413),
        ({"name": "a", "tags": ["x" * 60] * 5_000}, 413),
        # Within that bound, every problem is named (the error is capped).
        ({"name": "a", "tags": ["x" * 60] * 900}, 422),
        ({"name": "a", "k" * 100_000: 1}, 422),
    ],
)
def test_a_huge_bad_body_gives_a_small_error(
    client: FlaskClient, body: dict[str, Any], status: int
) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == status
    assert len(response.data) < 32 * 1024


@pytest.mark.parametrize("query", ["limit=5&limit=500", "after=&after=x"])
def test_a_query_argument_given_twice_is_a_400(client: FlaskClient, query: str) -> None:
    assert client.get(f"/api/items?{query}").status_code == 400
