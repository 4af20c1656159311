"""Idempotency-Key on POST: a retry returns the first answer, never a second item."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.database import Database

from {{ cookiecutter.package_name }}.idempotency import COLLECTION
from {{ cookiecutter.package_name }}.indexes import INDEXES

BODY = {"name": "Lamp", "quantity": 2}


def post(client: FlaskClient, body: Any, key: str | None) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(
        "/api/items",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("key", ["k1", "3f2b9c1e-uuid-like", "!~" * 100, "a" * 255])
def test_a_retry_returns_the_first_answer(
    client: FlaskClient, db: Database[Any], key: str
) -> None:
    first = post(client, BODY, key)
    again = post(client, BODY, key)
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    for name in ("Location", "ETag", "Content-Type"):
        assert again.headers[name] == first.headers[name]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert db.items.count_documents({}) == 1


def test_the_same_key_with_another_body_is_a_422(
    client: FlaskClient, db: Database[Any]
) -> None:
    assert post(client, BODY, "k").status_code == 201
    for other in ({"name": "Lamp", "quantity": 3}, {"name": "Desk"}, BODY | {"x": 1}):
        response = post(client, other, "k")
        assert response.status_code == 422
        assert "Idempotency-Key" in response.get_json()["error"]["message"]
    assert db.items.count_documents({}) == 1


def test_different_keys_are_different_requests(client: FlaskClient) -> None:
    assert post(client, BODY, "one").status_code == 201
    assert post(client, BODY, "two").status_code == 409  # the name is taken


def test_without_a_key_nothing_is_remembered(
    client: FlaskClient, db: Database[Any]
) -> None:
    assert post(client, BODY, None).status_code == 201
    assert post(client, BODY, None).status_code == 409
    assert db[COLLECTION].count_documents({}) == 0


def test_a_failed_request_can_be_retried_with_its_key(
    client: FlaskClient, db: Database[Any]
) -> None:
    assert post(client, {"name": ""}, "k").status_code == 422
    assert db[COLLECTION].count_documents({}) == 0
    assert post(client, {"name": ""}, "k").status_code == 422
    assert post(client, BODY, "k").status_code == 201


@pytest.mark.parametrize("key", ["", "with space", "tab\there", "é", "a" * 256])
def test_a_malformed_key_is_a_400(client: FlaskClient, key: str) -> None:
    raw = key.encode().decode("latin-1")  # as the bytes arrive on the wire
    response = client.post("/api/items", json=BODY, headers=[("Idempotency-Key", raw)])
    assert response.status_code == 400
    assert "Idempotency-Key" in response.get_json()["error"]["message"]


def test_a_key_still_in_progress_is_a_409_with_retry_after(
    client: FlaskClient, db: Database[Any]
) -> None:
    assert post(client, BODY, "k").status_code == 201
    db.items.delete_many({})
    # The key's one record, as it is while its first request is still running.
    assert db[COLLECTION].update_one({}, {"$set": {"done": False}}).modified_count
    response = post(client, BODY, "k")
    assert response.status_code == 409
    assert int(response.headers["Retry-After"]) >= 1
    assert db.items.count_documents({}) == 0


def test_concurrent_first_uses_create_one_item(app: Flask, db: Database[Any]) -> None:
    """Eight threads send the same key at once: one item, and every answer agrees."""
    answers: list[tuple[int, bytes]] = []
    start = threading.Barrier(8)

    def send() -> None:
        client = app.test_client()
        start.wait()
        response = post(client, BODY, "race")
        answers.append((response.status_code, response.get_data()))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert db.items.count_documents({}) == 1
    created = [data for status, data in answers if status == 201]
    assert created
    assert all(data == created[0] for data in created)
    assert {status for status, _ in answers} <= {201, 409}


def test_keys_expire_through_a_ttl_index() -> None:
    (model,) = INDEXES[COLLECTION]
    assert model.document["expireAfterSeconds"] == 24 * 60 * 60
    assert list(model.document["key"]) == ["created_at"]
