"""Bodies over the size limit are a 413 however they are framed.

A chunked body has no Content-Length: the test client sends one like a WSGI
server that de-chunks it (gunicorn) does, with ``Transfer-Encoding: chunked``
and ``wsgi.input_terminated``. The template's own tests send real chunked
requests to gunicorn.
"""

from __future__ import annotations

import io
import json

import pytest
from flask.testing import FlaskClient
from support import AppFactory
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import TestResponse

from {{ cookiecutter.package_name }}.request_limits import (
    StrictLimitedStream,
)

LIMIT = 1000
CHUNKED = {"wsgi.input_terminated": True}


def post_chunked(
    client: FlaskClient, path: str, body: bytes, content_type: str
) -> TestResponse:
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides=CHUNKED,
    )


def padded(size: int, name: str = "Padded") -> bytes:
    """A valid JSON item of exactly ``size`` bytes: the rest is whitespace."""
    document = json.dumps({"name": name}).encode()
    return document + b" " * (size - len(document))


@pytest.fixture
def limited(shared_app: AppFactory) -> FlaskClient:
    return shared_app(MAX_CONTENT_LENGTH=LIMIT).test_client()


@pytest.mark.parametrize(
    "body",
    [
        padded(LIMIT + 1),  # valid JSON if cut at the limit: must not be cut
        padded(LIMIT * 50),
        b"\n" * (LIMIT * 2) + json.dumps({"name": "late"}).encode(),
        json.dumps({"name": "x" * LIMIT}).encode(),  # cut, it would be a 400
        b"[" * (LIMIT + 1),
    ],
)
def test_a_chunked_json_body_over_the_limit_is_a_413(
    limited: FlaskClient, body: bytes
) -> None:
    response = post_chunked(limited, "/api/items", body, "application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert limited.get("/api/items").get_json()["items"] == []


@pytest.mark.parametrize("size", [LIMIT, LIMIT - 1, 20])
def test_a_chunked_json_body_up_to_the_limit_is_read(
    limited: FlaskClient, size: int
) -> None:
    response = post_chunked(limited, "/api/items", padded(size), "application/json")
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("size", [LIMIT + 1, LIMIT * 50])
def test_a_json_body_with_a_length_over_the_limit_is_a_413(
    limited: FlaskClient, size: int
) -> None:
    response = limited.post(
        "/api/items", data=padded(size), content_type="application/json"
    )
    assert response.status_code == 413


@pytest.mark.parametrize("size", [LIMIT, LIMIT - 1])
def test_a_length_up_to_the_limit_is_read_from_a_terminated_stream(
    limited: FlaskClient, size: int
) -> None:
    """gunicorn marks every body terminated, whether it has a length or not."""
    response = limited.post(
        "/api/items",
        data=padded(size),
        content_type="application/json",
        environ_overrides=CHUNKED,
    )
    assert response.status_code == 201


def test_an_empty_chunked_body_is_not_json(limited: FlaskClient) -> None:
    response = post_chunked(limited, "/api/items", b"", "application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("size", [0, 1, 999, 1000])
def test_the_stream_gives_everything_up_to_the_limit(size: int) -> None:
    data = bytes(range(256)) * 4
    stream = StrictLimitedStream(io.BytesIO(data[:size]), LIMIT)
    assert stream.read() == data[:size]
    assert stream.read() == b""


@pytest.mark.parametrize("size", [1001, 1024, 100_000])
def test_the_stream_refuses_what_is_past_the_limit(size: int) -> None:
    for read in (
        lambda s: s.read(),
        lambda s: b"".join(iter(lambda: s.read(300), b"")),
        lambda s: s.readline(),
    ):
        stream = StrictLimitedStream(io.BytesIO(b"x" * size), LIMIT)
        with pytest.raises(RequestEntityTooLarge):
            read(stream)
{%- if cookiecutter.include_files %}


def multipart(size: int) -> bytes:
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n'
    return head + b"\r\n" + b"x" * size + b"\r\n--b--\r\n"


FORM = "multipart/form-data; boundary=b"


def test_a_chunked_upload_over_files_max_size_is_a_413(
    shared_app: AppFactory,
) -> None:
    client = shared_app(FILES_MAX_SIZE=100_000).test_client()
    response = post_chunked(client, "/api/files", multipart(200_000), FORM)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_an_upload_of_exactly_files_max_size_is_stored(
    shared_app: AppFactory,
) -> None:
    client = shared_app(FILES_MAX_SIZE=100_000).test_client()
    body = multipart(100_000 - len(multipart(0)))
    assert len(body) == 100_000
    for chunked in (True, False):
        response = client.post(
            "/api/files",
            data=body,
            content_type=FORM,
            headers={"Transfer-Encoding": "chunked"} if chunked else {},
            environ_overrides=CHUNKED,
        )
        assert response.status_code == 201, chunked


def test_a_chunked_upload_under_files_max_size_is_stored(
    shared_app: AppFactory,
) -> None:
    client = shared_app(FILES_MAX_SIZE=100_000, MAX_CONTENT_LENGTH=LIMIT).test_client()
    response = post_chunked(client, "/api/files", multipart(50_000), FORM)
    assert response.status_code == 201
    assert response.get_json()["length"] == 50_000
    # The upload's larger limit stays with the upload.
    item = post_chunked(client, "/api/items", padded(LIMIT + 1), "application/json")
    assert item.status_code == 413
{%- endif %}
