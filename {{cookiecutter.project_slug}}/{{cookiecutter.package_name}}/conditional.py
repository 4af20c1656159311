"""Conditional and range requests for a stored representation (RFC 9110, 13 and 14).

``select`` decides what a GET or HEAD of a file answers: the whole file (200),
a slice of it (206), "not modified" (304), a failed precondition (412) or an
unsatisfiable range (416). Werkzeug parses the headers (``parse_etags``,
``parse_date``, ``parse_range_header``); the decision is made here because
``Response.make_conditional`` gets it wrong in ways clients notice: it serves a
range before checking ``If-Match`` (206 where 412 is due), sends the body with
its 412, fails ``If-Match: *``, ignores ``If-Unmodified-Since``, trusts an
``If-Modified-Since`` from the future, and refuses a suffix range longer than
the file. The order is RFC 9110 section 13.2.2:

1. ``If-Match`` (strong comparison), else ``If-Unmodified-Since``: 412 if false.
2. ``If-None-Match`` (weak comparison), else ``If-Modified-Since``: 304 if false.
3. ``Range`` on GET only, if ``If-Range`` (when sent) still holds:
   one valid byte range is a 206 (a suffix longer than the file is the whole
   file), a malformed or multi-range ``bytes`` range is a 416, a range in a unit
   this server does not know is ignored (RFC 9110 14.2 says it MUST be).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Request
from werkzeug.datastructures import ETags
from werkzeug.exceptions import PreconditionFailed, RequestedRangeNotSatisfiable
from werkzeug.http import parse_date, parse_etags, parse_range_header, unquote_etag

SAFE_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class Selection:
    """What to send: ``status`` 200, 206 or 304, and bytes ``start`` to ``stop``."""

    status: int
    start: int
    stop: int


def select(
    request: Request, *, etag: str | None, last_modified: datetime | None, length: int
) -> Selection:
    """The answer to ``request`` for a representation of ``length`` bytes.

    ``etag`` is the strong entity tag without quotes. Raises PreconditionFailed
    (412) or RequestedRangeNotSatisfiable (416, with ``Content-Range: */length``),
    which the error handlers turn into the usual JSON error without file data.
    """
    if last_modified is not None:
        last_modified = last_modified.replace(microsecond=0)  # HTTP dates have none
    _check_preconditions(request, etag, last_modified)
    if _not_modified(request, etag, last_modified):
        if request.method not in SAFE_METHODS:
            raise PreconditionFailed("The file matches If-None-Match.")
        return Selection(304, 0, 0)
    byte_range = _byte_range(request, etag, last_modified, length)
    if byte_range is None:
        return Selection(200, 0, length)
    return Selection(206, *byte_range)


def _check_preconditions(
    request: Request, etag: str | None, last_modified: datetime | None
) -> None:
    """412 if If-Match (or, without it, If-Unmodified-Since) is false."""
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        if not _matches(parse_etags(if_match), etag, weak=False):
            raise PreconditionFailed("The file does not match If-Match.")
        return
    since = parse_date(request.headers.get("If-Unmodified-Since"))
    if since is not None and last_modified is not None and last_modified > since:
        raise PreconditionFailed("The file was modified after If-Unmodified-Since.")


def _not_modified(
    request: Request, etag: str | None, last_modified: datetime | None
) -> bool:
    """If-None-Match matches or, without it, nothing changed since If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        return _matches(parse_etags(if_none_match), etag, weak=True)
    if request.method not in SAFE_METHODS or last_modified is None:
        return False
    since = parse_date(request.headers.get("If-Modified-Since"))
    if since is None or since > datetime.now(UTC):
        return False  # a date from the future is no date this server ever sent
    return last_modified <= since


def _matches(tags: ETags, etag: str | None, *, weak: bool) -> bool:
    """``*`` matches any file; otherwise compare strongly (If-Match) or weakly."""
    if tags.star_tag:
        return True
    if etag is None:
        return False
    return tags.contains_weak(etag) if weak else tags.contains(etag)


def _byte_range(
    request: Request, etag: str | None, last_modified: datetime | None, length: int
) -> tuple[int, int] | None:
    """The one byte range to send, None for the whole file, or a 416."""
    header = request.headers.get("Range")
    if header is None or request.method != "GET":
        return None  # range handling is defined for GET only
    if_range = request.headers.get("If-Range")
    if if_range is not None and not _if_range_holds(if_range, etag, last_modified):
        return None  # the client's copy is stale: it gets the whole new file
    unit, has_unit, spec = header.partition("=")
    if has_unit and unit.strip().lower() != "bytes":
        return None
    parsed = parse_range_header(header)
    if parsed is None or len(parsed.ranges) != 1:
        raise RequestedRangeNotSatisfiable(length=length)
    start, stop = parsed.ranges[0]
    if spec.lstrip().startswith("-"):  # a suffix: the last -start bytes
        if start == 0:
            raise RequestedRangeNotSatisfiable(length=length)  # "bytes=-0"
        if length == 0:
            return None  # satisfiable per RFC 9110 14.1.1, yet has no range to name
        return max(0, length + start), length
    if start >= length:
        raise RequestedRangeNotSatisfiable(length=length)
    return start, length if stop is None else min(stop, length)


def _if_range_holds(
    if_range: str, etag: str | None, last_modified: datetime | None
) -> bool:
    """If-Range matches only exactly: a strong tag, or the very Last-Modified."""
    date = parse_date(if_range)
    if date is not None:
        return last_modified is not None and date == last_modified
    tag, weak = unquote_etag(if_range)
    return not weak and etag is not None and tag == etag
