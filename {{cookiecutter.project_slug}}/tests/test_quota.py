"""Upload quota (quota.py): reserved before storing, released on delete and failure."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from credentials import bearer
from flask import Flask
from flask.testing import FlaskClient
from support import AppFactory
from werkzeug.test import TestResponse

from {{ cookiecutter.package_name }} import files_api, quota
from {{ cookiecutter.package_name }}.db import EXTENSION

SIZE = 10_000


def upload(
    client: FlaskClient, size: int = SIZE, headers: dict[str, str] | None = None
) -> TestResponse:
    file = (io.BytesIO(b"x" * size), "data.bin", "application/octet-stream")
    return client.post("/api/files", data={"file": file}, headers=headers or {})


def used(app: Flask, owner: str = "writer") -> int:
    with app.app_context():
        return quota.used(owner)


def assert_quota_exceeded(response: TestResponse) -> None:
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "quota_exceeded"


def test_uploads_count_against_the_quota_until_it_is_full(
    shared_app: AppFactory,
) -> None:
    app = shared_app(FILES_QUOTA_BYTES=3 * SIZE)
    client = app.test_client()
    assert [upload(client).status_code for _ in range(3)] == [201, 201, 201]
    assert_quota_exceeded(upload(client))
    assert_quota_exceeded(upload(client, size=1))
    assert used(app) == 3 * SIZE


def test_an_empty_file_fits_even_a_full_quota(shared_app: AppFactory) -> None:
    app = shared_app(FILES_QUOTA_BYTES=SIZE)
    client = app.test_client()
    assert upload(client).status_code == 201
    assert upload(client, size=0).status_code == 201
    assert used(app) == SIZE


@pytest.mark.parametrize("size", [3 * SIZE + 1, 10 * SIZE])
def test_one_file_over_the_whole_quota_is_refused(
    shared_app: AppFactory, size: int
) -> None:
    app = shared_app(FILES_QUOTA_BYTES=3 * SIZE)
    assert_quota_exceeded(upload(app.test_client(), size=size))
    assert used(app) == 0


def test_each_caller_has_a_quota_of_its_own(shared_app: AppFactory) -> None:
    app = shared_app(FILES_QUOTA_BYTES=SIZE)
    client = app.test_client()
    assert upload(client).status_code == 201
    assert upload(client, headers=bearer("other")).status_code == 201
    assert_quota_exceeded(upload(client))


def test_a_delete_gives_the_bytes_back(shared_app: AppFactory) -> None:
    app = shared_app(FILES_QUOTA_BYTES=SIZE)
    client = app.test_client()
    created = upload(client).get_json()
    assert client.delete(f"/api/files/{created['id']}").status_code == 204
    assert used(app) == 0
    assert upload(client).status_code == 201


def test_a_failed_upload_gives_the_bytes_back(
    shared_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = shared_app(FILES_QUOTA_BYTES=SIZE)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the client went away")

    monkeypatch.setattr(files_api, "save_file", broken)
    response = upload(app.test_client())
    assert response.status_code == 500
    assert used(app) == 0


def test_another_callers_file_cannot_be_deleted_but_an_admin_may(
    client: FlaskClient, app: Flask
) -> None:
    created = upload(client).get_json()
    path = f"/api/files/{created['id']}"
    for caller in ("other", "reader"):
        assert client.delete(path, headers=bearer(caller)).status_code == 403
    assert client.get(path).status_code == 200
    assert client.delete(path, headers=bearer("admin")).status_code == 204
    assert used(app) == 0  # the bytes go back to the uploader


def test_concurrent_uploads_never_overshoot_the_quota(shared_app: AppFactory) -> None:
    app = shared_app(FILES_QUOTA_BYTES=3 * SIZE)
    if app.extensions[EXTENSION].in_memory:
        # mongomock applies an update as a find, then a write, with no lock
        # between threads; the conditional $inc is atomic on a server, where the
        # live run (TEST_MONGODB_URI) checks it.
        pytest.skip("mongomock's updates are not atomic across threads")
    statuses: list[int] = []
    start = threading.Barrier(8)

    def one_upload() -> None:
        client = app.test_client()
        start.wait()
        statuses.append(upload(client).status_code)

    threads = [threading.Thread(target=one_upload) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [201] * 3 + [413] * 5
    assert used(app) == 3 * SIZE
