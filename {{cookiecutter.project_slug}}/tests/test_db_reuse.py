"""The Database and Collection objects are made once per client, not per request."""

from __future__ import annotations

import pytest
from flask import Flask
from support import AppFactory

from {{ cookiecutter.package_name }}.db import (
    EXTENSION,
    close_db,
    get_client,
    get_collection,
    get_db,
)
from {{ cookiecutter.package_name }}.items import store


def test_requests_share_one_database_and_one_collection(app: Flask) -> None:
    with app.test_request_context():
        database, items = get_db(), get_collection("items")
    with app.test_request_context():
        assert get_db() is database
        assert get_collection("items") is items
        assert store.collection() is items


@pytest.mark.usefixtures("app_context")
def test_each_name_is_its_own_collection_of_the_configured_database(
    app: Flask,
) -> None:
    names = ["items", "fs.files", "other", "items.archive"]
    collections = [get_collection(name) for name in names]
    assert [collection.name for collection in collections] == names
    for collection in collections:
        assert collection.database.name == app.config["MONGODB_DB"]
        assert collection.database.client is get_client()
    assert get_collection("items") is collections[0]


@pytest.mark.usefixtures("app_context")
def test_a_new_client_gets_new_database_and_collection_objects(app: Flask) -> None:
    before = (get_db(), get_collection("items"))
    close_db(app)  # a restart or shutdown: the next use reconnects
    after_close = (get_db(), get_collection("items"))
    # A forked worker: the client was made in another process. Not by faking
    # os.getpid, which pymongo reads too: it would take itself for a forked
    # child and leave its monitors' sockets open (a ResourceWarning on a live
    # server, in about half the runs on nx-27017).
    app.extensions[EXTENSION]._pid = -1
    after_fork = (get_db(), get_collection("items"))
    for objects in (before, after_close, after_fork):
        database, items = objects
        assert items.database is database
    assert before[1].database.client is not after_close[1].database.client
    assert after_close[1].database.client is not after_fork[1].database.client
    assert after_fork[0].client is get_client()
    after_close[0].client.close()  # the client a fork leaves to its parent
    close_db(app)  # the "forked" one: the next test connects afresh


def test_each_app_keeps_its_own_collections(make_app: AppFactory) -> None:
    first, second = make_app(), make_app()
    with first.app_context():
        theirs = get_collection("items")
    with second.app_context():
        ours = get_collection("items")
    assert ours is not theirs
    assert ours.database.name != theirs.database.name
