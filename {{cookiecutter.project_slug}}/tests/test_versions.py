"""Versions as ETags; If-Match on PATCH and DELETE: no silent overwrite."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId
from flask.testing import FlaskClient
from pymongo.database import Database


def test_create_read_and_change_carry_the_version(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    assert item["version"] == 1
    read = client.get(f"/api/items/{item['id']}")
    assert read.headers["ETag"] == '"1"'
    changed = client.patch(f"/api/items/{item['id']}", json={"quantity": 9})
    assert changed.get_json()["version"] == 2
    assert changed.headers["ETag"] == '"2"'


def test_two_editors_of_one_version_cannot_both_win(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    url = f"/api/items/{item['id']}"
    tag = client.get(url).headers["ETag"]
    first = client.patch(url, json={"quantity": 1}, headers={"If-Match": tag})
    second = client.patch(url, json={"quantity": 2}, headers={"If-Match": tag})
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.get_json()["error"]["status"] == 412
    assert client.get(url).get_json()["quantity"] == 1
    deleted = client.delete(url, headers={"If-Match": tag})
    assert deleted.status_code == 412
    assert client.get(url).status_code == 200
    fresh = client.get(url).headers["ETag"]
    assert client.delete(url, headers={"If-Match": fresh}).status_code == 204


@pytest.mark.parametrize(
    "if_match",
    ['"2"', '"0"', 'W/"1"', '"one"', '"1 "', '"99999999999999999999"', "garbage"],
)
def test_a_tag_that_is_not_the_current_version_is_a_412(
    client: FlaskClient, item: dict[str, Any], if_match: str
) -> None:
    url = f"/api/items/{item['id']}"
    response = client.patch(url, json={"quantity": 5}, headers={"If-Match": if_match})
    assert response.status_code == 412, if_match
    assert client.delete(url, headers={"If-Match": if_match}).status_code == 412
    assert client.get(url).get_json()["version"] == 1


# An unquoted 1 is Werkzeug's leniency: it reads it as the tag "1".
@pytest.mark.parametrize("if_match", ['"1"', '"7", "1"', "*", '"x", "1"', "1"])
def test_a_matching_tag_or_star_applies(
    client: FlaskClient, item: dict[str, Any], if_match: str
) -> None:
    url = f"/api/items/{item['id']}"
    response = client.patch(url, json={"quantity": 5}, headers={"If-Match": if_match})
    assert response.status_code == 200, if_match


def test_without_if_match_the_last_write_wins(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    url = f"/api/items/{item['id']}"
    assert client.patch(url, json={"quantity": 1}).status_code == 200
    assert client.patch(url, json={"quantity": 2}).get_json()["version"] == 3


def test_a_missing_item_is_a_404_even_with_if_match(client: FlaskClient) -> None:
    url = f"/api/items/{ObjectId()}"
    patched = client.patch(url, json={"quantity": 1}, headers={"If-Match": '"1"'})
    assert patched.status_code == 404
    assert client.delete(url, headers={"If-Match": "*"}).status_code == 404


def test_a_document_from_before_versions_is_version_0(
    client: FlaskClient, db: Database[Any], item: dict[str, Any]
) -> None:
    db.items.update_one({"_id": ObjectId(item["id"])}, {"$unset": {"version": ""}})
    url = f"/api/items/{item['id']}"
    assert client.get(url).headers["ETag"] == '"0"'
    changed = client.patch(url, json={"quantity": 3}, headers={"If-Match": '"0"'})
    assert changed.status_code == 200
    assert changed.get_json()["version"] == 1


def test_the_contract_declares_the_headers(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    item = paths["/api/items/{item_id}"]
    for method in ("patch", "delete"):
        names = [parameter["name"] for parameter in item[method]["parameters"]]
        assert "If-Match" in names
        assert "412" in item[method]["responses"]
    assert "ETag" in item["patch"]["responses"]["200"]["headers"]
    assert "ETag" in item["get"]["responses"]["200"]["headers"]
    create = paths["/api/items"]["post"]
    names = [parameter["name"] for parameter in create["parameters"]]
    assert "Idempotency-Key" in names
    assert "ETag" in create["responses"]["201"]["headers"]


def test_an_over_long_if_match_is_a_400(
    client: FlaskClient, item: dict[str, Any]
) -> None:
    url = f"/api/items/{item['id']}"
    long = '"1", ' * 300
    patched = client.patch(url, json={"quantity": 1}, headers={"If-Match": long})
    assert patched.status_code == 400
    assert client.delete(url, headers={"If-Match": "0" * 1001}).status_code == 400
