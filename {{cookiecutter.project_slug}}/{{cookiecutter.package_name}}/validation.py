"""Checks request input must pass before it gets near the database.

MongoDB treats keys starting with ``$`` as operators and dotted keys as paths, so a
body like ``{"name": {"$gt": ""}}`` or ``{"a.b": 1}`` is an injection attempt, not
data. BSON also cannot store some things JSON can carry (integers past 64 bits, NUL
in keys, lone surrogates); refusing them here turns what would be a 500 from the
driver into a 422 that names the field. Views then copy only the fields they know.
Query-string numbers get one strict parser, so every endpoint refuses the same way.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest, UnprocessableEntity

MAX_DEPTH = 32
INT64 = range(-(2**63), 2**63)
# Plain ASCII digits: int() alone would also take "1_0", " 7" and non-Latin digits.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")


class ValidationError(UnprocessableEntity):
    """422 with a ``details`` mapping of field path to what is wrong with it."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("The request body is not valid.")
        self.details = details


def json_object() -> dict[str, Any]:
    """The request body as a JSON object MongoDB can store safely.

    415 if it is not JSON, 400 if it is not an object or nests absurdly deep,
    422 naming every key or value that would be misread or refused by MongoDB.
    """
    try:
        body = request.get_json()
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    problems = unstorable(body)
    if problems:
        raise ValidationError(problems)
    return body


def query_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    """The query argument ``name`` as an integer in range, or a 400 naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not WHOLE_NUMBER.fullmatch(raw):
        raise BadRequest(f"{name} must be a whole number.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}.")
    return value


def unstorable(body: dict[str, Any]) -> dict[str, str]:
    """Paths, at any depth, of keys and values MongoDB would misread or refuse.

    The walk uses an explicit stack, so a deep body cannot exhaust Python's
    recursion limit here.
    """
    problems: dict[str, str] = {}
    stack: list[tuple[str, Any, int]] = [("", body, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            problems[path] = f"nests deeper than {MAX_DEPTH} levels"
        elif isinstance(value, dict):
            for key, child in value.items():
                where = f"{path}.{key}" if path else key
                problem = _key_problem(key)
                if problem:
                    problems[where] = problem
                stack.append((where, child, depth + 1))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                stack.append((f"{path}[{index}]", child, depth + 1))
        else:
            problem = _value_problem(value)
            if problem:
                problems[path] = problem
    return problems


def _key_problem(key: str) -> str | None:
    if key.startswith("$") or "." in key:
        return "keys must not start with '$' or contain '.'"
    if "\0" in key:
        return "keys must not contain the NUL character"
    return _value_problem(key)


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str) and not _is_utf8(value):
        return "must be valid Unicode text"
    if isinstance(value, int) and not isinstance(value, bool) and value not in INT64:
        return "must fit in a 64-bit integer"
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number"  # 1e400 parses as infinity
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
