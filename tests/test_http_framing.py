"""Over real HTTP: what only a real server shows about framing and headers.

The Flask test client neither sends chunked bodies nor encodes response
headers; gunicorn does both. So the baked service runs under gunicorn (as in
production, on nx-27017) and gets real chunked requests over the size limit,
uploads whose part headers carry what an HTTP header cannot, and conditional
and range requests, read back byte for byte.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from support.api_key import HEADERS
from support.live_server import LiveServer
from support.serving import Served, served_by_gunicorn

pytestmark = pytest.mark.slow  # a live server and gunicorn: the full loop only
LIMIT = 2000  # MAX_CONTENT_LENGTH for the served app
FILES_LIMIT = 300_000  # FILES_MAX_SIZE
BOUNDARY = "framing-boundary"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    raw_headers: list[tuple[str, str]]

    def json(self) -> Any:
        return json.loads(self.body)


def send(
    served: Served,
    method: str,
    path: str,
    body: bytes | Iterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on its own connection, with the served bake's key; an iterable
    body goes out chunked."""
    parts = urlsplit(served.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        chunked = body is not None and not isinstance(body, bytes)
        connection.request(
            method,
            path,
            body=body,
            headers={**HEADERS, **(headers or {})},
            encode_chunked=chunked,
        )
        response = connection.getresponse()
        data = response.read()
        raw = response.getheaders()
    finally:
        connection.close()
    names = {name.lower(): value for name, value in raw}
    return Answer(response.status, names, data, raw)


def pieces(data: bytes, size: int = 300) -> Iterator[bytes]:
    """``data`` as the chunks of a chunked body."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def padded_item(size: int) -> bytes:
    document = json.dumps({"name": f"padded-{uuid.uuid4().hex[:8]}"}).encode()
    return document + b" " * (size - len(document))


def form(part_headers: bytes, data: bytes) -> tuple[bytes, dict[str, str]]:
    body = (
        f"--{BOUNDARY}\r\n".encode()
        + part_headers
        + b"\r\n\r\n"
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def file_part(filename: bytes, content_type: bytes | None) -> bytes:
    part = b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"'
    if content_type is not None:
        part += b"\r\nContent-Type: " + content_type
    return part


@pytest.fixture(scope="module")
def served(project: Path, live_server: LiveServer) -> Iterator[Served]:
    database = f"framing_{uuid.uuid4().hex[:8]}"
    with served_by_gunicorn(
        project,
        MONGODB_URI=f"{live_server.uri}/{database}",
        MAX_CONTENT_LENGTH=str(LIMIT),
        FILES_MAX_SIZE=str(FILES_LIMIT),
    ) as app:
        yield app
    output = app.output()
    assert "Traceback" not in output, output[-4000:]


# --- request size limits -------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        padded_item(LIMIT + 1),  # valid JSON if cut at the limit
        padded_item(LIMIT * 20),
        json.dumps({"name": "x" * LIMIT}).encode(),  # cut, it would be a 400
    ],
    ids=["padded-by-one", "padded-far", "long-name"],
)
def test_a_chunked_json_body_over_the_limit_is_a_413(
    served: Served, body: bytes
) -> None:
    answer = send(
        served,
        "POST",
        "/api/items",
        pieces(body),
        {"Content-Type": "application/json"},
    )
    assert answer.status == 413, answer
    assert answer.json()["error"]["code"] == "request_entity_too_large"


@pytest.mark.parametrize("size", [LIMIT, LIMIT - 1, 100])
def test_a_chunked_json_body_up_to_the_limit_is_read(served: Served, size: int) -> None:
    answer = send(
        served,
        "POST",
        "/api/items",
        pieces(padded_item(size)),
        {"Content-Type": "application/json"},
    )
    assert answer.status == 201, answer


def test_a_padded_json_body_with_a_length_over_the_limit_is_a_413(
    served: Served,
) -> None:
    body = padded_item(LIMIT + 1)
    answer = send(
        served, "POST", "/api/items", body, {"Content-Type": "application/json"}
    )
    assert answer.status == 413, answer


@pytest.mark.parametrize("chunked", [True, False])
def test_bodies_of_exactly_the_limit_are_read(served: Served, chunked: bool) -> None:
    """gunicorn marks every body as terminated; Werkzeug alone 413s these."""
    item = padded_item(LIMIT)
    empty_form, _ = form(file_part(b"exact.bin", None), b"")
    upload, headers = form(
        file_part(b"exact.bin", None), b"x" * (FILES_LIMIT - len(empty_form))
    )
    assert len(upload) == FILES_LIMIT
    for path, body, kind in (
        ("/api/items", item, {"Content-Type": "application/json"}),
        ("/api/files", upload, headers),
    ):
        sent = pieces(body, 8192) if chunked else body
        answer = send(served, "POST", path, sent, kind)
        assert answer.status == 201, (path, answer)


@pytest.mark.parametrize(("size", "status"), [(FILES_LIMIT * 2, 413), (50_000, 201)])
def test_a_chunked_upload_is_held_to_files_max_size(
    served: Served, size: int, status: int
) -> None:
    body, headers = form(
        file_part(b"big.bin", b"application/octet-stream"), b"x" * size
    )
    answer = send(served, "POST", "/api/files", pieces(body, 8192), headers)
    assert answer.status == status, answer
    if status == 201:
        assert answer.json()["length"] == size


# --- header values from uploads --------------------------------------------------

HOSTILE_TYPES = [
    "text/plain; charset=\u4e2d\u6587".encode(),
    "text/plain; name=\U0001f600".encode(),
    "\u4e2d/\u6587".encode(),
    b"text/plain; charset=utf-8\x00",
    b"text/plain; a=\x01\x1b[31m",
    b"text/plain; a=b\x7f",
    b"text/plain; a=" + b"b" * 6000,
    b"text/plain; charset*=UTF-8''%E4%B8%AD%F0%9F%98%80",
]
HOSTILE_NAMES = [
    "\u4e2d\u6587.txt".encode(),
    "\U0001f600.txt".encode(),
    b"a\x00b.txt",
    b"a\x01\x1b[31m.txt",
    b"\xc2\x85next.txt",
    b'quote"semi;colon.txt',
    b"n" * 3000 + b".txt",
]


def assert_downloads(served: Served, body: bytes, headers: dict[str, str]) -> None:
    uploaded = send(served, "POST", "/api/files", body, headers)
    assert uploaded.status == 201, uploaded
    file_id = uploaded.json()["id"]
    for query in ("", "?download=1"):
        answer = send(served, "GET", f"/api/files/{file_id}{query}")
        assert answer.status == 200, answer
        assert answer.body == b"payload"
        for name, value in answer.raw_headers:
            assert value.isascii(), (name, value)
            assert value.isprintable(), (name, value)


@pytest.mark.parametrize("declared", HOSTILE_TYPES)
def test_an_upload_of_any_declared_type_downloads(
    served: Served, declared: bytes
) -> None:
    assert_downloads(served, *form(file_part(b"x.txt", declared), b"payload"))


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_an_upload_of_any_name_downloads(served: Served, name: bytes) -> None:
    assert_downloads(served, *form(file_part(name, b"text/plain"), b"payload"))


# --- conditional and range requests -----------------------------------------------

DATA = bytes(range(256)) * 1100  # two GridFS chunks, under FILES_LIMIT


@pytest.fixture(scope="module")
def stored(served: Served) -> str:
    body, headers = form(file_part(b"data.bin", b"application/x-example"), DATA)
    answer = send(served, "POST", "/api/files", body, headers)
    assert answer.status == 201, answer
    return f"/api/files/{answer.json()['id']}"


@pytest.mark.parametrize(
    ("headers", "status", "content"),
    [
        ({"Range": "bytes=0-9"}, 206, DATA[:10]),
        ({"Range": "bytes=261115-261124"}, 206, DATA[261115:261125]),
        ({"Range": f"bytes=-{len(DATA) * 2}"}, 206, DATA),
        ({"Range": "bytes=0-1,5-6"}, 416, None),
        ({"Range": "bytes=abc"}, 416, None),
        ({"Range": "rows=0-9"}, 200, DATA),
        ({"If-Match": '"other"', "Range": "bytes=0-9"}, 412, None),
        ({"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 412, None),
        ({"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 200, DATA),
        ({"If-None-Match": "*"}, 304, b""),
    ],
)
def test_conditional_and_range_requests(
    served: Served,
    stored: str,
    headers: dict[str, str],
    status: int,
    content: bytes | None,
) -> None:
    answer = send(served, "GET", stored, headers=headers)
    assert answer.status == status, answer.headers
    if content is not None:
        assert answer.body == content
        if status != 304:
            assert answer.headers["content-length"] == str(len(content))
    else:  # an error: JSON, and not a byte of the file
        assert DATA[:32] not in answer.body
        assert answer.headers["content-type"] == "application/json"
    if status == 416:
        assert answer.headers["content-range"] == f"bytes */{len(DATA)}"


# --- headers on every response ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "no_store"),
    [
        ("GET", "/healthz", False),
        ("GET", "/api/items", True),
        ("GET", "/api/items/not-an-id", True),
        ("DELETE", "/api/items", True),
        ("GET", "/api/files/by-name/nothing-here", True),
    ],
)
def test_every_response_is_nosniff_and_api_ones_no_store(
    served: Served, method: str, path: str, no_store: bool
) -> None:
    answer = send(served, method, path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert (answer.headers.get("cache-control") == "no-store") is no_store


def test_a_download_keeps_its_cache_policy(served: Served, stored: str) -> None:
    answer = send(served, "GET", stored)
    assert answer.headers["cache-control"] == "max-age=3600"
    assert answer.headers["x-content-type-options"] == "nosniff"
