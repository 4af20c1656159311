from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import (
    IN_MEMORY_URI,
    ConfigError,
    database_name,
    load_settings,
)

STRONG = "s" * 40
PRODUCTION = {
    "APP_ENV": "production",
    "MONGODB_URI": "mongodb://db.example.net:27017/shop",
    "SECRET_KEY": STRONG,
{%- if cookiecutter.auth == "jwt" %}
    "JWT_ISSUER": "https://issuer.example.net",
    "JWT_AUDIENCE": "shop",
    "JWT_JWKS_URL": "https://issuer.example.net/.well-known/jwks.json",
{%- endif %}
}


def test_defaults_in_development_use_the_in_memory_database() -> None:
    settings = load_settings(environ={"APP_ENV": "development"})
    assert settings["MONGODB_URI"] == IN_MEMORY_URI
    assert settings["MONGODB_DB"] == "{{ cookiecutter.database_name }}"
    assert len(settings["SECRET_KEY"]) >= 32
    assert settings["TESTING"] is False


def test_environment_values_are_parsed() -> None:
    settings = load_settings(
        environ={**PRODUCTION, "MONGODB_MAX_POOL_SIZE": "7", "LOG_LEVEL": "debug"}
    )
    assert settings["MONGODB_MAX_POOL_SIZE"] == 7
    assert settings["LOG_LEVEL"] == "DEBUG"
    assert settings["MONGODB_DB"] == "shop"


def test_overrides_win_over_the_environment_and_pass_through() -> None:
    settings = load_settings(
        {"MONGODB_DB": "other", "SERVER_NAME": "example.test"}, environ=PRODUCTION
    )
    assert settings["MONGODB_DB"] == "other"
    assert settings["SERVER_NAME"] == "example.test"


def test_timeouts_default_to_seconds_not_pymongos_thirty() -> None:
    settings = load_settings(environ=PRODUCTION)
    assert settings["MONGODB_SERVER_SELECTION_TIMEOUT_MS"] <= 5000
    assert settings["MONGODB_CONNECT_TIMEOUT_MS"] <= 5000


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({**PRODUCTION, "MONGODB_URI": ""}, "MONGODB_URI is required"),
        ({**PRODUCTION, "SECRET_KEY": ""}, "SECRET_KEY is required"),
        ({**PRODUCTION, "SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({**PRODUCTION, "SECRET_KEY": "changeme"}, "SECRET_KEY is too weak"),
        ({}, "is required in production"),  # production is the default
    ],
)
def test_production_refuses_to_start_without_safe_settings(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("APP_ENV", "staging", "APP_ENV must be one of"),
        ("MONGODB_URI", "postgres://x/y", "MONGODB_URI must start with"),
        ("MONGODB_URI", "mongodb://localhost:27017", "names no database"),
        ("MONGODB_DB", "bad.name", "not a valid MongoDB database name"),
        ("MONGODB_MAX_POOL_SIZE", "many", "must be a whole number"),
        ("MONGODB_SERVER_SELECTION_TIMEOUT_MS", "0", "must be at least 1"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
        ("API_PAGE_SIZE", "500", "API_PAGE_SIZE must not be larger"),
    ],
)
def test_invalid_settings_name_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_settings(environ={"APP_ENV": "development", name: value})
    assert name in str(raised.value)


def test_a_bad_uri_is_reported_without_its_credentials() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(environ={**PRODUCTION, "MONGODB_URI": "http://u:hunter2@x/db"})
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("uri", "explicit", "expected"),
    [
        ("mongodb://localhost:27017/shop", "", "shop"),
        ("mongodb://a:1,b:2/shop?replicaSet=rs0", "", "shop"),
        ("mongodb+srv://user:pw@cluster.example.net/shop", "", "shop"),
        ("mongodb://localhost:27017/shop", "other", "other"),
    ],
)
def test_database_name_comes_from_the_setting_or_the_uri(
    uri: str, explicit: str, expected: str
) -> None:
    assert database_name(uri, explicit) == expected


def test_dotenv_is_read_in_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MONGODB_DB=from_dotenv\n")
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("MONGODB_DB", raising=False)  # restored (unset) afterwards
    assert load_settings()["MONGODB_DB"] == "from_dotenv"


def test_dotenv_is_ignored_in_testing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("MONGODB_DB=from_dotenv\n")
    monkeypatch.delenv("MONGODB_DB", raising=False)
    settings = load_settings({"APP_ENV": "testing"})
    assert settings["MONGODB_DB"] != "from_dotenv"
