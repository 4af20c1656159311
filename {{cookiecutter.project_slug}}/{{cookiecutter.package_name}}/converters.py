"""The ``objectid`` URL converter: ``/api/items/<objectid:item_id>``.

The rule matches only 24 hex digits, so a malformed id never matches a route: it is
a 404 before the view runs and never reaches the database.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from werkzeug.routing import BaseConverter, ValidationError


class ObjectIdConverter(BaseConverter):
    """Turns the path segment into an ``ObjectId`` and back."""

    regex = "[0-9a-fA-F]{24}"

    def to_python(self, value: str) -> ObjectId:
        return ObjectId(value)

    def to_url(self, value: Any) -> str:
        """Accept an ObjectId or its hex string; anything else cannot be a URL."""
        if isinstance(value, ObjectId):
            return str(value)
        if not ObjectId.is_valid(value):
            raise ValidationError()
        return str(ObjectId(value))
