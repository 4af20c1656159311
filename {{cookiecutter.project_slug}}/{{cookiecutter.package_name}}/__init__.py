"""The application factory, found by ``flask --app <package> run``.

``create_app`` only wires things together. It reads and checks the settings,
registers the pieces, and returns; it never talks to MongoDB, so importing or
building the app is cheap and safe before a fork (gunicorn ``--preload``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import (
    access_log,
{%- if cookiecutter.auth == "api_key" %}
    api_keys,
{%- endif %}
{%- if cookiecutter.auth != "none" %}
    auth,
{%- endif %}
    cli,
    clients,
    db,
    docs,
    errors,
{%- if cookiecutter.include_files %}
    files_api,
{%- endif %}
    health,
    items,
{%- if cookiecutter.auth == "jwt" %}
    jwt_tokens,
{%- endif %}
    metrics,
    monitoring,
    openapi,
    rate_limits,
    request_ids,
    response_headers,
    sessions,
    tracing,
    transfers,
)
from .config import load_settings
from .converters import ObjectIdConverter
from .json_provider import MongoJSONProvider
from .logs import configure_logging
from .request_limits import Request


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings from the environment (tests)."""
    settings = load_settings(config)
    configure_logging(settings["LOG_LEVEL"], settings["LOG_FORMAT"])

    app = Flask(__name__)
    app.request_class = Request  # bodies over the size limit: 413, even chunked
    app.config.from_mapping(settings)
    app.json = MongoJSONProvider(app)
    sessions.init_app(app)
    # Converters must exist before any route that uses them is registered.
    app.url_map.converters["objectid"] = ObjectIdConverter

    db.init_app(app)
    request_ids.init_app(app)
    access_lines = access_log.init_app(app)
    sink = metrics.PrometheusSink() if settings["METRICS_ENABLED"] else None
    monitoring.init_app(app, sink, timed=access_lines)
    if sink is not None:
        metrics.init_app(app)
    tracing.init_app(app)
    errors.init_app(app)
    clients.init_app(app)
    rate_limits.init_app(app)
{%- if cookiecutter.auth == "api_key" %}
    api_keys.init_app(app)
{%- elif cookiecutter.auth == "jwt" %}
    jwt_tokens.init_app(app)
{%- endif %}
{%- if cookiecutter.auth != "none" %}
    # After the limiter, so refused credentials still count against an address.
    auth.init_app(app)
{%- endif %}
    response_headers.init_app(app)
    cli.init_app(app)
    docs.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(items.bp)
    app.register_blueprint(transfers.bp)
{%- if cookiecutter.include_files %}
    app.register_blueprint(files_api.bp)
{%- endif %}
    openapi.init_app(app)
    return app
