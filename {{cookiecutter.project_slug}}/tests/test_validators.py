"""The $jsonSchema validators: MongoDB's dialect, and how the deploy step applies them.

Neither test backend enforces a validator (mongomock has none, nx-27017 accepts
and ignores one), so the output is checked against MongoDB's documented dialect:
no keyword it lists as unsupported, ``bsonType`` for every type, PCRE patterns.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel, Field
from pymongo.database import Database
from pymongo.errors import OperationFailure

from {{ cookiecutter.package_name }} import schema
from {{ cookiecutter.package_name }}.validators import (
    declared,
    translate,
    validator,
)

# MongoDB's "$jsonSchema" omissions (docs: "JSON Schema omissions"), and the later
# drafts' keywords its draft 4 dialect does not know.
MONGODB_OMITS = {"$ref", "$schema", "default", "definitions", "format", "id"}
DRAFT_6_AND_LATER = {"$defs", "const", "contains", "propertyNames", "examples", "if"}
BSON_TYPES = {
    "double", "string", "object", "array", "binData", "objectId", "bool", "date",
    "null", "regex", "int", "timestamp", "long", "decimal", "minKey", "maxKey",
}  # fmt: skip


def schemas(node: Any) -> list[dict[str, Any]]:
    """Every schema inside ``node``, field names of ``properties`` not mistaken for
    keywords (a field may well be called ``default``)."""
    found = [node]
    for key, value in node.items():
        if key in ("properties", "patternProperties"):
            for sub in value.values():
                found += schemas(sub)
        elif key in ("items", "additionalProperties", "not") and isinstance(
            value, dict
        ):
            found += schemas(value)
        elif key in ("anyOf", "oneOf", "allOf"):
            for sub in value:
                found += schemas(sub)
    return found


def assert_mongodb_dialect(rule: dict[str, Any]) -> None:
    for node in schemas(rule["$jsonSchema"]):
        bad = (MONGODB_OMITS | DRAFT_6_AND_LATER | {"type"}) & set(node)
        assert not bad, f"unsupported keywords {bad} in {node}"
        types = node.get("bsonType", [])
        for name in [types] if isinstance(types, str) else types:
            assert name in BSON_TYPES, name
        assert "\\u" not in node.get("pattern", "")
        for flag in ("exclusiveMaximum", "exclusiveMinimum"):
            assert isinstance(node.get(flag, True), bool), node


def test_every_declared_validator_is_in_mongodbs_dialect() -> None:
    rules = declared()
    assert set(rules) == {"items"}
    for rule in rules.values():
        assert_mongodb_dialect(rule)


def test_the_items_validator_says_what_the_model_says() -> None:
    rule = declared()["items"]["$jsonSchema"]
    assert rule["bsonType"] == "object"
    assert {"_id", "name", "name_key", "created_at", "updated_at"} <= set(
        rule["required"]
    )
    props = rule["properties"]
    assert props["quantity"]["bsonType"] == ["int", "long"]
    assert props["quantity"]["minimum"] == 0
    assert props["name"]["maxLength"] == 200
    assert props["tags"]["maxItems"] == 20
    assert props["created_at"] == {"bsonType": "date"}
    # Keys that are operators or paths are refused, as the API refuses them.
    attributes = props["attributes"]
    assert attributes["additionalProperties"] is False
    [pattern] = attributes["patternProperties"]
    assert re.match(pattern, "colour")
    for hostile in ("$where", "a.b", "", "x\x00"):
        assert not re.match(pattern, hostile), hostile


# What pymongo decodes each BSON type to, for the fields the service writes.
PYTHON_TO_BSON = {
    ObjectId: "objectId",
    str: "string",
    bool: "bool",
    int: "int",  # or "long": either is accepted where an integer is declared
    float: "double",
    datetime: "date",
    list: "array",
    dict: "object",
    type(None): "null",
}


def bson_types(rule: dict[str, Any]) -> set[str]:
    """The BSON types a (sub)schema accepts, through ``anyOf`` too."""
    types = rule.get("bsonType", [])
    found = {types} if isinstance(types, str) else set(types)
    for option in rule.get("anyOf", []):
        found |= bson_types(option)
    return found


def test_every_field_the_service_writes_is_declared_with_its_type(
    app: Flask, client: FlaskClient, db: Database[Any]
) -> None:
    """The validator lets undeclared fields through (a later version may add
    one), so a field the service starts writing without declaring it would go
    unchecked for every other writer: each write path's documents must match."""
    attributes = {"k": "v", "n": 1.5}
    body = {"name": "A", "quantity": 5, "tags": ["t"], "attributes": attributes}
    a = client.post("/api/items", json=body).get_json()["id"]
    b = client.post("/api/items", json={"name": "B"}).get_json()["id"]
    assert client.patch(f"/api/items/{a}", json={"description": "d"}).status_code == 200
    moved = {"source": a, "target": b, "quantity": 2}
    assert client.post("/api/items/transfers", json=moved).status_code == 200
    assert app.test_cli_runner().invoke(args=["seed", "--count", "2"]).exit_code == 0
    rule = declared()["items"]["$jsonSchema"]
    documents = list(db.items.find())
    assert len(documents) == 4
    for document in documents:
        assert set(rule["required"]) <= set(document), document
        assert set(document) <= set(rule["properties"]), document
        for field, value in document.items():
            accepted = bson_types(rule["properties"][field])
            assert PYTHON_TO_BSON[type(value)] in accepted, (field, value, accepted)


class Part(BaseModel):
    label: str = Field(default="x", max_length=5)


class Awkward(BaseModel):
    """Everything pydantic writes that MongoDB's dialect lacks."""

    part: Part  # $ref into $defs
    parts: list[Part] = []
    maybe: int | None = None  # anyOf with null, a default
    kind: Literal["a"] = "a"  # const
    mode: Literal["x", "y"] = "x"  # enum
    when: datetime  # format: date-time
    ratio: Annotated[float, Field(gt=0, lt=1)]  # numeric exclusive bounds
    default: str = ""  # a field named like a keyword
    code: Annotated[str, Field(pattern="^[\u00e9a-z]+$")]
    extras: dict[Annotated[str, Field(pattern="^k")], int] = {}


def test_a_model_with_every_awkward_construct_translates_cleanly() -> None:
    rule = validator(Awkward)
    assert_mongodb_dialect(rule)
    props = rule["$jsonSchema"]["properties"]
    assert props["part"]["properties"]["label"] == {
        "maxLength": 5,
        "bsonType": "string",
    }
    assert props["parts"]["items"]["bsonType"] == "object"
    assert {"bsonType": "null"} in props["maybe"]["anyOf"]
    assert props["mode"]["enum"] == ["x", "y"]
    assert props["ratio"]["minimum"] == 0
    assert props["ratio"]["exclusiveMinimum"] is True
    assert props["ratio"]["exclusiveMaximum"] is True
    assert "default" in props  # the field survives; the keyword does not
    extras = props["extras"]["patternProperties"]
    assert extras == {"^k": {"bsonType": ["int", "long"]}}
    assert props["extras"]["additionalProperties"] is False


def test_unicode_escapes_become_pcre_code_points() -> None:
    assert translate({"type": "string", "pattern": "[^\\u0000-\\u001f]"}) == {
        "bsonType": "string",
        "pattern": "[^\\x{0000}-\\x{001f}]",
    }


class RecordingDatabase:
    """Records what the deploy step asks of the server."""

    def __init__(self, existing: list[str], error: Exception | None = None) -> None:
        self.existing, self.error = existing, error
        self.calls: list[tuple[str, Any]] = []

    def list_collection_names(self) -> list[str]:
        return self.existing

    def command(self, document: dict[str, Any]) -> None:
        self.calls.append(("command", document))
        if self.error:
            raise self.error

    def create_collection(self, name: str, **options: Any) -> None:
        self.calls.append(("create", {"name": name, **options}))
        if self.error:
            raise self.error


@pytest.mark.parametrize("existing", [[], ["items"]], ids=["new", "existing"])
def test_upgrade_creates_or_collmods_with_the_declared_validator(
    existing: list[str],
) -> None:
    database = RecordingDatabase(existing)
    lines: list[str] = []
    schema.apply_validators(database, lines.append)  # type: ignore[arg-type]
    [(kind, sent)] = database.calls
    assert sent["validator"] == declared()["items"]
    assert sent["validationLevel"] == "strict"
    if existing:
        assert kind == "command"
        assert next(iter(sent)) == "collMod"  # the command's name comes first
        assert sent["collMod"] == "items"
    else:
        assert (kind, sent["name"]) == ("create", "items")
    assert lines == ["validator items: applied"]


def test_a_backend_without_validators_is_skipped_and_says_so() -> None:
    database = RecordingDatabase(["items"], NotImplementedError("mongomock"))
    lines: list[str] = []
    schema.apply_validators(database, lines.append)  # type: ignore[arg-type]
    assert lines == ["validator items: not supported by this backend, skipped"]


def test_a_refused_validator_is_one_line_naming_the_collection() -> None:
    refused = OperationFailure(
        "Unauthorized\nmore", code=13, details={"errmsg": "not authorized"}
    )
    database = RecordingDatabase(["items"], refused)
    expected = r"^validator items could not be applied: not authorized$"
    with pytest.raises(schema.UpgradeError, match=expected):
        schema.apply_validators(database, lambda line: None)  # type: ignore[arg-type]
