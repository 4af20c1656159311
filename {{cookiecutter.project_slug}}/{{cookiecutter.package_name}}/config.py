"""Settings from the environment, checked once when the app is built.

Every setting has one name, used in the environment, in ``.env`` and in
``app.config``. A mistake stops the app at start-up with a message naming the
setting, instead of surfacing as a confusing error on the first request.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from dotenv import find_dotenv, load_dotenv

ENVIRONMENTS = ("development", "testing", "production")
SCHEMES = ("mongodb", "mongodb+srv", "mongomock")
IN_MEMORY_URI = "mongomock://localhost/{{ cookiecutter.database_name }}"
MIN_SECRET_LENGTH = 32
WEAK_SECRETS = frozenset(
    {"changeme", "change-me", "default", "dev", "development", "password", "secret"}
)
DATABASE_FORBIDDEN = frozenset('/\\. "$*<>:|?\0')
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message names it."""


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be text, got {value!r}")
    return value.strip()


def _integer(name: str, value: Any, minimum: int = 0) -> int:
    message = f"{name} must be a whole number, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(message)
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(message) from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    return number


def _positive(name: str, value: Any) -> int:
    return _integer(name, value, minimum=1)


def _flag(name: str, value: Any) -> bool:
    words = {"1": True, "true": True, "yes": True}
    words |= {"0": False, "false": False, "no": False}
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in words:
        return words[word]
    raise ConfigError(f"{name} must be true or false, got {value!r}")


DEFAULTS: dict[str, tuple[Any, Callable[[str, Any], Any]]] = {
    "APP_ENV": ("production", _text),
    "SECRET_KEY": ("", _text),
    "MONGODB_URI": ("", _text),
    "MONGODB_DB": ("", _text),
    "MONGODB_APPNAME": ("{{ cookiecutter.project_slug }}", _text),
    "MONGODB_SERVER_SELECTION_TIMEOUT_MS": (3000, _positive),
    "MONGODB_CONNECT_TIMEOUT_MS": (3000, _positive),
    "MONGODB_SOCKET_TIMEOUT_MS": (10000, _positive),
    "MONGODB_MAX_POOL_SIZE": (50, _positive),
    "MAX_CONTENT_LENGTH": (1024 * 1024, _positive),
    "RETRY_AFTER_SECONDS": (5, _positive),
    "API_PAGE_SIZE": (20, _positive),
    "API_MAX_PAGE_SIZE": (100, _positive),
    "API_DOCS_ENABLED": (True, _flag),
{%- if cookiecutter.include_files %}
    "FILES_MAX_SIZE": (100 * 1024 * 1024, _positive),
    "FILES_CACHE_SECONDS": (3600, _integer),
{%- endif %}
    "LOG_LEVEL": ("INFO", _text),
}


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Merge defaults, the environment and ``overrides``, then check the result.

    ``.env`` is read only outside testing and production: tests must not depend on
    a developer's file, and production takes its settings from the real
    environment. Variables already set in the environment win over ``.env``.
    Keys of ``overrides`` that are not settings pass through to ``app.config``.
    """
    overrides = dict(overrides or {})
    if environ is None:
        app_env = overrides.get("APP_ENV", os.environ.get("APP_ENV"))
        if app_env not in ("testing", "production"):
            load_dotenv(find_dotenv(usecwd=True), override=False)
        environ = os.environ

    settings: dict[str, Any] = {}
    for name, (default, parse) in DEFAULTS.items():
        raw = overrides.pop(name, environ.get(name, default))
        settings[name] = parse(name, raw)
    settings.update(overrides)
    _check(settings)
    return settings


def _check(settings: dict[str, Any]) -> None:
    app_env = settings["APP_ENV"]
    if app_env not in ENVIRONMENTS:
        raise ConfigError(
            f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {app_env!r}"
        )
    production = app_env == "production"
    settings["TESTING"] = app_env == "testing"

    secret = settings["SECRET_KEY"]
    if production and not secret:
        raise ConfigError("SECRET_KEY is required in production")
    if production and (len(secret) < MIN_SECRET_LENGTH or secret in WEAK_SECRETS):
        raise ConfigError(
            f"SECRET_KEY is too weak for production: use at least "
            f"{MIN_SECRET_LENGTH} random characters"
        )
    if not secret:
        settings["SECRET_KEY"] = secrets.token_urlsafe(48)

    uri = settings["MONGODB_URI"]
    if not uri:
        if production:
            raise ConfigError("MONGODB_URI is required in production")
        uri = settings["MONGODB_URI"] = IN_MEMORY_URI
    scheme = uri.partition("://")[0]
    if "://" not in uri or scheme not in SCHEMES:
        raise ConfigError(
            f"MONGODB_URI must start with mongodb://, mongodb+srv:// or "
            f"mongomock://, got a URI with scheme {scheme!r}"
        )
    settings["MONGODB_DB"] = database_name(uri, settings["MONGODB_DB"])

    if settings["API_PAGE_SIZE"] > settings["API_MAX_PAGE_SIZE"]:
        raise ConfigError("API_PAGE_SIZE must not be larger than API_MAX_PAGE_SIZE")
    level = settings["LOG_LEVEL"] = settings["LOG_LEVEL"].upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")


def database_name(uri: str, explicit: str) -> str:
    """The database to use: MONGODB_DB if set, else the one the URI names.

    The path of the URI is read without parsing the rest, so a mongodb+srv URI is
    not resolved through DNS here (pymongo does that when the client is made).
    """
    name = explicit or urlsplit(uri).path.lstrip("/")
    if not name:
        raise ConfigError(
            "MONGODB_DB is not set and MONGODB_URI names no database: "
            "set MONGODB_DB or end the URI with /<database>"
        )
    bad = sorted(DATABASE_FORBIDDEN & set(name))
    if bad or len(name.encode()) >= 64:
        raise ConfigError(
            f"MONGODB_DB {name!r} is not a valid MongoDB database name: "
            'shorter than 64 bytes, without any of / \\ . space " $ * < > : | ?'
        )
    return name
