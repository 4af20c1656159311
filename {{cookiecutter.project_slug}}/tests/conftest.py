"""Fixtures shared by every test.

By default each app gets its own in-memory mongomock database. Set
``TEST_MONGODB_URI`` (for example ``mongodb://localhost:27017``) and the same
tests run against that server instead, each app on a fresh database that is
dropped afterwards.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from pymongo.collection import Collection
from pymongo.database import Database

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.db import close_db, get_client, get_db

LIVE_URI = os.environ.get("TEST_MONGODB_URI", "")
# A closed port on loopback: connections are refused at once, so "the database
# is down" is quick and certain.
UNREACHABLE_URI = "mongodb://127.0.0.1:9/unreachable"

AppFactory = Callable[..., Flask]
UniqueKeys = Callable[[Collection[Any]], list[list[tuple[str, int]]]]


@pytest.fixture
def make_app() -> Iterator[AppFactory]:
    """Build apps with settings overridden; each is cleaned up after the test."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        config: dict[str, Any] = {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "MONGODB_URI": LIVE_URI or "mongomock://localhost",
            "MONGODB_DB": f"test_{uuid.uuid4().hex[:12]}",
            "MONGODB_SERVER_SELECTION_TIMEOUT_MS": 2000,
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        if LIVE_URI and app.config["MONGODB_URI"] == LIVE_URI:
            with app.app_context():
                get_client().drop_database(app.config["MONGODB_DB"])
        close_db(app)


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """The app under test; pytest-flask's ``client`` fixture uses it."""
    return make_app()


@pytest.fixture
def whole_rate_window() -> None:
    """Rate-limit windows are aligned to the clock: a test that counts against an
    hourly limit never starts in an hour's last seconds, where its requests could
    be split across two windows."""
    left = 3600 - time.time() % 3600
    if left < 10:
        time.sleep(left + 0.1)


@pytest.fixture
def offline_app(make_app: AppFactory) -> Flask:
    """An app whose database is down, failing within 0.2 s."""
    return make_app(
        MONGODB_URI=UNREACHABLE_URI, MONGODB_SERVER_SELECTION_TIMEOUT_MS=200
    )


@pytest.fixture
def db(app: Flask) -> Database[Any]:
    """The test's database (pytest-flask keeps a request context pushed)."""
    return get_db()


@pytest.fixture
def item(client: Any) -> dict[str, Any]:
    """One stored item, created through the API."""
    response = client.post("/api/items", json={"name": "Widget", "quantity": 3})
    assert response.status_code == 201
    created: dict[str, Any] = response.get_json()
    return created


@pytest.fixture
def unique_keys() -> UniqueKeys:
    """The key patterns of a collection's unique indexes, whatever they are named."""

    def keys(collection: Collection[Any]) -> list[list[tuple[str, int]]]:
        indexes = collection.index_information().values()
        return [list(index["key"]) for index in indexes if index.get("unique")]

    return keys
