from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from outage import OUTAGE_ERRORS, DownClient
from pymongo.errors import ConnectionFailure


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
