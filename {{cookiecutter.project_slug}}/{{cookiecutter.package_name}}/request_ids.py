"""A request id for every request, so one request's log lines can be found together.

An id a proxy or client sent in ``X-Request-ID`` is kept when it is sane, so the
same id follows a request across services; anything else (too long, empty, or with
characters outside a small safe set, such as CR/LF, spaces, quotes or non-ASCII)
is replaced with a fresh one rather than echoed into headers and logs. The id is
returned in the response's ``X-Request-ID`` header, errors included.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, has_request_context, request

HEADER = "X-Request-ID"
ENVIRON_HEADER = "HTTP_" + HEADER.upper().replace("-", "_")  # as WSGI hands it over
MAX_LENGTH = 128
# Letters, digits and - _ . : only: safe in a header, a log line and a URL.
SAFE = re.compile(r"[A-Za-z0-9._:-]+", re.ASCII)
NO_REQUEST = "-"
ENVIRON_KEY = "{{ cookiecutter.package_name }}.request_id"


def sanitize(incoming: str | None) -> str:
    """``incoming`` when it is a sane id, else a new random one."""
    if incoming and len(incoming) <= MAX_LENGTH and SAFE.fullmatch(incoming):
        return incoming
    return secrets.token_hex(16)


def current() -> str:
    """The id of the request being served, or ``-`` outside a request.

    Assigned on first use, by whichever comes first (a log line, the response,
    an error handler): a request costs no id until something needs one.
    """
    if not has_request_context():
        return NO_REQUEST
    # Kept in the WSGI environ, which lives exactly as long as the request (``g``
    # belongs to the app context, which a test may share between requests).
    environ = request.environ
    request_id: str | None = environ.get(ENVIRON_KEY)
    if request_id is None:
        request_id = environ[ENVIRON_KEY] = sanitize(environ.get(ENVIRON_HEADER))
    return request_id


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, so every formatter can show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current()
        return True


def _echo(response: Response) -> Response:
    response.headers[HEADER] = current()
    return response


def init_app(app: Flask) -> None:
    # No hook assigns the id up front: ``current()`` does on first use, so the
    # first log line, the echo or a failure before any hook all get the same one.
    app.after_request(_echo)
