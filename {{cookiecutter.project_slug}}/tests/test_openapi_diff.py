"""The breaking-change rules, edit by edit, on a small document of their own."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from openapi_diff import breaking, compare

Edit = Callable[[dict[str, Any]], object]


def base() -> dict[str, Any]:
    """A document with what the rules look at: refs, enums, bounds, unions."""
    item_in: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "quantity": {"type": "integer", "minimum": 0},
            "colour": {"enum": ["red", "green"]},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    item_out = copy.deepcopy(item_in)
    item_out["properties"]["id"] = {"type": "string", "pattern": "^[0-9a-f]{24}$"}
    item_out["required"] = ["id", "name", "quantity"]
    json_of = {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Base", "version": "1"},
        "paths": {
            "/items": {
                "get": {
                    "operationId": "list_items",
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                        }
                    ],
                    "responses": {"200": {"description": "OK", "content": json_of}},
                },
                "post": {
                    "operationId": "create_item",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/In"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Created",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": json_of,
                        },
                        "422": {"description": "Invalid"},
                    },
                },
            },
            "/items/{item_id}": {
                "delete": {
                    "operationId": "delete_item",
                    "parameters": [
                        {
                            "name": "item_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {"204": {"description": "Deleted"}},
                }
            },
        },
        "components": {"schemas": {"In": item_in, "Out": item_out}},
    }


def schemas(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"]
    return found


def edited(edit: Edit) -> dict[str, Any]:
    document = base()
    edit(document)
    return document


def item_in(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = schemas(document)["In"]["properties"]
    return found


def item_out(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = schemas(document)["Out"]["properties"]
    return found


def post(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"]["/items"]["post"]
    return found


def limit(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"]["/items"]["get"]["parameters"][0]
    return found


BREAKING: dict[str, Edit] = {
    "a path removed": lambda d: d["paths"].pop("/items/{item_id}"),
    "an operation removed": lambda d: d["paths"]["/items"].pop("post"),
    "an operationId renamed": lambda d: post(d).update(operationId="add_item"),
    "a parameter removed": lambda d: d["paths"]["/items"]["get"].update(parameters=[]),
    "a parameter made required": lambda d: limit(d).update(required=True),
    "a required parameter added": lambda d: d["paths"]["/items"]["get"][
        "parameters"
    ].append({"name": "q", "in": "query", "required": True, "schema": {}}),
    "a parameter's maximum lowered": lambda d: limit(d)["schema"].update(maximum=50),
    "a parameter's type narrowed": lambda d: limit(d)["schema"].update(type="boolean"),
    "a status removed": lambda d: post(d)["responses"].pop("422"),
    "a response header removed": lambda d: post(d)["responses"]["201"].pop("headers"),
    "a response media type removed": lambda d: post(d)["responses"]["201"].pop(
        "content"
    ),
    "a response field removed": lambda d: item_out(d).pop("quantity"),
    "a response field no longer always sent": lambda d: schemas(d)["Out"].update(
        required=["id", "name"]
    ),
    "a response field that may now be null": lambda d: item_out(d).update(
        quantity={"anyOf": [{"type": "integer"}, {"type": "null"}]}
    ),
    "a response enum widened": lambda d: item_out(d)["colour"].update(
        enum=["red", "green", "blue"]
    ),
    "a response pattern dropped": lambda d: item_out(d)["id"].pop("pattern"),
    "a new required request field": lambda d: (
        item_in(d).update(size={"type": "integer"}),
        schemas(d)["In"]["required"].append("size"),
    ),
    "a request field made required": lambda d: schemas(d)["In"]["required"].append(
        "quantity"
    ),
    "a request field removed": lambda d: item_in(d).pop("tags"),
    "a request enum value removed": lambda d: item_in(d)["colour"].update(enum=["red"]),
    "a request maxLength lowered": lambda d: item_in(d)["name"].update(maxLength=100),
    "a request minimum raised": lambda d: item_in(d)["quantity"].update(minimum=1),
    "a request array bound lowered": lambda d: item_in(d)["tags"].update(maxItems=5),
    "a request pattern added": lambda d: item_in(d)["name"].update(pattern="^[a-z]+$"),
    "a request null no longer allowed": lambda d: item_in(d).update(
        note={"type": "string"}
    ),
    "a request array's items narrowed": lambda d: item_in(d)["tags"]["items"].update(
        maxLength=10
    ),
    "a request body made required": lambda d: d["paths"]["/items/{item_id}"][
        "delete"
    ].update(requestBody={"required": True, "content": {}}),
    "a request field's type changed": lambda d: item_in(d)["quantity"].update(
        type="string"
    ),
}

ADDITIVE: dict[str, Edit] = {
    "a path added": lambda d: d["paths"].update({"/other": {}}),
    "an operation added": lambda d: d["paths"]["/items/{item_id}"].update(
        get={"operationId": "get_item", "responses": {}}
    ),
    "an optional parameter added": lambda d: d["paths"]["/items"]["get"][
        "parameters"
    ].append({"name": "after", "in": "query", "schema": {"type": "string"}}),
    "a parameter's maximum raised": lambda d: limit(d)["schema"].update(maximum=500),
    "a status added": lambda d: post(d)["responses"].update(
        {"409": {"description": "Taken"}}
    ),
    "a response header added": lambda d: post(d)["responses"]["201"]["headers"].update(
        ETag={"schema": {"type": "string"}}
    ),
    "a response field added": lambda d: item_out(d).update(
        created_at={"type": "string"}
    ),
    "a response enum narrowed": lambda d: item_out(d)["colour"].update(enum=["red"]),
    "an optional request field added": lambda d: item_in(d).update(
        size={"type": "integer"}
    ),
    "a request maxLength raised": lambda d: item_in(d)["name"].update(maxLength=500),
    "a request bound dropped": lambda d: item_in(d)["quantity"].pop("minimum"),
    "a request enum value added": lambda d: item_in(d)["colour"].update(
        enum=["red", "green", "blue"]
    ),
    "a request integer widened to number": lambda d: item_in(d)["quantity"].update(
        type="number"
    ),
    "a request field that may now be null": lambda d: item_in(d).update(
        quantity={"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]}
    ),
}

PROSE: dict[str, Edit] = {
    "the title": lambda d: d["info"].update(title="Renamed", version="2"),
    "a description": lambda d: post(d)["responses"]["201"].update(description="Made."),
    "a summary": lambda d: post(d).update(summary="Create an item."),
    "a schema's title": lambda d: schemas(d)["In"].update(title="Item in"),
}


@pytest.mark.parametrize("edit", BREAKING.values(), ids=BREAKING.keys())
def test_a_change_that_breaks_clients_is_reported(edit: Edit) -> None:
    found = breaking(base(), edited(edit))
    assert found, "not reported as breaking"
    assert all(str(change) for change in found)


@pytest.mark.parametrize("edit", ADDITIVE.values(), ids=ADDITIVE.keys())
def test_an_additive_change_is_reported_but_breaks_nothing(edit: Edit) -> None:
    changes = compare(base(), edited(edit))
    assert changes, "not reported at all"
    assert [change for change in changes if change.breaking] == []


@pytest.mark.parametrize("edit", PROSE.values(), ids=PROSE.keys())
def test_prose_is_not_part_of_the_contract(edit: Edit) -> None:
    assert compare(base(), edited(edit)) == []


def test_the_same_document_has_no_changes() -> None:
    assert compare(base(), base()) == []


def test_a_recursive_schema_is_compared_once() -> None:
    def recursive(document: dict[str, Any]) -> None:
        item_out(document)["parent"] = {"$ref": "#/components/schemas/Out"}

    old, new = edited(recursive), edited(recursive)
    item_out(new)["name"]["maxLength"] = 500
    changes = compare(old, new)
    assert [change.breaking for change in changes] == [True]


def test_a_change_names_where_it_is() -> None:
    (change,) = breaking(base(), edited(BREAKING["a request maxLength lowered"]))
    assert change.where == "POST /items body application/json (In).name"
    assert "maxLength 200 -> 100" in change.what
