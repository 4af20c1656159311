from __future__ import annotations

import secrets
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import click
import pytest

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.config import (
    DEFAULT_DATABASE,
    IN_MEMORY_URI,
    MIN_SECRET_BITS,
    ConfigError,
    database_name,
    load_settings,
    secret_bits,
)

STRONG = secrets.token_urlsafe(48)
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
    assert settings["MONGODB_DB"] == DEFAULT_DATABASE
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
        ({**PRODUCTION, "MONGODB_URI": IN_MEMORY_URI}, "selects mongomock"),
        ({**PRODUCTION, "MONGODB_URI": "mongomock://localhost"}, "selects mongomock"),
        ({**PRODUCTION, "FLASK_DEBUG": "1"}, "FLASK_DEBUG"),
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


WEAK_SECRETS = [
    "a" * 64,
    "ab" * 32,
    "password" * 8,
    "changeme" * 6,
    "secret-secret-secret-secret-secret-secret",
    "Tr0ub4dor&3" * 4,
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "zyxwvutsrqponmlkjihgfedcba9876543210",
    "0123456789" * 5,
    "13579" * 8,
    "aAaA" * 16,
    "qwertyqwertyqwertyqwertyqwertyqwerty",
    "x" * 31 + "yz",
]
STRONG_SECRETS = [
    "b783041abdc978ed4f25ea0994be80d2",  # secrets.token_hex(16)
    "b03f355302e4986cc8354da3f48c7abf",
    "df450c3d2ea610b6f2976167226b9f46abd2f96e49cbf95bcf3cb608b75a0399",
    "YzolqhLQNc6B8xELobU59yFsKifPLnRicdcW3mzqsNE",  # secrets.token_urlsafe(32)
    # Made afresh each run; its id stays the same, so every run (and every
    # pytest-xdist worker) collects the same tests.
    pytest.param(STRONG, id="fresh-token_urlsafe-48"),
]


@pytest.mark.parametrize("secret", WEAK_SECRETS)
def test_production_refuses_a_long_but_predictable_secret(secret: str) -> None:
    assert len(secret) >= 32  # long enough: the estimate is what refuses it
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak") as raised:
        load_settings(environ={**PRODUCTION, "SECRET_KEY": secret})
    assert secret not in str(raised.value)


@pytest.mark.parametrize("secret", STRONG_SECRETS)
def test_production_accepts_a_random_secret(secret: str) -> None:
    assert secret_bits(secret) >= MIN_SECRET_BITS
    settings = load_settings(environ={**PRODUCTION, "SECRET_KEY": secret})
    assert settings["SECRET_KEY"] == secret


@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on", " 1 "])
def test_production_refuses_flask_debug(value: str) -> None:
    with pytest.raises(ConfigError, match="FLASK_DEBUG"):
        load_settings(environ={**PRODUCTION, "FLASK_DEBUG": value})


@pytest.mark.parametrize("value", ["", "0", "false", "No"])
def test_flask_debug_off_is_fine_in_production(value: str) -> None:
    settings = load_settings(environ={**PRODUCTION, "FLASK_DEBUG": value})
    assert settings["DEBUG"] is False


def test_debug_follows_flask_debug_outside_production() -> None:
    settings = load_settings(environ={"APP_ENV": "development", "FLASK_DEBUG": "1"})
    assert settings["DEBUG"] is True


def test_an_override_cannot_turn_debug_on_in_production() -> None:
    settings = load_settings({"DEBUG": True}, environ=PRODUCTION)
    assert settings["DEBUG"] is False


def test_production_refuses_the_development_server() -> None:
    """Inside ``flask run`` (``--debugger`` needs no FLASK_DEBUG to start it)."""
    with (
        click.Context(click.Command("run")),
        pytest.raises(ConfigError, match="flask run starts"),
    ):
        load_settings(environ=PRODUCTION)
    with click.Context(click.Command("routes")):
        load_settings(environ=PRODUCTION)


def test_a_production_app_never_has_debug_on() -> None:
    app = create_app({**PRODUCTION, "DEBUG": True, "FLASK_DEBUG": False})
    assert app.debug is False


def test_production_refuses_mongomock_from_an_override() -> None:
    with pytest.raises(ConfigError, match="selects mongomock"):
        load_settings({"MONGODB_URI": "mongomock://localhost/x"}, environ=PRODUCTION)


PASSWORD = "s3cr3t-Qx7Zv9Kp"
MALFORMED_URIS = [
    f"http://user:{PASSWORD}@db.example.net/shop",
    f"user:{PASSWORD}@db.example.net/shop",
    f"{PASSWORD}",
    f"MONGODB://user:{PASSWORD}@db.example.net/shop",
    f"mongodb:/user:{PASSWORD}@db.example.net/shop",
    f"mongodb://user:{PASSWORD}@db.example.net:abc/shop",
    f"mongodb://user:{PASSWORD}@db.example.net:99999/shop",
    f"mongodb://user:{PASSWORD}%zz@db.example.net/shop",
    f"mongodb://user:{PASSWORD}%@db.example.net/shop",
    f"mongodb://user:{quote_plus(PASSWORD)}%4@db.example.net/shop",
    f"mongodb://user:{PASSWORD}/x@db.example.net/shop",
    f"mongodb://user:{PASSWORD}@@db.example.net/shop",
    f"mongodb://user:{PASSWORD}db.example.net/shop",
    f"mongodb://user:{PASSWORD}:x@db.example.net/shop",
    f"mongodb://user:{PASSWORD}@db.example.net/sh op",
    f"mongodb://user:{PASSWORD}@db.example.net,,other/shop",
    f"mongodb://user:{PASSWORD}@[::1/shop",
    f"mongodb://user:{PASSWORD}@/tmp/mongodb.sock/shop",
    f"mongodb://user:{PASSWORD}@db.example.net/shop?tls=maybe",
    f"mongodb://user:{PASSWORD}@db.example.net/shop?readPreference={PASSWORD}",
    f"mongodb://user:{PASSWORD}ü€漢@db.example.net:x/shop",
    f"mongodb+srv://user:{PASSWORD}@cluster.example.net:27017/shop",
    f"mongodb+srv://user:{PASSWORD}@a.example.net,b.example.net/shop",
    f"mongodb+srv://user:{PASSWORD}@cluster.example.net:abc/shop",
]


def fragments(secret: str) -> set[str]:
    """Every four-character run of ``secret``: none may appear in a message."""
    return {secret[i : i + 4].casefold() for i in range(len(secret) - 3)}


@pytest.mark.parametrize("uri", MALFORMED_URIS)
def test_a_malformed_uri_is_refused_without_any_of_its_password(uri: str) -> None:
    with pytest.raises(ConfigError, match="MONGODB_URI") as raised:
        load_settings(environ={**PRODUCTION, "MONGODB_URI": uri})
    # The whole traceback, as a log would print it: no chained pymongo error.
    printed = "".join(traceback.format_exception(raised.value)).casefold()
    assert not [run for run in fragments(PASSWORD) if run in printed]


@pytest.mark.parametrize(
    "value", [b"secret-bytes-value-1234567890abcdef", ["secret-in-a-list"]]
)
def test_a_secret_of_the_wrong_type_is_not_echoed(value: Any) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must be text") as raised:
        load_settings({"SECRET_KEY": value}, environ=PRODUCTION)
    assert "secret-" not in str(raised.value)


@pytest.mark.parametrize(
    "uri",
    [
        "mongodb+srv://user:pw@cluster.example.net/shop?srvServiceName=db",
        "mongodb+srv://cluster.example.net/shop?srvMaxHosts=2&tls=true",
        "mongodb://a:1,b:2/shop?replicaSet=rs0",
        f"mongodb://user:{quote_plus('p@ss:w/rd ü')}@db.example.net/shop",
    ],
)
def test_valid_uris_pass_the_check(uri: str) -> None:
    assert load_settings(environ={**PRODUCTION, "MONGODB_URI": uri})["MONGODB_DB"] == (
        "shop"
    )


def test_dotenv_is_read_only_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("MONGODB_DB=from_parent\nLOG_LEVEL=DEBUG\n")
    child = tmp_path / "project"
    child.mkdir()
    monkeypatch.chdir(child)
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delenv("MONGODB_DB", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    settings = load_settings()
    assert settings["MONGODB_DB"] == DEFAULT_DATABASE
    assert settings["LOG_LEVEL"] == "INFO"
    (child / ".env").write_text("MONGODB_DB=from_project\n")
    assert load_settings()["MONGODB_DB"] == "from_project"


def test_an_unset_app_env_says_it_means_production() -> None:
    with pytest.raises(ConfigError, match="APP_ENV is unset, which means production"):
        load_settings(environ={})
    with pytest.raises(ConfigError) as raised:
        load_settings({"APP_ENV": "production"}, environ={})
    assert "APP_ENV is unset" not in str(raised.value)


def test_dotenv_cannot_turn_production_into_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        f"SECRET_KEY={STRONG}\nMONGODB_URI=mongomock://localhost/x\n"
    )
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    # Production (the default) does not read .env at all.
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        load_settings()


@pytest.mark.parametrize("app_env", ["development", "production"])
def test_dotenv_may_not_choose_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_env: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(f"APP_ENV={app_env}\n")
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(ConfigError, match="APP_ENV must not be set in"):
        load_settings()


def test_the_flask_command_may_not_use_a_dotenv_from_above(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flask command loads the nearest .env, searching upwards, before the app
    exists; the app refuses to start when that file is not in this directory."""
    (tmp_path / ".env").write_text("MONGODB_DB=from_parent\n")
    child = tmp_path / "project"
    child.mkdir()
    monkeypatch.chdir(child)
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # what the flask command sets
    monkeypatch.delenv("FLASK_SKIP_DOTENV", raising=False)
    with pytest.raises(ConfigError, match="the flask command loaded") as raised:
        load_settings()
    assert str(tmp_path / ".env") in str(raised.value)
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    load_settings()
    monkeypatch.delenv("FLASK_SKIP_DOTENV")
    (child / ".env").write_text("")
    load_settings()
