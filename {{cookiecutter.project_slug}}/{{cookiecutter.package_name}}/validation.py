"""Checks every write body must pass before it gets near the database.

MongoDB treats keys starting with ``$`` as operators and dotted keys as paths, so a
body like ``{"name": {"$gt": ""}}`` or ``{"a.b": 1}`` is an injection attempt, not
data. Keys are checked at every depth; views then copy only the fields they know.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest, UnprocessableEntity


class ValidationError(UnprocessableEntity):
    """422 with a ``details`` mapping of field path to what is wrong with it."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("The request body is not valid.")
        self.details = details


def json_object() -> dict[str, Any]:
    """The request body as a JSON object: 415 if not JSON, 400 if not an object."""
    body = request.get_json()
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    unsafe = unsafe_keys(body)
    if unsafe:
        raise ValidationError(
            dict.fromkeys(unsafe, "keys must not start with '$' or contain '.'")
        )
    return body


def unsafe_keys(value: Any, path: str = "") -> list[str]:
    """Paths of keys, at any depth, that MongoDB would read as operators or paths."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key.startswith("$") or "." in key:
                found.append(where)
            found.extend(unsafe_keys(child, where))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(unsafe_keys(child, f"{path}[{index}]"))
    return found
