from __future__ import annotations

import gc
import os
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson.binary import UuidRepresentation
from flask import Flask
from pymongo.database import Database
from pymongo.errors import InvalidOperation, ServerSelectionTimeoutError
from support import UNREACHABLE_URI, AppFactory, unique_keys
from werkzeug.exceptions import NotFound

from {{ cookiecutter.package_name }} import db as db_module
from {{ cookiecutter.package_name }}.db import (
    EXTENSION,
    close_db,
    deploy_database,
    find_one_or_404,
    get_client,
    get_db,
)


def test_create_app_makes_no_client(make_app: AppFactory) -> None:
    app = make_app(MONGODB_URI=UNREACHABLE_URI)
    assert app.extensions[EXTENSION]._client is None


def test_one_client_is_shared_by_every_request(app: Flask) -> None:
    with app.test_request_context():
        first = get_client()
    with app.test_request_context():
        assert get_client() is first


def test_each_app_has_its_own_client(make_app: AppFactory) -> None:
    with make_app().app_context():
        theirs = get_client()
    with make_app().app_context():
        assert get_client() is not theirs


@pytest.mark.usefixtures("app_context")
def test_a_forked_process_makes_its_own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = get_client()
    monkeypatch.setattr(os, "getpid", lambda: -1)
    assert get_client() is not parent


@pytest.mark.usefixtures("app_context")
def test_close_db_drops_the_client_and_the_next_use_reconnects(app: Flask) -> None:
    first = get_client()
    close_db(app)
    assert app.extensions[EXTENSION]._client is None
    assert get_client() is not first


def test_an_app_that_goes_away_closes_its_client(app: Flask) -> None:
    # No app-shutdown hook exists in Flask: the client is closed when its app is
    # garbage-collected or the process exits, so pools and monitors never leak.
    state = db_module.MongoState({**app.config, "MONGODB_URI": UNREACHABLE_URI})
    client = state.client()
    del state
    gc.collect()
    with pytest.raises(InvalidOperation, match="after close"):
        client.admin.command("ping")


def test_get_db_returns_the_configured_database(app: Flask, db: Database[Any]) -> None:
    assert db.name == app.config["MONGODB_DB"]


@pytest.mark.usefixtures("app_context")
def test_get_db_builds_no_index(db: Database[Any]) -> None:
    """Requests never build indexes: a dropped index stays dropped until upgrade."""
    db.items.drop_indexes()
    for _ in range(3):
        get_db().items.find_one({})
    assert unique_keys(get_db().items) == []


def test_an_in_memory_database_sets_itself_up(shared_app: AppFactory) -> None:
    with shared_app(MONGODB_URI="mongomock://localhost").app_context():
        assert unique_keys(get_db().items) == [[("name_key", 1)]]


def username(client: Any) -> str | None:
    """The user a client logs in as (pymongo keeps it in a private attribute)."""
    credentials = client.options.pool_options._credentials
    return None if credentials is None else str(credentials.username)


def test_the_deploy_step_uses_the_deploy_uri_and_no_deadline(
    shared_app: AppFactory,
) -> None:
    app = shared_app(
        MONGODB_URI="mongodb://app:secret@127.0.0.1:9/db",
        MONGODB_DEPLOY_URI="mongodb://deployer:other@127.0.0.1:9/db",
    )
    with app.app_context():
        with deploy_database() as database:
            deploy_client = database.client
            assert username(deploy_client) == "deployer"
            # An index build on a big collection takes as long as it takes.
            assert deploy_client.options.timeout is None
            assert deploy_client.options.pool_options.socket_timeout is None
        assert username(get_client()) == "app"
        assert get_client().options.timeout == 5


def test_without_a_deploy_uri_the_deploy_step_uses_the_service_uri(
    shared_app: AppFactory,
) -> None:
    app = shared_app(MONGODB_URI="mongodb://app:secret@127.0.0.1:9/db")
    with app.app_context(), deploy_database() as database:
        assert username(database.client) == "app"


def test_client_settings_reach_the_client(shared_app: AppFactory) -> None:
    app = shared_app(
        MONGODB_URI=UNREACHABLE_URI,
        MONGODB_MAX_POOL_SIZE=7,
        MONGODB_APPNAME="probe",
        MONGODB_CONNECT_TIMEOUT_MS=1500,
        MONGODB_SOCKET_TIMEOUT_MS=7000,
        MONGODB_TIMEOUT_MS=4500,
    )
    with app.app_context():
        options = get_client().options
    assert options.pool_options.max_pool_size == 7
    assert options.pool_options.metadata["application"] == {"name": "probe"}
    assert options.server_selection_timeout == 2
    assert options.pool_options.connect_timeout == 1.5
    assert options.pool_options.socket_timeout == 7
    assert options.timeout == 4.5  # every operation's deadline (timeoutMS)
    assert options.codec_options.tz_aware is True
    assert options.codec_options.uuid_representation == UuidRepresentation.STANDARD


@pytest.mark.usefixtures("prompt_server_checks")
def test_an_unreachable_server_fails_within_the_timeout(shared_app: AppFactory) -> None:
    """The one test that waits for a real outage; the rest use tests/outage.py."""
    app = shared_app(
        MONGODB_URI=UNREACHABLE_URI,
        MONGODB_SERVER_SELECTION_TIMEOUT_MS=100,
        MONGODB_TIMEOUT_MS=100,  # the deadline bounds server selection too
    )
    with app.app_context():
        started = time.monotonic()
        with pytest.raises(ServerSelectionTimeoutError):
            get_db().items.find_one({})
        assert time.monotonic() - started < 1  # ten times the timeout: a margin


def test_find_one_or_404_returns_the_document(db: Database[Any]) -> None:
    inserted = db.things.insert_one({"name": "a"}).inserted_id
    assert find_one_or_404(db.things, {"_id": inserted})["name"] == "a"


def test_find_one_or_404_raises_not_found(db: Database[Any]) -> None:
    with pytest.raises(NotFound, match="gone"):
        find_one_or_404(db.things, {"name": "missing"}, description="gone")


def test_datetimes_come_back_timezone_aware(db: Database[Any]) -> None:
    db.things.insert_one({"at": datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)})
    stored = db.things.find_one()
    assert stored is not None
    assert stored["at"].utcoffset().total_seconds() == 0


@pytest.mark.usefixtures("app_context")
def test_the_uri_scheme_chooses_the_backend(app: Flask) -> None:
    in_memory = app.config["MONGODB_URI"].startswith("mongomock://")
    assert db_module.MongoState(app.config).in_memory is in_memory
    backend = type(get_client()).__module__.partition(".")[0]
    assert backend == ("mongomock" if in_memory else "pymongo")


def test_the_in_memory_clock_is_utc_and_not_deprecated(shared_app: AppFactory) -> None:
    with shared_app(MONGODB_URI="mongomock://localhost").app_context():
        collection = get_db()["clock"]
        before = datetime.now(UTC)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            collection.insert_one({"_id": 1})
            collection.update_one({"_id": 1}, {"$currentDate": {"at": True}})
        stamped = (collection.find_one({"_id": 1}) or {})["at"]
    assert before - stamped < timedelta(seconds=1)
    assert stamped - before < timedelta(seconds=5)


def test_mongomock_still_needs_its_clock_replaced() -> None:
    """When this fails, mongomock no longer calls the deprecated datetime.utcnow():
    delete ``_naive_utc_now`` and the line in ``db.connect`` that installs it."""
    import mongomock.helpers

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mongomock.helpers.utcnow()  # type: ignore[no-untyped-call]
    deprecated = any("utcnow() is deprecated" in str(w.message) for w in caught)
    assert deprecated is (sys.version_info >= (3, 12))
