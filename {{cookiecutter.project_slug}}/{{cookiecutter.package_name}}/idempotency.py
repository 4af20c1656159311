"""Safe retries of a create: the ``Idempotency-Key`` request header.

A client that timed out cannot know whether its POST created anything. If it
sends a key, a retry with the same key and the same body gets the first
answer again (status, headers, body, plus ``Idempotent-Replayed: true``)
instead of a second item. The same key with another body is a 422: it is a
client bug, not a retry. Two first uses racing are settled by the database:
the key is the ``_id`` of a record, so only one insert wins; the loser gets a
409 with ``Retry-After`` while the winner is still working, and the replay
once it is done.

Records expire through a TTL index (``indexes.py``): the server deletes them
about a day after they were made (MongoDB's TTL monitor runs every 60 s). A
failed request (an exception or a status of 400 or more) drops its record, so
the retry runs again.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, make_response, request
from pymongo.errors import DuplicateKeyError
from werkzeug.exceptions import BadRequest, Conflict, UnprocessableEntity
{% if cookiecutter.auth != "none" %}
from .auth import caller_name
{%- endif %}
from .db import get_collection

COLLECTION = "idempotency_keys"
HEADER = "Idempotency-Key"
# How WSGI hands the header over. Most creates send none, and asking
# ``request.headers`` for a missing one raises and catches a KeyError inside.
ENVIRON_HEADER = "HTTP_" + HEADER.upper().replace("-", "_")
REPLAYED = "Idempotent-Replayed"
TTL_SECONDS = 24 * 60 * 60
# Printable ASCII, as a header carries safely; long enough for any UUID scheme.
MAX_KEY = 255
KEPT_HEADERS = ("Content-Type", "Location", "ETag")

PARAMETER = {
    "name": HEADER,
    "in": "header",
    "description": (
        "Any unique text (a UUID, say): a retry with the same key and body "
        "gets the first answer instead of creating twice; kept for a day."
    ),
    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
}


def idempotent(view: Callable[..., Any]) -> Callable[..., Response]:
    """Run ``view`` at most once per ``Idempotency-Key`` (when one is sent).

    The wrapped view answers a ``Response`` whatever ``view`` returns, so the
    replay and the first answer are the same kind of value.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key: str | None = request.environ.get(ENVIRON_HEADER)
        if key is None:
            return make_response(view(*args, **kwargs))
        record_id = _record_id(key)
        fingerprint = hashlib.sha256(request.get_data()).hexdigest()
        records = get_collection(COLLECTION)
        try:
            records.insert_one(
                {
                    "_id": record_id,
                    "fingerprint": fingerprint,
                    "created_at": datetime.now(UTC),
                    "done": False,
                }
            )
        except DuplicateKeyError:
            return _replay(records.find_one({"_id": record_id}), fingerprint)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            records.delete_one({"_id": record_id})
            raise
        if response.status_code >= 400:
            records.delete_one({"_id": record_id})
            return response
        records.update_one({"_id": record_id}, {"$set": _stored(response)})
        return response

    return wrapper


def _record_id(key: str) -> str:
    """The key, scoped to the route it was sent to (one key, one operation)."""
    if not 1 <= len(key) <= MAX_KEY or not all(" " < c <= "~" for c in key):
        raise BadRequest(f"{HEADER} must be 1 to {MAX_KEY} printable ASCII characters.")
{%- if cookiecutter.auth != "none" %}
    # And to the caller: two callers who pick the same key are two requests, and
    # neither may see the other's answer.
    return f"{request.method} {request.path} {caller_name()} {key}"
{%- else %}
    return f"{request.method} {request.path} {key}"
{%- endif %}


def _stored(response: Response) -> dict[str, Any]:
    headers = {
        name: response.headers[name]
        for name in KEPT_HEADERS
        if name in response.headers
    }
    return {
        "done": True,
        "status": response.status_code,
        "headers": headers,
        "body": response.get_data(),
    }


def _replay(record: dict[str, Any] | None, fingerprint: str) -> Response:
    if record is None:  # expired or dropped between our insert and read
        raise Conflict(f"The request with this {HEADER} failed; send it again.")
    if record["fingerprint"] != fingerprint:
        raise UnprocessableEntity(
            f"This {HEADER} was used with another request body; use a new key."
        )
    if not record.get("done"):
        raise InProgress(str(current_app.config["RETRY_AFTER_SECONDS"]))
    response = Response(record["body"], status=record["status"])
    response.headers.update(record["headers"])
    response.headers[REPLAYED] = "true"
    return response


class InProgress(Conflict):
    """409 while the first request with the key runs; ``Retry-After`` says when."""

    def __init__(self, retry_after: str) -> None:
        super().__init__(f"A request with this {HEADER} is still in progress.")
        self.retry_after = retry_after

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [
            *super().get_headers(*args, **kwargs),
            ("Retry-After", self.retry_after),
        ]
