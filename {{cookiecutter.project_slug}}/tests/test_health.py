from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from outage import OUTAGE_ERRORS, DownClient
from pymongo.errors import ConnectionFailure
from support import AppFactory
from werkzeug.test import TestResponse

from {{ cookiecutter.package_name }} import health, schema
from {{ cookiecutter.package_name }}.db import get_client, get_db


def test_healthz_is_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_pings_the_database(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready"}


@pytest.mark.parametrize("error", OUTAGE_ERRORS)
def test_with_the_database_down_healthz_stays_up_and_readyz_is_503(
    offline_app: Flask, outage: DownClient, error: type[ConnectionFailure]
) -> None:
    outage.error = error
    client = offline_app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "database_unavailable"


def assert_schema_not_ready(response: TestResponse) -> None:
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    error = response.get_json()["error"]
    assert error["code"] == "schema_not_ready"
    # Every missing index is named (the items' unique name among them).
    assert "items.name_key_unique (name_key: 1) unique" in error["details"]
    assert set(error["details"].values()) == {"missing"}


def test_a_server_restarted_empty_is_not_ready_until_upgrade(
    shared_app: AppFactory,
) -> None:
    app = shared_app(SCHEMA_CHECK_SECONDS=0)
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        get_client().drop_database(app.config["MONGODB_DB"])
        assert_schema_not_ready(client.get("/readyz"))
        assert client.get("/api/items").status_code == 200  # reads still work
        schema.upgrade(get_db())
    assert client.get("/readyz").status_code == 200


def test_a_failed_index_build_leaves_reads_working_and_readyz_503(
    shared_app: AppFactory,
) -> None:
    app = shared_app(SCHEMA_CHECK_SECONDS=0)
    client = app.test_client()
    with app.app_context():
        get_db().items.drop_indexes()
    twins = [client.post("/api/items", json={"name": "Twin"}) for _ in range(2)]
    assert [reply.status_code for reply in twins] == [201, 201]
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    for path in ["/api/items", f"/api/items/{twins[1].get_json()['id']}"]:
        assert client.get(path).status_code == 200, path
    assert client.post("/api/items", json={"name": "Single"}).status_code == 201
    assert_schema_not_ready(client.get("/readyz"))


def test_readyz_checks_the_indexes_again_when_its_answer_expires(
    make_app: AppFactory,
) -> None:
    app = make_app(SCHEMA_CHECK_SECONDS=30)  # its own: the test sets its clock
    client = app.test_client()
    now = [1000.0]
    app.extensions[health.EXTENSION].clock = lambda: now[0]
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        get_db().items.drop_indexes()
    now[0] += 29  # still cached: one check per SCHEMA_CHECK_SECONDS, not per probe
    assert client.get("/readyz").status_code == 200
    now[0] += 2
    assert_schema_not_ready(client.get("/readyz"))
    with app.app_context():
        schema.upgrade(get_db())
    now[0] += 31  # a missing index is cached too, and for no longer
    assert client.get("/readyz").status_code == 200
