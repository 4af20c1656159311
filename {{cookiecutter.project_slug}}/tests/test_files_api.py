from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient
from outage import OUTAGE_ERRORS, DownClient
from pymongo.database import Database
from pymongo.errors import ConnectionFailure
from support import AppFactory
from werkzeug.http import http_date
from werkzeug.test import TestResponse

from {{ cookiecutter.package_name }}.files import CHUNK_SIZE

# Two GridFS chunks. Under 500 KB, where the test client would spool the
# request body to a temporary file it never closes (a ResourceWarning).
DATA = bytes(range(256)) * 1200
MISSING = str(ObjectId())


def upload(
    client: FlaskClient,
    data: bytes = DATA,
    filename: str = "data.bin",
    content_type: str | None = "application/x-example",
) -> TestResponse:
    file = (io.BytesIO(data), filename, content_type)
    return client.post("/api/files", data={"file": file})


@pytest.fixture
def stored(client: FlaskClient) -> dict[str, Any]:
    """One file, uploaded through the API."""
    response = upload(client)
    assert response.status_code == 201
    body: dict[str, Any] = response.get_json()
    return body


def test_upload_returns_the_file_and_its_location(client: FlaskClient) -> None:
    response = upload(client, filename="../secret/data.bin")
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"[0-9a-f]{24}", body["id"])
    assert response.headers["Location"] == f"/api/files/{body['id']}"
    assert body == {
        "id": body["id"],
        "filename": "data.bin",
        "length": len(DATA),
        "content_type": "application/x-example",
        "sha256": hashlib.sha256(DATA).hexdigest(),
    }


def test_upload_stores_the_checksum_and_type(
    client: FlaskClient, db: Database[Any]
) -> None:
    body = upload(client).get_json()
    document = db.fs.files.find_one({"_id": ObjectId(body["id"])})
    assert document is not None
    assert document["length"] == len(DATA)
    assert document["metadata"]["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert document["metadata"]["contentType"] == "application/x-example"


def test_upload_without_a_declared_type_guesses_it(client: FlaskClient) -> None:
    # Built by hand: the test client always declares a type for a file part.
    body = (
        b"--b\r\n"
        b'Content-Disposition: form-data; name="file"; filename="photo.png"\r\n'
        b"\r\n"
        b"not really a png\r\n"
        b"--b--\r\n"
    )
    response = client.post(
        "/api/files", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 201
    assert response.get_json()["content_type"] == "image/png"


def test_upload_without_a_file_is_a_400(client: FlaskClient) -> None:
    for data in ({}, {"other": (io.BytesIO(b"x"), "x.txt")}, {"file": "text"}):
        response = client.post("/api/files", data=data)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_request"


def test_upload_with_only_path_parts_for_a_name_is_a_400(client: FlaskClient) -> None:
    response = upload(client, filename="../..")
    assert response.status_code == 400


def test_upload_over_files_max_size_is_a_413(shared_app: AppFactory) -> None:
    client = shared_app(FILES_MAX_SIZE=100_000).test_client()
    response = upload(client, data=b"x" * 200_000)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert upload(client, data=b"x" * 50_000).status_code == 201


def test_files_max_size_does_not_raise_the_json_limit(shared_app: AppFactory) -> None:
    client = shared_app(MAX_CONTENT_LENGTH=1000).test_client()
    assert upload(client, data=b"x" * 5000).status_code == 201
    response = client.post("/api/items", json={"name": "x" * 2000})
    assert response.status_code == 413


def test_download_has_the_body_and_headers(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    response = client.get(f"/api/files/{stored['id']}")
    assert response.status_code == 200
    assert response.data == DATA
    headers = response.headers
    assert headers["Content-Type"] == "application/x-example"
    assert headers["Content-Length"] == str(len(DATA))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "sandbox"
    assert headers["Content-Disposition"] == 'inline; filename="data.bin"'
    assert headers["ETag"] == f'"{stored["sha256"]}"'
    assert headers["Cache-Control"] == "max-age=3600"
    assert headers["Accept-Ranges"] == "bytes"
    assert response.last_modified is not None
    made = ObjectId(stored["id"]).generation_time
    assert response.last_modified == made.replace(microsecond=0)


def test_cache_control_follows_the_setting(shared_app: AppFactory) -> None:
    client = shared_app(FILES_CACHE_SECONDS=0).test_client()
    body = upload(client).get_json()
    response = client.get(f"/api/files/{body['id']}")
    assert response.headers["Cache-Control"] == "max-age=0"


def test_download_streams_in_chunks(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    response = client.get(f"/api/files/{stored['id']}", buffered=False)
    assert response.is_streamed
    chunks = list(response.iter_encoded())
    response.close()
    assert len(chunks) == 2
    assert max(len(chunk) for chunk in chunks) == CHUNK_SIZE
    assert b"".join(chunks) == DATA


def test_download_as_attachment(client: FlaskClient, stored: dict[str, Any]) -> None:
    response = client.get(f"/api/files/{stored['id']}?download=1")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="data.bin"'
    )


def test_a_non_ascii_name_round_trips(client: FlaskClient) -> None:
    body = upload(client, b"hallo", "Übersicht.txt", "text/plain").get_json()
    assert body["filename"] == "Übersicht.txt"
    response = client.get(f"/api/files/{body['id']}")
    assert response.headers["Content-Disposition"] == (
        "inline; filename=\"Ubersicht.txt\"; filename*=UTF-8''%C3%9Cbersicht.txt"
    )
    by_name = client.get("/api/files/by-name/%C3%9Cbersicht.txt")
    assert by_name.data == b"hallo"


def multipart(part_headers: bytes, data: bytes = b"hello") -> tuple[bytes, str]:
    """A form with one file part, its headers exactly as given (raw bytes)."""
    body = b"--b\r\n" + part_headers + b"\r\n\r\n" + data + b"\r\n--b--\r\n"
    return body, "multipart/form-data; boundary=b"


def assert_headers_can_be_sent(response: TestResponse) -> None:
    """Every header value is printable ASCII: any WSGI server can send it."""
    for name, value in response.headers.items():
        assert value.isascii(), (name, value)
        assert value.isprintable(), (name, value)
        assert len(value) < 4096, name  # what proxies accept in one header


DISPOSITION = b'Content-Disposition: form-data; name="file"; filename="x.txt"'
HOSTILE_TYPES = [
    "text/plain; charset=\u4e2d\u6587".encode(),  # CJK
    "text/plain; name=\U0001f600".encode(),  # emoji
    "\u4e2d\u6587/\u6587".encode(),
    b"text/plain; charset=utf-8\x00",  # NUL
    b"text/plain; a=\x01\x02\x1b[31m",  # control characters
    b"text/plain; a=b\x7f",
    b"text/plain\r\nX-Injected: 1",  # CR/LF: a header of its own
    b"text/plain; a=" + b"b" * 5000,  # very long
    b"text/plain; " + b"; ".join(b"p%d=v" % n for n in range(300)),
    b'text/plain; charset="utf-8\\"; x=\\\\"',
    b"text/plain; charset*=UTF-8''%E4%B8%AD%F0%9F%98%80",  # RFC 2231
]


@pytest.mark.parametrize("declared", HOSTILE_TYPES)
def test_any_declared_type_is_stored_so_the_file_downloads(
    client: FlaskClient, declared: bytes
) -> None:
    body, kind = multipart(DISPOSITION + b"\r\nContent-Type: " + declared)
    uploaded = client.post("/api/files", data=body, content_type=kind)
    assert uploaded.status_code == 201, uploaded.get_json()
    stored = uploaded.get_json()["content_type"]
    assert stored.isascii()
    assert stored.isprintable()
    response = client.get(f"/api/files/{uploaded.get_json()['id']}")
    assert response.status_code == 200
    assert response.data == b"hello"
    assert response.headers["Content-Type"] == stored
    assert_headers_can_be_sent(response)


HOSTILE_NAMES = [
    "\u4e2d\u6587\u6587\u4ef6.txt".encode(),
    "\U0001f600\U0001f4c4.txt".encode(),
    "a\u202eexe.txt".encode(),  # right-to-left override
    b"a\x00b.txt",
    b"a\x01\x1b[31m.txt",
    b"a\x7f.txt",
    b"\xc2\x85next.txt",  # U+0085, a line break to some parsers
    b'quote"semi;colon.txt',
    b"back\\\\slash.txt",
    b"n" * 2000 + b".txt",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_any_file_name_downloads_with_a_sendable_disposition(
    client: FlaskClient, name: bytes
) -> None:
    part = b'Content-Disposition: form-data; name="file"; filename="' + name + b'"'
    body, kind = multipart(part + b"\r\nContent-Type: text/plain")
    uploaded = client.post("/api/files", data=body, content_type=kind)
    assert uploaded.status_code == 201, uploaded.get_json()
    for query in ("", "?download=1"):
        response = client.get(f"/api/files/{uploaded.get_json()['id']}{query}")
        assert response.status_code == 200
        assert response.data == b"hello"
        assert_headers_can_be_sent(response)


@pytest.mark.parametrize(
    "part",
    [
        DISPOSITION + b"\r\nContent-Type: text/plain; charset=\xff",
        b'Content-Disposition: form-data; name="file"; filename="\xff\xfe.txt"',
    ],
)
def test_part_headers_that_are_not_utf8_are_a_400(
    client: FlaskClient, part: bytes
) -> None:
    body, kind = multipart(part)
    response = client.post("/api/files", data=body, content_type=kind)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("content_type", "filename", "sent_type"),
    [
        ("text/plain; charset=\u4e2d", "a.txt", "text/plain"),
        ("text/plain\r\nX-Injected: 1", "a.txt", "application/octet-stream"),
        ("\U0001f600", "a.txt", "application/octet-stream"),
        ("text/plain", "a\r\nSet-Cookie: x=1.txt", "text/plain"),
        ("text/plain", "\u4e2d" * 5000, "text/plain"),
    ],
)
def test_a_file_stored_before_these_rules_still_downloads(
    client: FlaskClient,
    stored: dict[str, Any],
    db: Database[Any],
    content_type: str,
    filename: str,
    sent_type: str,
) -> None:
    # The whole metadata object: nx-27017's GridFS ignores a dotted $set there.
    metadata = {"contentType": content_type, "sha256": stored["sha256"]}
    db.fs.files.update_one(
        {"_id": ObjectId(stored["id"])},
        {"$set": {"metadata": metadata, "filename": filename}},
    )
    response = client.get(f"/api/files/{stored['id']}")
    assert response.status_code == 200
    assert response.data == DATA
    assert response.headers["Content-Type"] == sent_type
    assert_headers_can_be_sent(response)


@pytest.mark.parametrize(
    "metadata",
    [
        {"contentType": 42, "sha256": '"quoted"'},
        {"contentType": ["text/plain"], "sha256": "\u4e2d" * 64},
        {"contentType": None, "sha256": 7},
        {"sha256": "ABC"},
        {},
    ],
)
def test_stored_values_of_any_type_still_download(
    client: FlaskClient,
    stored: dict[str, Any],
    db: Database[Any],
    metadata: dict[str, Any],
) -> None:
    db.fs.files.update_one(
        {"_id": ObjectId(stored["id"])},
        {"$set": {"metadata": metadata, "filename": 12345}},
    )
    response = client.get(f"/api/files/{stored['id']}")
    assert response.status_code == 200
    assert response.data == DATA
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert "ETag" not in response.headers
    # nx-27017 keeps a GridFS file name as text; MongoDB and mongomock, as given.
    document = db.fs.files.find_one({"_id": ObjectId(stored["id"])})
    assert document is not None
    name = document["filename"] if isinstance(document["filename"], str) else "file"
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
    assert_headers_can_be_sent(response)


def test_a_stored_html_file_is_not_run_as_a_page(client: FlaskClient) -> None:
    body = upload(client, b"<script>alert(1)</script>", "x.html", "text/html")
    response = client.get(f"/api/files/{body.get_json()['id']}")
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_if_none_match_gives_304(client: FlaskClient, stored: dict[str, Any]) -> None:
    url = f"/api/files/{stored['id']}"
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_if_modified_since_gives_304_unless_it_is_in_the_future(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    url = f"/api/files/{stored['id']}"
    now = http_date(datetime.now(UTC))
    assert client.get(url, headers={"If-Modified-Since": now}).status_code == 304
    earlier = http_date(datetime.now(UTC) - timedelta(days=1))
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # No clock this server had sent that date: it is ignored (RFC 9110 13.1.3).
    later = http_date(datetime.now(UTC) + timedelta(days=1))
    assert client.get(url, headers={"If-Modified-Since": later}).status_code == 200


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        (f"bytes={CHUNK_SIZE - 5}-{CHUNK_SIZE + 4}", CHUNK_SIZE - 5, CHUNK_SIZE + 4),
        (f"bytes={CHUNK_SIZE}-{CHUNK_SIZE}", CHUNK_SIZE, CHUNK_SIZE),
        (f"bytes={len(DATA) - 100}-", len(DATA) - 100, len(DATA) - 1),
        (f"bytes=10-{len(DATA) * 10}", 10, len(DATA) - 1),
        ("bytes=-100", len(DATA) - 100, len(DATA) - 1),
        (f"bytes=-{len(DATA)}", 0, len(DATA) - 1),
        (f"bytes=-{len(DATA) + 1}", 0, len(DATA) - 1),  # longer than the file
        (f"bytes=-{len(DATA) * 1000}", 0, len(DATA) - 1),
    ],
)
def test_range_gives_206_with_the_slice(
    client: FlaskClient, stored: dict[str, Any], header: str, start: int, end: int
) -> None:
    response = client.get(f"/api/files/{stored['id']}", headers={"Range": header})
    assert response.status_code == 206
    assert response.data == DATA[start : end + 1]
    assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(DATA)}"
    assert response.headers["Content-Length"] == str(end - start + 1)
    assert response.headers["ETag"] == f'"{stored["sha256"]}"'


@pytest.mark.parametrize(
    "header",
    [
        f"bytes={len(DATA)}-",
        f"bytes={len(DATA) + 5}-{len(DATA) + 10}",
        "bytes=-0",
        "bytes=0-1,5-6",  # several ranges: this server sends one or none
        "bytes=0-9, 100-199",
        "bytes=0-0,-1",
        "bytes=5-1",
        "bytes=abc",
        "bytes=",
        "bytes=0-9,",
        "0-9",
    ],
)
def test_a_malformed_multiple_or_unsatisfiable_range_is_a_416(
    client: FlaskClient, stored: dict[str, Any], header: str
) -> None:
    response = client.get(f"/api/files/{stored['id']}", headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(DATA)}"
    error = response.get_json()["error"]
    assert error["code"] == "requested_range_not_satisfiable"
    assert DATA[:32] not in response.data


def test_a_range_in_an_unknown_unit_is_ignored(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    response = client.get(f"/api/files/{stored['id']}", headers={"Range": "rows=0-9"})
    assert response.status_code == 200
    assert response.data == DATA


def validators(client: FlaskClient, file_id: str) -> dict[str, str]:
    """The header values a client would send back, by name, plus a stale pair."""
    headers = client.head(f"/api/files/{file_id}").headers
    made = ObjectId(file_id).generation_time
    return {
        "etag": headers["ETag"],
        "weak": f"W/{headers['ETag']}",
        "modified": headers["Last-Modified"],
        "earlier": http_date(made - timedelta(days=1)),
        "later": http_date(made + timedelta(seconds=1)),
        "future": http_date(datetime.now(UTC) + timedelta(days=1)),
        "other": '"not-this-file"',
    }


# (request headers, with {name} for a value of ``validators``), status.
CONDITIONS = [
    ({"If-Match": "{etag}"}, 200),
    ({"If-Match": "*"}, 200),
    ({"If-Match": "{other}, {etag}"}, 200),
    ({"If-Match": "{other}"}, 412),
    ({"If-Match": "{weak}"}, 412),
    ({"If-Match": "{other}", "Range": "bytes=0-9"}, 412),
    ({"If-Match": "{other}", "If-None-Match": "{etag}"}, 412),
    ({"If-Match": "{etag}", "Range": "bytes=0-9"}, 206),
    ({"If-Unmodified-Since": "{earlier}"}, 412),
    ({"If-Unmodified-Since": "{earlier}", "Range": "bytes=0-9"}, 412),
    ({"If-Unmodified-Since": "{modified}"}, 200),
    ({"If-Unmodified-Since": "{later}"}, 200),
    ({"If-Unmodified-Since": "not a date"}, 200),
    ({"If-Match": "{etag}", "If-Unmodified-Since": "{earlier}"}, 200),
    ({"If-None-Match": "{etag}"}, 304),
    ({"If-None-Match": "{weak}"}, 304),
    ({"If-None-Match": "*"}, 304),
    ({"If-None-Match": "{other}"}, 200),
    ({"If-None-Match": "{etag}", "Range": "bytes=0-9"}, 304),
    ({"If-Modified-Since": "{modified}"}, 304),
    ({"If-Modified-Since": "{earlier}"}, 200),
    ({"If-Modified-Since": "{future}"}, 200),
    ({"If-Modified-Since": "not a date"}, 200),
    ({"If-None-Match": "{other}", "If-Modified-Since": "{modified}"}, 200),
    ({"Range": "bytes=0-9", "If-Range": "{etag}"}, 206),
    ({"Range": "bytes=0-9", "If-Range": "{modified}"}, 206),
    ({"Range": "bytes=0-9", "If-Range": "{other}"}, 200),
    ({"Range": "bytes=0-9", "If-Range": "{weak}"}, 200),
    ({"Range": "bytes=0-9", "If-Range": "{earlier}"}, 200),
]


@pytest.mark.parametrize(("template", "status"), CONDITIONS)
def test_conditional_requests(
    client: FlaskClient, stored: dict[str, Any], template: dict[str, str], status: int
) -> None:
    values = validators(client, stored["id"])
    headers = {name: value.format(**values) for name, value in template.items()}
    response = client.get(f"/api/files/{stored['id']}", headers=headers)
    assert response.status_code == status, headers
    if status == 200:
        assert response.data == DATA
    elif status == 206:
        assert response.data == DATA[:10]
        assert response.headers["Content-Range"] == f"bytes 0-9/{len(DATA)}"
    elif status == 304:
        assert response.data == b""
        assert response.headers["ETag"] == values["etag"]
        assert "Content-Range" not in response.headers
    else:  # 412: the usual JSON error, and not a byte of the file
        assert response.get_json()["error"]["code"] == "precondition_failed"
        assert DATA[:32] not in response.data
        assert "Content-Range" not in response.headers


def test_head_answers_like_get_without_the_body(
    client: FlaskClient, stored: dict[str, Any]
) -> None:
    url = f"/api/files/{stored['id']}"
    response = client.head(url, headers={"Range": "bytes=0-9"})
    assert response.status_code == 200  # Range is defined for GET only
    assert response.headers["Content-Length"] == str(len(DATA))
    assert response.data == b""
    assert client.head(url, headers={"If-Match": '"x"'}).status_code == 412
    etag = response.headers["ETag"]
    assert client.head(url, headers={"If-None-Match": etag}).status_code == 304


def test_an_empty_file_has_no_byte_to_range_over(client: FlaskClient) -> None:
    body = upload(client, b"", "empty.txt").get_json()
    url = f"/api/files/{body['id']}"
    assert client.get(url).data == b""
    first = client.get(url, headers={"Range": "bytes=0-"})
    assert first.status_code == 416
    assert first.headers["Content-Range"] == "bytes */0"
    suffix = client.get(url, headers={"Range": "bytes=-5"})
    assert suffix.status_code == 200
    assert suffix.data == b""


def test_missing_or_malformed_ids_are_404_json(client: FlaskClient) -> None:
    for url in (
        f"/api/files/{MISSING}",
        "/api/files/not-an-id",
        "/api/files/by-name/missing.txt",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.get_json()["error"]["code"] == "not_found"


def test_by_name_serves_the_newest_revision_or_the_one_asked_for(
    client: FlaskClient,
) -> None:
    for number in range(3):
        upload(client, b"v%d" % number, "notes.txt", "text/plain")
    url = "/api/files/by-name/notes.txt"
    assert client.get(url).data == b"v2"
    assert client.get(f"{url}?version=0").data == b"v0"
    assert client.get(f"{url}?version=1").data == b"v1"
    assert client.get(f"{url}?version=-1").data == b"v2"
    assert client.get(f"{url}?version=-3").data == b"v0"
    assert client.get(f"{url}?version=3").status_code == 404
    assert client.get(f"{url}?version=-4").status_code == 404
    for bad in ("newest", "1_0", "", "9" * 20):
        response = client.get(f"{url}?version={bad}")
        assert response.status_code == 400, bad
        assert "version" in response.get_json()["error"]["message"]


def test_by_name_with_a_path_never_matches(client: FlaskClient) -> None:
    upload(client, b"x", "dir/inner.txt")
    assert client.get("/api/files/by-name/inner.txt").status_code == 200
    assert client.get("/api/files/by-name/dir/inner.txt").status_code == 404


def test_delete_then_404(
    client: FlaskClient, stored: dict[str, Any], db: Database[Any]
) -> None:
    url = f"/api/files/{stored['id']}"
    response = client.delete(url)
    assert response.status_code == 204
    assert db.fs.chunks.find_one() is None
    assert client.get(url).status_code == 404
    again = client.delete(url)
    assert again.status_code == 404
    assert again.get_json()["error"]["code"] == "not_found"


def test_files_work_on_the_in_memory_database(shared_app: AppFactory) -> None:
    """The no-server development mode has files too (mongomock's GridFS)."""
    app: Flask = shared_app(MONGODB_URI="mongomock://localhost")
    client = app.test_client()
    body = upload(client, b"in memory").get_json()
    assert client.get(f"/api/files/{body['id']}").data == b"in memory"


@pytest.mark.parametrize("error", OUTAGE_ERRORS)
def test_the_database_being_down_is_a_503(
    offline_app: Flask, outage: DownClient, error: type[ConnectionFailure]
) -> None:
    outage.error = error
    client = offline_app.test_client()
    responses = {
        "upload": upload(client),
        "download": client.get(f"/api/files/{MISSING}"),
        "by name": client.get("/api/files/by-name/data.bin"),
        "delete": client.delete(f"/api/files/{MISSING}"),
    }
    for route, response in responses.items():
        assert response.status_code == 503, route
        assert response.get_json()["error"]["code"] == "database_unavailable"
        assert "Retry-After" in response.headers, route


@pytest.mark.parametrize(
    ("sent", "asked"),
    [
        ("Wid\u200bget.txt", "Wid\u200bget.txt"),  # the name it was sent with
        ("Wid\u200bget.txt", "Widget.txt"),  # what a reader sees
        ("\ufeffnotes.txt", "notes.txt"),
        ("Cafe\u0301.txt", "Caf\u00e9.txt"),  # decomposed and composed
        ("\uff52\uff45\uff50\uff4f\uff52\uff54.txt", "report.txt"),  # full-width
        ("\u202ereport.txt", "report.txt"),  # bidi override
    ],
)
def test_a_file_is_found_by_any_spelling_of_its_name(
    client: FlaskClient, sent: str, asked: str
) -> None:
    assert upload(client, b"same file", sent).status_code == 201
    response = client.get("/api/files/by-name/" + quote(asked))
    assert response.status_code == 200, asked
    assert response.data == b"same file"
