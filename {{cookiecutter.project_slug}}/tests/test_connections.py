"""A second, named database connection: MONGODB_CONNECTIONS and its prefix."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from support import UNREACHABLE_URI, AppFactory

from {{ cookiecutter.package_name }}.config import ConfigError, load_settings
from {{ cookiecutter.package_name }}.db import close_db, get_client, get_db

REPORTS_URI = "mongomock://localhost/reports"


@pytest.fixture
def two_app(shared_app: AppFactory) -> Flask:
    return shared_app(MONGODB_CONNECTIONS="reports", REPORTS_MONGODB_URI=REPORTS_URI)


def test_a_named_connection_has_its_own_database_and_client(two_app: Flask) -> None:
    with two_app.app_context():
        main, reports = get_db(), get_db("reports")
        assert reports.name == "reports"
        assert reports.name != main.name
        assert get_client("reports") is not get_client()
        assert get_client("reports") is get_client("reports")  # one per process
        reports.daily.insert_one({"day": "2026-11-22", "sold": 3})
        assert main.daily.count_documents({}) == 0
        assert reports.daily.count_documents({}) == 1


def test_a_named_connection_is_not_set_up_with_the_services_indexes(
    two_app: Flask,
) -> None:
    with two_app.app_context():
        assert "items" not in get_db("reports").list_collection_names()


def test_its_settings_come_from_its_prefix_and_the_rest_from_the_main_ones(
    shared_app: AppFactory,
) -> None:
    app = shared_app(
        MONGODB_URI=UNREACHABLE_URI,
        MONGODB_MAX_POOL_SIZE=9,
        MONGODB_TIMEOUT_MS=4000,
        MONGODB_CONNECTIONS="reports, archive",
        REPORTS_MONGODB_URI="mongodb://127.0.0.1:9/?readPreference=secondary",
        REPORTS_MONGODB_DB="analytics",
        REPORTS_MONGODB_MAX_POOL_SIZE="3",
        ARCHIVE_MONGODB_URI="mongodb://127.0.0.1:9/archive",
    )
    with app.app_context():
        reports, archive = get_client("reports"), get_client("archive")
        assert get_db("reports").name == "analytics"
        assert get_db("archive").name == "archive"
        assert reports.options.pool_options.max_pool_size == 3
        assert archive.options.pool_options.max_pool_size == 9
        assert get_client().options.pool_options.max_pool_size == 9
        assert reports.options.timeout == archive.options.timeout == 4
        assert reports.read_preference.mongos_mode == "secondary"
        assert get_client().read_preference.mongos_mode == "primary"


def test_an_unknown_name_is_a_clear_error(two_app: Flask) -> None:
    with two_app.app_context(), pytest.raises(LookupError, match="MONGODB_CONNECTIONS"):
        get_db("report")


def test_close_db_closes_the_named_clients_too(two_app: Flask) -> None:
    with two_app.app_context():
        first = get_client("reports")
        close_db(two_app)
        assert get_client("reports") is not first


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MONGODB_CONNECTIONS": "reports"}, "REPORTS_MONGODB_URI is required"),
        ({"MONGODB_CONNECTIONS": "Reports"}, "lowercase identifiers"),
        ({"MONGODB_CONNECTIONS": "re-ports"}, "lowercase identifiers"),
        ({"MONGODB_CONNECTIONS": "1st"}, "lowercase identifiers"),
        ({"MONGODB_CONNECTIONS": "rapports_é"}, "lowercase identifiers"),
        (
            {"MONGODB_CONNECTIONS": "reports", "REPORTS_MONGODB_URI": "http://x/db"},
            "REPORTS_MONGODB_URI must start with",
        ),
        (
            {"MONGODB_CONNECTIONS": "reports", "REPORTS_MONGODB_URI": "mongodb://x"},
            "REPORTS_MONGODB_DB is not set and REPORTS_MONGODB_URI",
        ),
        (
            {
                "MONGODB_CONNECTIONS": "reports",
                "REPORTS_MONGODB_URI": "mongodb://x/r",
                "REPORTS_MONGODB_MAX_POOL_SIZE": "0",
            },
            "REPORTS_MONGODB_MAX_POOL_SIZE must be at least 1",
        ),
        (
            {
                "MONGODB_CONNECTIONS": "reports",
                "REPORTS_MONGODB_URI": "mongodb://x/r",
                "REPORTS_MONGODB_READ_PREFERENCE": "secundary",
            },
            "REPORTS_MONGODB_READ_PREFERENCE must be one of",
        ),
    ],
)
def test_a_bad_named_connection_stops_the_app_naming_the_setting(
    environ: dict[str, str], message: str
) -> None:
    base = {"APP_ENV": "testing", "MONGODB_URI": "mongodb://x/main"}
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=base | environ)


def test_without_named_connections_there_are_none() -> None:
    settings = load_settings(environ={"APP_ENV": "testing"})
    assert settings["MONGODB_CONNECTIONS"] == ()
    assert not any(key.endswith("_MONGODB_URI") for key in settings)


def test_the_settings_can_come_from_the_environment() -> None:
    name = f"r_{uuid.uuid4().hex[:8]}"
    settings: dict[str, Any] = load_settings(
        environ={
            "APP_ENV": "testing",
            "MONGODB_CONNECTIONS": "reports",
            "REPORTS_MONGODB_URI": f"mongomock://localhost/{name}",
        }
    )
    assert settings["MONGODB_CONNECTIONS"] == ("reports",)
    assert settings["REPORTS_MONGODB_DB"] == name
