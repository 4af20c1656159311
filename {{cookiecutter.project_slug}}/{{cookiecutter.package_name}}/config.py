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
from limits import parse_many
{%- if cookiecutter.auth == "api_key" %}

from .api_keys import ApiKey, ApiKeyError, parse_keys
{%- endif %}

{% if cookiecutter.auth == "jwt" -%}
# Signature algorithms a token may use: public-key ones only, so a public key can
# never be used as an HMAC secret and ``none`` is never accepted.
JWT_ALGORITHMS = (
    *("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    *("ES256", "ES384", "ES512", "EdDSA"),
)
{% endif -%}
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


def _rate_limits(name: str, value: Any) -> str:
    """Flask-Limiter's notation, checked now rather than on the first request."""
    text = _text(name, value)
    try:
        parse_many(text) if text else None
    except ValueError:
        raise ConfigError(
            f"{name} must look like '600/minute' or '600/minute;20/second' "
            f"(empty turns limits off), got {text!r}"
        ) from None
    return text


def _origins(name: str, value: Any) -> list[str]:
    """Comma-separated origins such as ``https://app.example.com``; empty: none."""
    if isinstance(value, list | tuple):
        value = ",".join(value)
    origins = [origin.strip() for origin in _text(name, value).split(",")]
    for origin in filter(None, origins):
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ConfigError(
                f"{name} must list origins like https://app.example.com, got {origin!r}"
            )
    return [origin for origin in origins if origin]


def _flag(name: str, value: Any) -> bool:
    words = {"1": True, "true": True, "yes": True}
    words |= {"0": False, "false": False, "no": False}
    if isinstance(value, bool):
        return value
    word = value.strip().lower() if isinstance(value, str) else None
    if word in words:
        return words[word]
    raise ConfigError(f"{name} must be true or false, got {value!r}")


{% if cookiecutter.auth == "api_key" -%}
def _api_keys(name: str, value: Any) -> tuple[ApiKey, ...]:
    """``name:read+write:sha256hex,...`` (api_keys.py); the hashes stay hidden."""
    if isinstance(value, tuple):
        return value
    try:
        return parse_keys(_text(name, value))
    except ApiKeyError as error:
        raise ConfigError(f"{name}: {error}") from None


{% endif -%}
{% if cookiecutter.auth == "jwt" -%}
def _algorithms(name: str, value: Any) -> list[str]:
    """Asymmetric algorithms only: never ``none``, never an HMAC (HS*) one."""
    if isinstance(value, list | tuple):
        value = ",".join(value)
    chosen = [word.strip() for word in _text(name, value).split(",") if word.strip()]
    bad = [word for word in chosen if word not in JWT_ALGORITHMS]
    if bad or not chosen:
        allowed = ", ".join(JWT_ALGORITHMS)
        raise ConfigError(f"{name} must list algorithms from {allowed}, got {value!r}")
    return chosen


{% endif -%}
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
    "RATE_LIMITS": ("600/minute", _rate_limits),
    "PROXY_FIX_HOPS": (0, _integer),
    "CORS_ORIGINS": ("", _origins),
{%- if cookiecutter.auth != "none" %}
    "AUTH_DOCS_PUBLIC": (True, _flag),
{%- endif %}
{%- if cookiecutter.auth == "api_key" %}
    "API_KEYS": ("", _api_keys),
{%- endif %}
{%- if cookiecutter.auth == "jwt" %}
    "JWT_ISSUER": ("", _text),
    "JWT_AUDIENCE": ("", _text),
    "JWT_JWKS_URL": ("", _text),
    "JWT_ALGORITHMS": ("RS256,ES256", _algorithms),
    "JWT_SCOPES_CLAIM": ("scope", _text),
    "JWT_LEEWAY_SECONDS": (30, _integer),
    "JWT_JWKS_TIMEOUT_SECONDS": (2, _positive),
    "JWT_JWKS_CACHE_SECONDS": (300, _positive),
{%- endif %}
{%- if cookiecutter.auth != "none" and cookiecutter.include_files %}
    "FILES_QUOTA_BYTES": (1024 * 1024 * 1024, _positive),
{%- endif %}
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
{%- if cookiecutter.auth == "jwt" %}
    for name in ("JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS_URL"):
        if production and not settings[name]:
            raise ConfigError(f"{name} is required in production")
    jwks = urlsplit(settings["JWT_JWKS_URL"])
    is_web = jwks.scheme in ("http", "https") and bool(jwks.netloc)
    if settings["JWT_JWKS_URL"] and not is_web:
        raise ConfigError("JWT_JWKS_URL must be an https:// (or http://) URL")
    if production and settings["JWT_JWKS_URL"] and jwks.scheme != "https":
        raise ConfigError("JWT_JWKS_URL must be https:// in production")
{%- endif %}
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
