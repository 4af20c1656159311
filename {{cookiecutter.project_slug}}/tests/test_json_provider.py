from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from bson import Decimal128, ObjectId
from flask import Flask, jsonify
from pymongo.database import Database
from support import AppFactory

from {{ cookiecutter.package_name }}.json_provider import (
    MongoJSONProvider,
    to_jsonable,
)

OID = ObjectId("65a1b2c3d4e5f60718293a4b")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (OID, "65a1b2c3d4e5f60718293a4b"),
        (datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "2030-01-02T03:04:05.678Z"),
        (datetime(2030, 1, 2, 3, 4, 5), "2030-01-02T03:04:05.000Z"),
        (
            datetime(2030, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2030-01-02T03:04:05.000Z",
        ),
        (Decimal128("12.50"), "12.50"),
    ],
)
def test_bson_values(value: object, expected: str) -> None:
    assert to_jsonable(value) == expected


def test_flasks_own_types_are_kept(app: Flask) -> None:
    @dataclass
    class Point:
        x: int

    text = app.json.dumps(
        {
            "day": date(2030, 1, 2),
            "price": Decimal("1.10"),
            "id": uuid.UUID(int=1),
            "point": Point(3),
        }
    )
    assert json.loads(text) == {
        "day": "Wed, 02 Jan 2030 00:00:00 GMT",
        "price": "1.10",
        "id": "00000000-0000-0000-0000-000000000001",
        "point": {"x": 3},
    }


def test_no_extended_json_in_responses(app: Flask) -> None:
    text = app.json.dumps({"_id": OID, "at": datetime(2030, 1, 1, tzinfo=UTC)})
    assert "$oid" not in text
    assert "$date" not in text


def test_sort_keys_is_respected(make_app: AppFactory) -> None:
    app = make_app()  # its own: the test changes the app's provider
    assert isinstance(app.json, MongoJSONProvider)
    assert app.json.dumps({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'
    app.json.sort_keys = False
    assert app.json.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_unknown_types_still_fail_loudly(app: Flask) -> None:
    with pytest.raises(TypeError):
        app.json.dumps({"x": object()})


@pytest.mark.parametrize("text", ['{"x": NaN}', '{"x": Infinity}', "[-Infinity]"])
def test_parsing_is_strict_json(app: Flask, text: str) -> None:
    with pytest.raises(ValueError, match="not valid JSON"):
        app.json.loads(text)


def test_parsing_still_reads_ordinary_json(app: Flask) -> None:
    assert app.json.loads('{"a": [1, 2.5, "x", null, true]}') == {
        "a": [1, 2.5, "x", None, True]
    }


def test_a_cursor_is_a_list(app: Flask, db: Database[Any]) -> None:
    db.things.insert_many([{"_id": OID, "n": 1}, {"n": 2}])
    with app.test_request_context():
        response = jsonify(db.things.find({}, {"_id": 0}).sort("n", 1))
    assert response.get_json() == [{"n": 1}, {"n": 2}]


def test_any_iterable_of_documents_is_a_list(app: Flask) -> None:
    documents = ({"_id": OID, "n": n} for n in range(2))
    text = app.json.dumps({"items": documents, "ids": iter([OID])})
    assert json.loads(text) == {
        "items": [{"_id": str(OID), "n": 0}, {"_id": str(OID), "n": 1}],
        "ids": [str(OID)],
    }


@pytest.mark.parametrize("value", [object(), 1j, b"bytes"])
def test_what_is_not_a_document_still_fails(app: Flask, value: object) -> None:
    with pytest.raises(TypeError):
        app.json.dumps({"x": value})


DOCUMENT = {
    "_id": OID,
    "name": "Grüße, 東京 🚀",
    "at": datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    "naive": datetime(2030, 1, 2, 3, 4, 5),
    "elsewhere": datetime(2030, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    "day": date(2030, 1, 2),
    "price": Decimal128("12.50"),
    "nested": [{"by": OID, "n": 1.5, "ok": True, "none": None}],
}


def test_responses_read_as_the_standard_encoder_writes_them(app: Flask) -> None:
    """orjson writes responses; what they say is what Flask's encoder says."""
    with app.test_request_context():
        fast = jsonify(DOCUMENT)
    assert fast.mimetype == "application/json"
    assert fast.get_data().endswith(b"\n")
    assert fast.get_json() == json.loads(app.json.dumps(DOCUMENT))  # json's
    assert fast.get_json()["at"] == "2030-01-02T03:04:05.678Z"
    assert fast.get_json()["elsewhere"] == "2030-01-02T03:04:05.000Z"
    assert fast.get_json()["day"] == "Wed, 02 Jan 2030 00:00:00 GMT"
    assert "Grüße, 東京 🚀".encode() in fast.get_data()  # UTF-8, not \\u escapes


def nested(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [
        2**70,  # wider than orjson's 64 bits
        -(2**64),
        nested(300),  # deeper than orjson's 254 levels
        {1: "a key that is not text"},
    ],
    ids=["wide", "wide negative", "deep", "number key"],
)
def test_what_orjson_cannot_encode_goes_through_the_standard_encoder(
    app: Flask, value: object
) -> None:
    with app.test_request_context():
        response = jsonify({"x": value})
    expected = json.dumps({"x": value}, separators=(",", ":"), sort_keys=True)
    assert response.get_data() == expected.encode() + b"\n"


@pytest.mark.parametrize("value", [object(), 1j, b"bytes", {"a": object()}])
def test_a_response_of_what_is_not_json_still_fails(app: Flask, value: object) -> None:
    with app.test_request_context(), pytest.raises(TypeError):
        jsonify(x=value)


def test_responses_keep_sort_keys_and_pretty_printing(make_app: AppFactory) -> None:
    app = make_app()  # its own: the test changes the app's provider
    assert isinstance(app.json, MongoJSONProvider)
    with app.test_request_context():
        assert jsonify(b=1, a=2).get_data() == b'{"a":2,"b":1}\n'
        app.json.sort_keys = False
        assert jsonify({"b": 1, "a": 2}).get_data() == b'{"b":1,"a":2}\n'
        app.json.compact = False
        assert jsonify({"b": 1}).get_data() == b'{\n  "b": 1\n}\n'
        app.json.compact = None
        app.json.ensure_ascii = True
        assert jsonify({"b": "é"}).get_data() == b'{"b":"\\u00e9"}\n'


def test_a_default_set_on_the_provider_encodes_responses(make_app: AppFactory) -> None:
    """Flask documents ``app.json.default`` as the hook for a type of your own."""

    class Money:
        pass

    def default(value: object) -> Any:
        return "1.10 EUR" if isinstance(value, Money) else to_jsonable(value)

    app = make_app()  # its own: the test changes the app's provider
    assert isinstance(app.json, MongoJSONProvider)
    app.json.default = default
    with app.test_request_context():
        assert jsonify(price=Money(), id=OID).get_json() == {
            "price": "1.10 EUR",
            "id": str(OID),
        }
