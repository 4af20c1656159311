"""Versions and preconditions: two editors cannot silently overwrite each other.

Every document carries ``version`` (1 when created, plus one on each change, in
the same write). Responses send it as a strong ``ETag`` (``"3"``). A PATCH or
DELETE with ``If-Match`` applies only if the stored version is one of those
listed (the check is part of the write's filter, so it is atomic); otherwise
412. Without ``If-Match`` the write applies to whatever is stored (last write
wins): existing clients keep working, and a client that cares sends the tag.
``If-Match: *`` means "if it exists". A weak tag (``W/"3"``) never matches:
RFC 9110 requires strong comparison for If-Match.

Why not conditional.py: that module decides a GET of a stored file against
a representation already read, which is safe because a stored file never
changes. An item does change, so reading it, comparing tags and then writing
would let a second editor slip in between; here the tag becomes part of the
write's filter instead. Both parse with Werkzeug and follow the same RFC 9110
rules (strong comparison, *); this module ships whether or not files do.
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from .db import Document

MAX_LENGTH = 1000
PARAMETER = {
    "name": "If-Match",
    "in": "header",
    "description": (
        "The ETag last read: the change applies only if the item is still at "
        "that version (412 otherwise). Without it, the last write wins."
    ),
    "schema": {"type": "string", "maxLength": MAX_LENGTH},
}


def etag(document: Document) -> str:
    """The strong entity tag of ``document``'s version."""
    return f'"{document.get("version", 0)}"'


def if_match() -> dict[str, Any]:
    """The filter that makes a write conditional on ``If-Match``, or ``{}``.

    Tags that are not versions match nothing, so the write is refused (412).
    A document written before versions existed has none: it is version 0.
    """
    raw = request.headers.get("If-Match", "")
    if len(raw) > MAX_LENGTH:
        raise BadRequest(f"If-Match must be at most {MAX_LENGTH} characters.")
    condition = request.if_match
    if not raw or condition.star_tag:
        return {}
    wanted: list[int | None] = []
    for tag in condition.as_set():
        if tag.isdigit() and len(tag) <= 18:
            wanted.append(int(tag))
    if 0 in wanted:
        wanted.append(None)  # null also matches a missing field
    return {"version": {"$in": wanted}}
