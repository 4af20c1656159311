"""Every error the service returns, in one shape, from one place.

A client always gets JSON it can parse, never an HTML page or a stack trace::

    {"error": {"status": 404, "code": "not_found", "message": "..."}}

``details`` is added when there is more to say, such as which fields were invalid.
It is capped (``cap_details``): a body with 60,000 unknown keys must not be
answered with megabytes of error, so a client sees the first MAX_DETAILS
entries, each shortened to MAX_DETAIL_CHARS, and ``details_omitted`` says how
many entries were left out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from itertools import islice
from typing import Any

from flask import Flask, Response, current_app, jsonify
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

MAX_DETAILS = 50
MAX_DETAIL_CHARS = 500  # one entry's key, and its value as JSON


def cap_details(details: Any) -> tuple[Any, int]:
    """``details`` bounded in entries and size, and how many entries were dropped.

    A mapping or a list keeps its first MAX_DETAILS entries; a value whose JSON
    is longer than MAX_DETAIL_CHARS becomes its shortened text. Keys that
    coincide once shortened count as dropped.
    """
    if isinstance(details, Mapping):
        entries = {
            _clip(str(key)): _bounded(value)
            for key, value in islice(details.items(), MAX_DETAILS)
        }
        return entries, len(details) - len(entries)
    if isinstance(details, list | tuple):
        items = [_bounded(value) for value in details[:MAX_DETAILS]]
        return items, len(details) - len(items)
    return _bounded(details), 0


def _bounded(value: Any) -> Any:
    text = current_app.json.dumps(value)
    if len(text) <= MAX_DETAIL_CHARS:
        return value
    return _clip(value if isinstance(value, str) else text)


def _clip(text: str) -> str:
    if len(text) <= MAX_DETAIL_CHARS:
        return text
    return text[: MAX_DETAIL_CHARS - 1] + "\u2026"


def error_response(
    status: int, message: str, *, code: str | None = None, details: Any = None
) -> Response:
    """The JSON error body for ``status``; ``code`` defaults to the status phrase."""
    phrase = HTTP_STATUS_CODES.get(status, "error")
    error: dict[str, Any] = {
        "status": status,
        "code": code or phrase.lower().replace("'", "").replace(" ", "_"),
        "message": message,
    }
    if details:
        error["details"], omitted = cap_details(details)
        if omitted:
            error["details_omitted"] = omitted
    response = jsonify(error=error)
    response.status_code = status
    return response


def http_error_response(error: HTTPException) -> Response:
    """JSON body, keeping the headers Werkzeug adds (``Allow`` on a 405...)."""
    response = error_response(
        error.code or 500,
        error.description or "",
        code=getattr(error, "code_name", None),  # a finer code than the status's
        details=getattr(error, "details", None),
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers.add(name, value)
    return response


def handle_http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400:
        return error  # a routing redirect is a response, not an error
    return http_error_response(error)


def handle_database_unavailable(error: PyMongoError) -> Response:
    """The database cannot be reached: 503 with Retry-After, so clients back off."""
    log.warning("Database unavailable: %s", error)
    response = error_response(
        503,
        "The database is unavailable. Try again shortly.",
        code="database_unavailable",
    )
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    return response


def handle_database_error(error: PyMongoError) -> Response:
    """A deadline passed (``timeoutMS``, a server-side time limit): an outage too.

    A slow server gives a 503 that clients may retry, not a worker killed by
    gunicorn; any other driver error is unexpected (500, logged).
    """
    if error.timeout:
        return handle_database_unavailable(error)
    return handle_unexpected(error)


def handle_duplicate_key(error: DuplicateKeyError) -> Response:
    """A unique index refused a write that no view translated: still a 409."""
    return http_error_response(Conflict("A document with that unique value exists."))


def handle_unexpected(error: Exception) -> Response:
    """Anything else: the traceback goes to the log, never to the client."""
    log.error("Unhandled exception", exc_info=error)
    return error_response(500, InternalServerError.description)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(ConnectionFailure, handle_database_unavailable)
    app.register_error_handler(PyMongoError, handle_database_error)
    app.register_error_handler(DuplicateKeyError, handle_duplicate_key)
    app.register_error_handler(Exception, handle_unexpected)
