from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import BadRequest

from {{ cookiecutter.package_name }}.items import Item
from {{ cookiecutter.package_name }}.validation import (
    MAX_DEPTH,
    MAX_MEMBERS,
    query_int,
    unstorable,
)

OVER = MAX_MEMBERS + 1


def test_plain_values_are_storable() -> None:
    assert unstorable({"a": {"b": [{"c": 1, "d": "text", "e": None}]}}) == {}


def test_operator_and_dotted_keys_are_found_at_any_depth() -> None:
    body = {"$set": 1, "a": {"b.c": 1, "list": [{"$where": "x"}]}}
    assert set(unstorable(body)) == {"$set", "a.b.c", "a.list[0].$where"}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"a": 2**63}, "a"),
        ({"a": [-(2**63) - 1]}, "a[0]"),
        ({"a\0b": 1}, "a\0b"),
        ({"a": "\ud800"}, "a"),
        ({"\udfff": 1}, "\udfff"),
        ({"a": {"b": float("inf")}}, "a.b"),
    ],
)
def test_values_bson_cannot_store_are_found(body: dict[str, Any], path: str) -> None:
    assert list(unstorable(body)) == [path]


def test_problems_come_shallowest_first_in_the_bodys_order() -> None:
    """A 422 shows the first MAX_DETAILS problems: those nearest the top."""
    body = {
        "z": 2**64,
        "deep": {"$x": 1, "list": [2**64, {"$y": 1}, "\ud800"]},
        "a": "\udfff",
        "$k": 1,
    }
    assert list(unstorable(body)) == [
        "z",
        "a",
        "$k",
        "deep.$x",
        "deep.list[0]",
        "deep.list[2]",
        "deep.list[1].$y",
    ]


def test_the_largest_64_bit_integers_are_fine() -> None:
    assert unstorable({"a": 2**63 - 1, "b": -(2**63)}) == {}


def test_deep_nesting_is_refused_without_recursion() -> None:
    body: dict[str, Any] = {}
    inner = body
    for _ in range(10 * MAX_DEPTH):
        inner["x"] = {}
        inner = inner["x"]
    problems = unstorable(body)
    assert len(problems) == 1
    assert "nests deeper" in next(iter(problems.values()))


@pytest.mark.parametrize(("query", "expected"), [("", 5), ("n=7", 7), ("n=-3", -3)])
def test_query_int_reads_plain_whole_numbers(
    app: Flask, query: str, expected: int
) -> None:
    with app.test_request_context(f"/?{query}"):
        assert query_int("n", 5, minimum=-10, maximum=10) == expected


@pytest.mark.parametrize("raw", ["", "ten", "1_0", " 7", "\u0667", "7.0", "11", "-11"])
def test_query_int_refuses_anything_else_naming_the_argument(
    app: Flask, raw: str
) -> None:
    with (
        app.test_request_context("/", query_string={"n": raw}),
        pytest.raises(BadRequest, match=r"^400 Bad Request: n must be"),
    ):
        query_int("n", 5, minimum=-10, maximum=10)


@pytest.mark.parametrize(
    "body",
    [
        {f"k{n}": 0 for n in range(OVER)},  # one level
        {"name": "a", "tags": ["t"] * (MAX_MEMBERS - 1)},  # a long list
        {"name": "a", "attributes": {f"k{n}": n for n in range(MAX_MEMBERS)}},
        {"name": "a", "x": [[0] * 40 for _ in range(25)]},  # 2 + 25 + 1,000
        {"a": {"b": {"c": [{"d": n} for n in range(500)]}}},  # 3 + 500 + 500
    ],
)
@pytest.mark.parametrize("path", ["/api/items", "/api/items/transfers"])
def test_more_keys_and_items_than_a_body_may_hold_is_a_413(
    client: FlaskClient, body: dict[str, Any], path: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_many_members"  # not a body over the size limit
    assert str(MAX_MEMBERS) in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": "a", "tags": ["t"] * (MAX_MEMBERS - 2)},
        {"name": "a", "x": [[0] * 40 for _ in range(24)], "y": [0] * 13},  # 1,000
    ],
)
def test_a_body_of_exactly_the_bound_is_checked_field_by_field(
    client: FlaskClient, body: dict[str, Any]
) -> None:
    response = client.post("/api/items", json=body)
    assert response.status_code == 422  # too many tags, unknown fields: named
    assert response.get_json()["error"]["details"]


def test_a_patch_is_held_to_the_same_bound(client: FlaskClient) -> None:
    body = {"tags": ["t"] * MAX_MEMBERS}
    response = client.patch("/api/items/" + "0" * 24, json=body)
    assert response.status_code == 413


def test_the_largest_item_the_model_allows_is_within_the_bound(
    client: FlaskClient,
) -> None:
    """A model that grows past the bound would have its largest bodies refused."""
    fields = Item.model_json_schema()["properties"]
    most_tags = fields["tags"]["maxItems"]
    most_attributes = fields["attributes"]["maxProperties"]
    body = {
        "name": "Largest",
        "tags": [f"t{n}" for n in range(most_tags)],
        "attributes": {f"k{n}": n for n in range(most_attributes)},
    }
    assert client.post("/api/items", json=body).status_code == 201
