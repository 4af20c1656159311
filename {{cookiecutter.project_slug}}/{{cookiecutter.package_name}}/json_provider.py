"""JSON responses that understand BSON types.

It extends Flask's provider instead of replacing it, so Flask's own handling of
dates, Decimal, UUID and dataclasses and its settings (``sort_keys``, ``compact``)
still apply. Responses are plain JSON for any client: no ``$oid``/``$date``
extended-JSON wrappers. Request bodies are parsed as strict JSON.

Any other iterable (a pymongo or mongomock cursor, a generator of documents)
becomes a list, so ``return jsonify(collection.find(...))`` works as in
Flask-PyMongo's docs. Mappings and text are never taken apart that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from bson import Decimal128, ObjectId
from flask.json.provider import DefaultJSONProvider


def to_jsonable(value: Any) -> Any:
    """Encode one value json cannot: ObjectId as hex, datetimes as UTC ISO 8601.

    A naive datetime is taken to be UTC, which is what MongoDB stores.
    Decimal128 becomes a string so no precision is lost in a float.
    """
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.removesuffix("+00:00") + "Z"
    if isinstance(value, Decimal128):
        return str(value)
    try:
        return DefaultJSONProvider.default(value)
    except TypeError:
        if isinstance(value, Iterable) and not isinstance(
            value, str | bytes | bytearray | Mapping
        ):
            return list(value)
        raise


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class MongoJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider plus ObjectId, datetime and Decimal128."""

    default = staticmethod(to_jsonable)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse strict JSON: Python's parser would accept NaN and Infinity.

        Stored, they would come back out as invalid JSON that most clients
        cannot parse; refused here, they are a 400 like any malformed body.
        """
        kwargs.setdefault("parse_constant", _refuse_constant)
        return super().loads(s, **kwargs)
