"""Checks request input must pass before it gets near the database.

MongoDB treats keys starting with ``$`` as operators and dotted keys as paths, so a
body like ``{"name": {"$gt": ""}}`` or ``{"a.b": 1}`` is an injection attempt, not
data. BSON also cannot store some things JSON can carry (integers past 64 bits, NUL
in keys, lone surrogates); refusing them here turns what would be a 500 from the
driver into a 422 that names the field. Views then copy only the fields they know.
Query-string numbers get one strict parser, so every endpoint refuses the same way.
``parse_body`` then hands the body to the resource's pydantic model, and both
kinds of problem come back together in one 422, each under its path.
"""

from __future__ import annotations

import math
import re
from collections import deque
from typing import Any

from flask import request
from pydantic import BaseModel
from pydantic import ValidationError as ModelError
from werkzeug.exceptions import (
    BadRequest,
    RequestEntityTooLarge,
    UnprocessableEntity,
)

MAX_DEPTH = 32
# Keys and list items a JSON body may hold, every level counted. An item needs
# under a hundred; without a bound, 60,000 unknown keys (0.7 MB, under the size
# limit) cost a quarter of a CPU-second to check and name one by one. Werkzeug
# bounds form bodies the same way (``max_form_parts``, also 1,000 and a 413).
MAX_MEMBERS = 1000
INT64 = range(-(2**63), 2**63)
# Plain ASCII digits: int() alone would also take "1_0", " 7" and non-Latin digits.
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,18}")
CONTAINERS = (dict, list)


class TooManyMembers(RequestEntityTooLarge):
    """413 with its own code, so a client can tell it from a body over the size."""

    code_name = "too_many_members"


class ValidationError(UnprocessableEntity):
    """422 with a ``details`` mapping of field path to what is wrong with it."""

    def __init__(self, details: dict[str, str]) -> None:
        super().__init__("The request body is not valid.")
        self.details = details  # errors.py caps what reaches the client


def json_object(*, check: bool = True) -> dict[str, Any]:
    """The request body as a JSON object MongoDB can store safely.

    415 if it is not JSON, 400 if it is not an object or nests absurdly deep,
    413 if it holds more than MAX_MEMBERS keys and items, 422 naming every key
    or value that would be misread or refused by MongoDB (unless ``check`` is
    off: ``parse_body`` reports those with the model's).
    """
    try:
        body = request.get_json()
    except RecursionError:
        raise BadRequest("The request body is nested too deeply.") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    if _members_over_limit(body):
        raise TooManyMembers(
            f"The request body holds more than {MAX_MEMBERS} keys and list items."
        )
    problems = unstorable(body) if check else {}
    if problems:
        raise ValidationError(problems)
    return body


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The request body validated by ``model``, or one 422 naming every problem.

    The storability walk runs first and its findings win for the same path, so
    ``{"$gt": ""}`` is reported as an operator key, not as an unknown field.
    """
    body = json_object(check=False)
    problems = unstorable(body)
    try:
        parsed = model.model_validate(body)
    except ModelError as error:
        for path, message in model_problems(error, body).items():
            problems.setdefault(path, message)
    else:
        if not problems:
            return parsed
    raise ValidationError(problems)


def model_problems(error: ModelError, body: Any) -> dict[str, str]:
    """pydantic's errors keyed by the path a client wrote: ``tags[3]``, ``a.b``.

    pydantic's location also names union members and key checks (``str``,
    ``[key]``); walking the body tells those apart from real keys.
    """
    problems: dict[str, list[str]] = {}
    for entry in error.errors(include_url=False, include_input=False):
        path, value = "", body
        for part in entry["loc"]:
            if isinstance(value, dict) and part in value:
                path, value = f"{path}.{part}" if path else str(part), value[part]
            elif isinstance(value, list) and isinstance(part, int):
                path, value = f"{path}[{part}]", value[part]
            elif not isinstance(value, dict | list) or entry["type"] != "missing":
                break
            else:
                path = f"{path}.{part}" if path else str(part)
        message = _message(entry)
        if message not in problems.setdefault(path or "body", []):
            problems[path or "body"].append(message)
    return {path: _either(messages) for path, messages in problems.items()}


def _either(messages: list[str]) -> str:
    """One message for a value that fits none of a union's types."""
    prefix = "Input should be a valid "
    if len(messages) > 1 and all(text.startswith(prefix) for text in messages):
        kinds = [text.removeprefix(prefix) for text in messages]
        return f"{prefix}{', '.join(kinds[:-1])} or {kinds[-1]}"
    return "; ".join(messages)


def _message(entry: Any) -> str:
    if entry["type"] == "extra_forbidden":
        return "is not a known field"
    if entry["type"] == "missing":
        return "is required"
    text: str = entry["msg"]
    return text.removeprefix("Value error, ")


def query_text(name: str) -> str | None:
    """The query argument ``name``, or None; a 400 if it is given twice.

    Taking the first of ``?limit=1&limit=500`` would let a second copy slip
    past whatever checked the first (a cache, a proxy, a log reader).
    """
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"{name} must be given at most once.")
    return values[0] if values else None


def query_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    """The query argument ``name`` as an integer in range, or a 400 naming it."""
    raw = query_text(name)
    if raw is None:
        return default
    if not WHOLE_NUMBER.fullmatch(raw):
        raise BadRequest(f"{name} must be a whole number.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}.")
    return value


def _members_over_limit(body: dict[str, Any]) -> bool:
    """Whether ``body`` holds more than MAX_MEMBERS keys and list items.

    A container's size is counted before its values are looked at, so the
    answer costs at most MAX_MEMBERS steps however large the body.
    """
    count = 0
    stack: list[dict[str, Any] | list[Any]] = [body]
    while stack:
        container = stack.pop()
        count += len(container)
        if count > MAX_MEMBERS:
            return True
        for value in container.values() if isinstance(container, dict) else container:
            if isinstance(value, CONTAINERS):
                stack.append(value)
    return False


def unstorable(body: dict[str, Any]) -> dict[str, str]:
    """Paths, at any depth, of keys and values MongoDB would misread or refuse.

    Shallowest first, and in the body's order within each object or list, so
    the first problems (the ones a capped 422 shows) are the ones nearest the
    top. The walk takes values from a queue instead of recursing, so a deep
    body cannot exhaust Python's recursion limit here.
    """
    problems: dict[str, str] = {}
    # (path, the key that named it or None, value, depth)
    queue: deque[tuple[str, str | None, Any, int]] = deque([("", None, body, 0)])
    while queue:
        path, key, value, depth = queue.popleft()
        if key is not None and (problem := _key_problem(key)):
            problems[path] = problem
        if depth > MAX_DEPTH:
            problems[path] = f"nests deeper than {MAX_DEPTH} levels"
        elif isinstance(value, dict):
            for name, child in value.items():
                where = f"{path}.{name}" if path else name
                queue.append((where, name, child, depth + 1))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                queue.append((f"{path}[{index}]", None, child, depth + 1))
        elif problem := _value_problem(value):
            problems[path] = problem
    return problems


def _key_problem(key: str) -> str | None:
    if key.startswith("$") or "." in key:
        return "keys must not start with '$' or contain '.'"
    if "\0" in key:
        return "keys must not contain the NUL character"
    return _value_problem(key)


def _value_problem(value: Any) -> str | None:
    if isinstance(value, str):
        # ASCII is always valid UTF-8; only other text can hold a lone surrogate.
        if value.isascii() or _is_utf8(value):
            return None
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
