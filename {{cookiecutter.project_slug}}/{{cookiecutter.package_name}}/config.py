"""Settings from the environment, checked once when the app is built.

Every setting has one name, used in the environment, in ``.env`` and in
``app.config``. A mistake stops the app at start-up with a message naming the
setting, instead of surfacing as a confusing error on the first request. No
message ever shows a secret: not ``SECRET_KEY``, and nothing of ``MONGODB_URI``.

``APP_ENV`` comes from the real environment only and defaults to production, so
no file can turn a production start into a development one. ``.env`` is read in
development only, and only from the current directory (the project directory in
every command of the README), never from a directory above it.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from dotenv import dotenv_values, find_dotenv
from flask.helpers import get_load_dotenv
from limits import parse_many
from pymongo.uri_parser import parse_uri

from . import cluster
{% if cookiecutter.auth == "api_key" -%}
from .api_keys import ApiKey, ApiKeyError, parse_keys
{% endif -%}
from .redaction import scrub

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
DEFAULT_DATABASE = "{{ cookiecutter.database_name }}"
DEFAULT_APPNAME = "{{ cookiecutter.project_slug }}"
# One budget per client across the API; tests that check the documented 429s
# name it, since test apps run without limits unless a test turns them on.
DEFAULT_RATE_LIMITS = "600/minute"
IN_MEMORY_URI = f"mongomock://localhost/{DEFAULT_DATABASE}"
DOTENV = ".env"
MIN_SECRET_LENGTH = 32
# What a guesser needs, estimated by secret_bits(); 128 random bits is the goal,
# and the estimate is pessimistic for short hex secrets (token_hex(16) ~ 110).
MIN_SECRET_BITS = 96
DATABASE_FORBIDDEN = frozenset('/\\. "$*<>:|?\0')
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# Options only a mongodb+srv:// URI may carry; dropped when its structure is
# checked as a mongodb:// URI, so the check needs no DNS.
SRV_ONLY_OPTIONS = ("srvservicename", "srvmaxhosts", "srvallowedhostssuffix")

# Settings of the main connection only: the deploy step, and the list itself.
CONNECTION_ONLY_MAIN = frozenset({"MONGODB_DEPLOY_URI", "MONGODB_CONNECTIONS"})

Parser = Callable[[str, Any], Any]


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message names it."""


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        # The type only: the value may be a secret.
        raise ConfigError(f"{name} must be text, got {type(value).__name__}")
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


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = _text(name, value).lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ConfigError(f"{name} must be true or false, got {value!r}")
    return word in TRUE_WORDS


def _log_format(name: str, value: Any) -> str:
    """json, text, or empty (derived_settings picks one for the environment)."""
    log_format = _text(name, value).lower()
    if log_format and log_format not in LOG_FORMATS:
        raise ConfigError(
            f"{name} must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}"
        )
    return log_format


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
def _environment_name(name: str, value: Any) -> str:
    app_env = _text(name, value)
    if app_env not in ENVIRONMENTS:
        raise ConfigError(
            f"{name} must be one of {', '.join(ENVIRONMENTS)}, got {app_env!r}"
        )
    return app_env


def _log_level(name: str, value: Any) -> str:
    level = _text(name, value).upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{name} must be one of {', '.join(LOG_LEVELS)}")
    return level


def _flag(name: str, value: Any) -> bool:
    """Flask's reading of FLASK_DEBUG: anything but empty, 0, false or no is on."""
    if isinstance(value, bool):
        return value
    text = _text(name, value).lower()
    return bool(text) and text not in ("0", "false", "no")


def _cluster(parse: Parser) -> Parser:
    def checked(name: str, value: Any) -> Any:
        try:
            return parse(name, value)
        except cluster.ClusterSettingError as error:
            raise ConfigError(str(error)) from None

    return checked


# Every setting: name -> (default, parser). The parser turns the raw value (text
# from the environment, or anything from overrides) into the setting's type.
SETTINGS: dict[str, tuple[Any, Parser]] = {
    "APP_ENV": ("production", _environment_name),
    "SECRET_KEY": ("", _text),
    "MONGODB_URI": ("", _text),
    "MONGODB_DB": ("", _text),
    "MONGODB_APPNAME": (DEFAULT_APPNAME, _text),
    "MONGODB_SERVER_SELECTION_TIMEOUT_MS": (3000, _positive),
    "MONGODB_CONNECT_TIMEOUT_MS": (3000, _positive),
    "MONGODB_SOCKET_TIMEOUT_MS": (10000, _positive),
    "MONGODB_MAX_POOL_SIZE": (50, _positive),
    "MONGODB_TIMEOUT_MS": (5000, _positive),
    "MONGODB_DEPLOY_URI": ("", _text),
    "MONGODB_CONNECTIONS": ("", _text),
    # Read preference, write concern, TLS CA file...: empty means "as the URI says".
    **{name: ("", _cluster(parse)) for name, parse in cluster.PARSERS.items()},
    "SCHEMA_CHECK_SECONDS": (30, _integer),
    "MAX_CONTENT_LENGTH": (1024 * 1024, _positive),
    "RETRY_AFTER_SECONDS": (5, _positive),
    "API_PAGE_SIZE": (20, _positive),
    "API_MAX_PAGE_SIZE": (100, _positive),
    "API_DOCS_ENABLED": (True, _boolean),
{%- if cookiecutter.include_files %}
    "FILES_MAX_SIZE": (100 * 1024 * 1024, _positive),
    "FILES_CACHE_SECONDS": (3600, _integer),
{%- endif %}
    "LOG_LEVEL": ("INFO", _log_level),
    # Flask's own switch for the interactive debugger (``flask run --debug`` sets
    # it); app.config["DEBUG"] follows it, and production refuses it.
    "FLASK_DEBUG": (False, _flag),
    # json or text; empty: json in production, text elsewhere.
    "LOG_FORMAT": ("", _log_format),
    "MONGODB_SLOW_COMMAND_MS": (100, _integer),
    "METRICS_ENABLED": (True, _boolean),
    "METRICS_TOKEN": ("", _text),
    # Set: metrics are served on this port by gunicorn.conf.py, not at /metrics.
    "METRICS_PORT": (0, _integer),
    "OTEL_EXPORTER_OTLP_ENDPOINT": ("", _text),
    "OTEL_SERVICE_NAME": (DEFAULT_APPNAME, _text),
    "RATE_LIMITS": (DEFAULT_RATE_LIMITS, _rate_limits),
    "PROXY_FIX_HOPS": (0, _integer),
    "CORS_ORIGINS": ("", _origins),
{%- if cookiecutter.auth != "none" %}
    "AUTH_DOCS_PUBLIC": (True, _boolean),
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

    ``environ`` defaults to the process environment, plus ``./.env`` when APP_ENV
    is development (variables already set win over the file). Keys of
    ``overrides`` that are not settings pass through to ``app.config``.
    """
    overrides = dict(overrides or {})
    if environ is None:
        environ = process_environment(overrides.get("APP_ENV"))
    app_env_chosen = "APP_ENV" in overrides or bool(environ.get("APP_ENV"))

    settings: dict[str, Any] = {}
    for name, (default, parse) in SETTINGS.items():
        settings[name] = parse(name, overrides.pop(name, environ.get(name, default)))
    settings.update(overrides)
    try:
        _refuse_unsafe(settings)
    except ConfigError as error:
        if not app_env_chosen:
            raise ConfigError(
                f"{error} (APP_ENV is unset, which means production; "
                "set APP_ENV=development to develop)"
            ) from None
        raise
    settings.update(derived_settings(settings))
    _check_connections(settings, environ)
    return settings


def process_environment(app_env: str | None = None) -> dict[str, str]:
    """``os.environ``, plus ``./.env`` in development.

    The decision uses APP_ENV from ``app_env`` or the real environment, never from
    the file (which may not set it): a ``.env`` left in a project directory cannot
    turn production (the default) into development. The file is read from the
    current directory only.
    """
    _refuse_dotenv_loaded_from_above()
    environ = dict(os.environ)
    app_env = app_env or environ.get("APP_ENV", "").strip()
    if app_env == "testing":  # tests never depend on a developer's file
        return environ
    path = Path.cwd() / DOTENV
    values = dotenv_values(path, encoding="utf-8") if path.is_file() else {}
    if "APP_ENV" in values:
        raise ConfigError(
            f"APP_ENV must not be set in {path}: set it in the environment "
            "(APP_ENV=development for development; unset is production)"
        )
    if app_env == "development":
        for key, value in values.items():
            if value is not None:
                environ.setdefault(key, value)
    return environ


def _refuse_dotenv_loaded_from_above() -> None:
    """Stop if the ``flask`` command loaded a .env from a directory above this one.

    The ``flask`` command (Flask's own feature, not this service's) loads the
    nearest ``.flaskenv`` and ``.env``, searching upwards, before the app is
    built. A file above the project may hold another project's settings.
    """
    if os.environ.get("FLASK_RUN_FROM_CLI") != "true" or not get_load_dotenv():
        return
    here = Path.cwd().resolve()
    for name in (".flaskenv", DOTENV):
        found = find_dotenv(name, usecwd=True)
        if found and Path(found).resolve().parent != here:
            raise ConfigError(
                f"the flask command loaded {found}, which is outside {here}: "
                f"create {here / name} (it may be empty), or set FLASK_SKIP_DOTENV=1"
            )


def _refuse_unsafe(settings: Mapping[str, Any]) -> None:
    """Raise ConfigError for a setting, or a combination, that must not run."""
    production = settings["APP_ENV"] == "production"
    uri = settings["MONGODB_URI"]
    if production:
        _refuse_for_production(settings)
    if uri:
        check_uri(uri)
        if production and uri.startswith("mongomock://"):
            raise ConfigError(
                "MONGODB_URI selects mongomock, the in-memory development database "
                "that loses every write: production needs a MongoDB server"
            )
    deploy_uri = settings["MONGODB_DEPLOY_URI"]
    if deploy_uri and not deploy_uri.startswith(("mongodb://", "mongodb+srv://")):
        # The URI is not echoed: it carries the deploy password.
        raise ConfigError(
            "MONGODB_DEPLOY_URI must start with mongodb:// or mongodb+srv://"
        )
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


def _refuse_for_production(settings: Mapping[str, Any]) -> None:
    secret = settings["SECRET_KEY"]
    if not secret:
        raise ConfigError("SECRET_KEY is required in production")
    if len(secret) < MIN_SECRET_LENGTH or secret_bits(secret) < MIN_SECRET_BITS:
        raise ConfigError(
            f"SECRET_KEY is too weak for production: use at least "
            f"{MIN_SECRET_LENGTH} random characters, for example "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if not settings["MONGODB_URI"]:
        raise ConfigError("MONGODB_URI is required in production")
    if settings["FLASK_DEBUG"]:
        raise ConfigError(
            "FLASK_DEBUG (or flask --debug) is on: its interactive debugger runs "
            "any code a visitor sends, so production refuses it"
        )
    command = click.get_current_context(silent=True)
    if command is not None and command.command.name == "run":
        raise ConfigError(
            "flask run starts Werkzeug's development server (with --debugger, its "
            "interactive debugger too): production is served by gunicorn"
        )


def secret_bits(secret: str) -> float:
    """A pessimistic estimate of the bits a guesser must find in ``secret``.

    Each character is worth log2 of the number of distinct characters the secret
    uses, except characters a guesser predicts for free: one that repeats or
    continues a step (``aaaa``, ``abcd``, ``2468``), and one that ends a run of
    four already seen (the second ``password`` in ``passwordpassword``).
    """
    alphabet = len(set(secret))
    if alphabet < 2:
        return 0.0
    surprising = 0
    for i, char in enumerate(secret):
        steps = i >= 2 and (
            ord(char) - ord(secret[i - 1]) == ord(secret[i - 1]) - ord(secret[i - 2])
        )
        repeat = i >= 1 and char == secret[i - 1]
        seen = i >= 3 and secret[i - 3 : i + 1] in secret[:i]
        if not (steps or repeat or seen):
            surprising += 1
    return surprising * math.log2(alphabet)


def check_uri(uri: str) -> None:
    """Refuse a URI pymongo would refuse, saying why without repeating any of it.

    pymongo's parser is used as is, so the rules are pymongo's. A mongodb+srv://
    URI is checked as a mongodb:// one plus its own rule (one host, no port),
    because resolving it needs DNS, which is the client's job at run time.
    """
    scheme, separator, rest = uri.partition("://")
    if not separator or scheme not in SCHEMES:
        raise ConfigError(
            "MONGODB_URI must start with mongodb://, mongodb+srv:// or mongomock://"
        )
    srv = scheme == "mongodb+srv"
    if srv:
        rest = _without_srv_options(rest)
    try:
        parsed = parse_uri("mongodb://" + rest, default_port=None if srv else 27017)
    except Exception as error:  # pymongo raises ValueError and its own errors
        reason = scrub(str(error), uri)
        raise ConfigError(
            f"MONGODB_URI is not a valid MongoDB URI ({reason}); user names and "
            "passwords must be percent-encoded (urllib.parse.quote_plus)"
        ) from None
    if srv and (len(parsed["nodelist"]) != 1 or parsed["nodelist"][0][1] is not None):
        raise ConfigError(
            "MONGODB_URI: a mongodb+srv:// URI names exactly one host, without a port"
        )


def _without_srv_options(rest: str) -> str:
    head, question, options = rest.partition("?")
    kept = [
        option
        for option in options.replace(";", "&").split("&")
        if option and option.split("=", 1)[0].lower() not in SRV_ONLY_OPTIONS
    ]
    return head + (question + "&".join(kept) if kept else "")


def derived_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings that follow from the checked ones: flags, and what was left empty."""
    app_env = settings["APP_ENV"]
    uri = settings["MONGODB_URI"] or IN_MEMORY_URI
    return {
        "TESTING": app_env == "testing",
        "DEBUG": settings["FLASK_DEBUG"] and app_env != "production",
        # Development and testing get a throw-away key; production has its own.
        "SECRET_KEY": settings["SECRET_KEY"] or secrets.token_urlsafe(48),
        "MONGODB_URI": uri,
        "MONGODB_DB": database_name(uri, settings["MONGODB_DB"]),
        "LOG_FORMAT": settings["LOG_FORMAT"]
        or ("json" if app_env == "production" else "text"),
    }


def _check_connections(settings: dict[str, Any], environ: Mapping[str, str]) -> None:
    """Each named connection's settings, read under its prefix (as Flask-PyMongo's
    ``config_prefix``): ``MONGODB_CONNECTIONS=reports`` reads ``REPORTS_MONGODB_URI``
    (required), ``REPORTS_MONGODB_DB``, ``REPORTS_MONGODB_MAX_POOL_SIZE``... Its own
    URI means its own client and pool; a setting it does not set is the main
    connection's (timeouts, cluster settings), except the database name.
    """
    names = [part.strip() for part in settings["MONGODB_CONNECTIONS"].split(",")]
    names = [name for name in names if name]
    for name in names:
        if not (name.isascii() and name.isidentifier() and name.islower()):
            raise ConfigError(
                f"MONGODB_CONNECTIONS names lowercase identifiers, got {name!r}"
            )
        prefix = name.upper() + "_"
        for setting, (_, parse) in SETTINGS.items():
            if not setting.startswith("MONGODB_") or setting in CONNECTION_ONLY_MAIN:
                continue
            key = prefix + setting
            raw = settings.get(key, environ.get(key))
            if raw is not None:
                settings[key] = parse(key, raw)
            elif setting == "MONGODB_URI":
                raise ConfigError(f"{key} is required (MONGODB_CONNECTIONS: {name})")
            else:
                settings[key] = "" if setting == "MONGODB_DB" else settings[setting]
        try:
            check_uri(settings[prefix + "MONGODB_URI"])
            settings[prefix + "MONGODB_DB"] = database_name(
                settings[prefix + "MONGODB_URI"], settings[prefix + "MONGODB_DB"]
            )
        except ConfigError as error:
            message = str(error).replace("MONGODB_", prefix + "MONGODB_")
            raise ConfigError(message) from None
    settings["MONGODB_CONNECTIONS"] = tuple(names)


def database_name(uri: str, explicit: str) -> str:
    """The database to use: MONGODB_DB if set, else the one the URI names.

    The URI's path is read with pymongo's parser (as a mongodb:// URI, so a
    mongodb+srv URI is not resolved through DNS here; the client does that).
    """
    if explicit:
        name, source = explicit, f"MONGODB_DB {explicit!r}"
    else:
        rest = _without_srv_options(uri.partition("://")[2])
        name = parse_uri("mongodb://" + rest, default_port=None)["database"] or ""
        source = "the database named in MONGODB_URI"  # never echoed: the URI is secret
    if not name:
        raise ConfigError(
            "MONGODB_DB is not set and MONGODB_URI names no database: "
            "set MONGODB_DB or end the URI with /<database>"
        )
    if DATABASE_FORBIDDEN & set(name) or len(name.encode()) >= 64:
        raise ConfigError(
            f"{source} is not a valid MongoDB database name: shorter than "
            '64 bytes, without any of / \\ . space " $ * < > : | ?'
        )
    return name
