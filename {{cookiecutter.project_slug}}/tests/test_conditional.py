"""RFC 9110 decisions for one representation, without a database.

The representation: 100 bytes, strong ETag ``"abc"``, modified at MODIFIED.
Each case gives request headers and what must be answered: a status (200,
206, 304) with the byte range to send, or the error raised (412, 416).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request
from werkzeug.exceptions import (
    HTTPException,
    PreconditionFailed,
    RequestedRangeNotSatisfiable,
)
from werkzeug.http import http_date

from {{ cookiecutter.package_name }}.conditional import (
    Selection,
    select,
)

ETAG = "abc"
LENGTH = 100
MODIFIED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
AT = http_date(MODIFIED)
BEFORE = http_date(MODIFIED - timedelta(days=1))
AFTER = http_date(MODIFIED + timedelta(seconds=1))
FUTURE = http_date(datetime.now(UTC) + timedelta(days=1))
WHOLE = Selection(200, 0, LENGTH)
NOT_MODIFIED = Selection(304, 0, 0)
TEN = "bytes=0-9"
FIRST_TEN = Selection(206, 0, 10)
FAILED = PreconditionFailed
UNSATISFIABLE = RequestedRangeNotSatisfiable

CASES: list[tuple[str, dict[str, str], Selection | type[HTTPException]]] = [
    ("no conditions", {}, WHOLE),
    # If-Match: strong comparison; * matches any existing file.
    ("if-match same", {"If-Match": '"abc"'}, WHOLE),
    ("if-match star", {"If-Match": "*"}, WHOLE),
    ("if-match in a list", {"If-Match": '"x", "abc"'}, WHOLE),
    ("if-match other", {"If-Match": '"other"'}, FAILED),
    ("if-match weak", {"If-Match": 'W/"abc"'}, FAILED),
    ("if-match empty", {"If-Match": ""}, FAILED),
    ("if-match other, range", {"If-Match": '"x"', "Range": TEN}, FAILED),
    ("if-match same, range", {"If-Match": '"abc"', "Range": TEN}, FIRST_TEN),
    # If-Unmodified-Since, only when there is no If-Match.
    ("ius before", {"If-Unmodified-Since": BEFORE}, FAILED),
    ("ius before, range", {"If-Unmodified-Since": BEFORE, "Range": TEN}, FAILED),
    ("ius at", {"If-Unmodified-Since": AT}, WHOLE),
    ("ius after", {"If-Unmodified-Since": AFTER}, WHOLE),
    ("ius not a date", {"If-Unmodified-Since": "yesterday"}, WHOLE),
    ("ius with if-match", {"If-Match": '"abc"', "If-Unmodified-Since": BEFORE}, WHOLE),
    # If-None-Match: weak comparison, 304 for GET and HEAD.
    ("inm same", {"If-None-Match": '"abc"'}, NOT_MODIFIED),
    ("inm weak", {"If-None-Match": 'W/"abc"'}, NOT_MODIFIED),
    ("inm star", {"If-None-Match": "*"}, NOT_MODIFIED),
    ("inm other", {"If-None-Match": '"other"'}, WHOLE),
    ("inm same, range", {"If-None-Match": '"abc"', "Range": TEN}, NOT_MODIFIED),
    # If-Modified-Since, only when there is no If-None-Match.
    ("ims at", {"If-Modified-Since": AT}, NOT_MODIFIED),
    ("ims after", {"If-Modified-Since": AFTER}, NOT_MODIFIED),
    ("ims before", {"If-Modified-Since": BEFORE}, WHOLE),
    ("ims in the future", {"If-Modified-Since": FUTURE}, WHOLE),
    ("ims not a date", {"If-Modified-Since": "soon"}, WHOLE),
    ("ims with inm other", {"If-None-Match": '"x"', "If-Modified-Since": AT}, WHOLE),
    # Range: one valid byte range is a 206.
    ("first ten", {"Range": TEN}, FIRST_TEN),
    ("open end", {"Range": "bytes=90-"}, Selection(206, 90, 100)),
    ("last byte", {"Range": "bytes=99-99"}, Selection(206, 99, 100)),
    ("end past the file", {"Range": "bytes=50-1000"}, Selection(206, 50, 100)),
    ("suffix", {"Range": "bytes=-10"}, Selection(206, 90, 100)),
    ("suffix of all", {"Range": "bytes=-100"}, Selection(206, 0, 100)),
    ("suffix longer", {"Range": "bytes=-1000"}, Selection(206, 0, 100)),
    ("spaces", {"Range": "bytes = 0-9"}, FIRST_TEN),
    ("upper-case unit", {"Range": "BYTES=0-9"}, FIRST_TEN),
    # Malformed, multi-range or unsatisfiable byte ranges are a 416.
    ("start at the end", {"Range": "bytes=100-"}, UNSATISFIABLE),
    ("start past the end", {"Range": "bytes=500-600"}, UNSATISFIABLE),
    ("empty suffix", {"Range": "bytes=-0"}, UNSATISFIABLE),
    ("two ranges", {"Range": "bytes=0-1,5-6"}, UNSATISFIABLE),
    ("two ranges, spaced", {"Range": "bytes=0-9, 20-29"}, UNSATISFIABLE),
    ("range and suffix", {"Range": "bytes=0-0,-1"}, UNSATISFIABLE),
    ("backwards", {"Range": "bytes=5-1"}, UNSATISFIABLE),
    ("letters", {"Range": "bytes=abc"}, UNSATISFIABLE),
    ("no numbers", {"Range": "bytes=-"}, UNSATISFIABLE),
    ("nothing", {"Range": "bytes="}, UNSATISFIABLE),
    ("trailing comma", {"Range": "bytes=0-9,"}, UNSATISFIABLE),
    ("double minus", {"Range": "bytes=--5"}, UNSATISFIABLE),
    ("no unit", {"Range": "0-9"}, UNSATISFIABLE),
    ("plus sign", {"Range": "bytes=+1-5"}, UNSATISFIABLE),
    ("non-ascii digits", {"Range": "bytes=\u0661-\u0662"}, UNSATISFIABLE),
    # A unit this server does not know: RFC 9110 14.2 says ignore the header.
    ("unknown unit", {"Range": "items=0-9"}, WHOLE),
    # If-Range: the range only if the client's copy is still current.
    ("if-range etag", {"Range": TEN, "If-Range": '"abc"'}, FIRST_TEN),
    ("if-range date", {"Range": TEN, "If-Range": AT}, FIRST_TEN),
    ("if-range other", {"Range": TEN, "If-Range": '"other"'}, WHOLE),
    ("if-range weak", {"Range": TEN, "If-Range": 'W/"abc"'}, WHOLE),
    ("if-range older", {"Range": TEN, "If-Range": BEFORE}, WHOLE),
    ("if-range newer", {"Range": TEN, "If-Range": AFTER}, WHOLE),
    ("if-range, bad range", {"Range": "bytes=x", "If-Range": '"other"'}, WHOLE),
]


Expected = Selection | type[HTTPException]


def assert_answer(
    app: Flask,
    expected: Expected,
    headers: dict[str, str],
    *,
    method: str = "GET",
    length: int = LENGTH,
    etag: str | None = ETAG,
) -> None:
    """``select`` answers ``expected`` to such a request, or raises it."""

    def answer() -> Selection:
        return select(request, etag=etag, last_modified=MODIFIED, length=length)

    with app.test_request_context(method=method, headers=headers):
        if isinstance(expected, Selection):
            assert answer() == expected
        else:
            with pytest.raises(expected):
                answer()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_get(app: Flask, headers: dict[str, str], expected: Expected) -> None:
    assert_answer(app, expected, headers)


def test_an_unsatisfiable_range_names_the_length(app: Flask) -> None:
    with (
        app.test_request_context(headers={"Range": "bytes=0-1,5-6"}),
        pytest.raises(RequestedRangeNotSatisfiable) as raised,
    ):
        select(request, etag=ETAG, last_modified=MODIFIED, length=LENGTH)
    assert dict(raised.value.get_headers())["Content-Range"] == f"bytes */{LENGTH}"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Range": "bytes=0-9"}, WHOLE),  # range handling is for GET only
        ({"Range": "bytes=abc"}, WHOLE),
        ({"If-None-Match": '"abc"'}, NOT_MODIFIED),
        ({"If-Modified-Since": AT}, NOT_MODIFIED),
        ({"If-Match": '"x"'}, FAILED),
        ({"If-Unmodified-Since": BEFORE}, FAILED),
    ],
)
def test_head(app: Flask, headers: dict[str, str], expected: Expected) -> None:
    assert_answer(app, expected, headers, method="HEAD")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # Where GET gets a 304, other methods get a 412 (RFC 9110 13.1.2).
        ({"If-None-Match": '"abc"'}, FAILED),
        ({"If-None-Match": "*"}, FAILED),
        ({"If-Modified-Since": AT}, WHOLE),  # defined for GET and HEAD only
        ({"If-Match": '"abc"'}, WHOLE),
    ],
)
def test_other_methods(app: Flask, headers: dict[str, str], expected: Expected) -> None:
    assert_answer(app, expected, headers, method="DELETE")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Range": "bytes=0-"}, UNSATISFIABLE),
        ({"Range": "bytes=0-0"}, UNSATISFIABLE),
        ({"Range": "bytes=-5"}, Selection(200, 0, 0)),  # nothing to name: all of it
        ({}, Selection(200, 0, 0)),
    ],
)
def test_an_empty_file(app: Flask, headers: dict[str, str], expected: Expected) -> None:
    assert_answer(app, expected, headers, length=0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"If-Match": "*"}, WHOLE),
        ({"If-Match": '"abc"'}, FAILED),
        ({"If-None-Match": '"abc"'}, WHOLE),
        ({"If-None-Match": "*"}, NOT_MODIFIED),
        ({"Range": "bytes=0-9", "If-Range": '"abc"'}, WHOLE),
    ],
)
def test_a_file_without_an_etag(
    app: Flask, headers: dict[str, str], expected: Expected
) -> None:
    assert_answer(app, expected, headers, etag=None)
