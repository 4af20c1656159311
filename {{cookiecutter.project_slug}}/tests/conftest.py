"""Fixtures shared by every test.

By default each app gets its own in-memory mongomock database. Set
``TEST_MONGODB_URI`` (for example ``mongodb://localhost:27017``) and the same
tests run against that server instead, each app on a fresh database that is
dropped afterwards. A live database is set up exactly as a deploy sets one up, by
``schema.upgrade``; an in-memory one sets itself up when its client is made.

pytest-flask provides ``client`` (a ``FlaskClient`` for the ``app`` below). Its
request context for every test that uses ``app`` is switched off (see
``_push_request_context``): a test that calls app code outside a request asks
for ``app_context``, so what it needs is in its signature. Helpers that tests
import live in ``support.py`` and ``outage.py``; nothing imports this module.
"""

from __future__ import annotations

import gc
import os
import time
import uuid
from collections.abc import Generator, Iterator
from typing import Any

import pymongo.common
import pytest
{%- if cookiecutter.auth != "none" %}
from credentials import AuthenticatedClient{% if cookiecutter.auth == "api_key" %}, auth_settings{% endif %}
{%- endif %}
from flask import Flask
from flask.ctx import AppContext
from flask.testing import FlaskClient
{%- if cookiecutter.auth == "jwt" %}
from jwks import JwksServer
{%- endif %}
from outage import DownClient
from pymongo.database import Database
from pymongo.errors import ServerSelectionTimeoutError
from support import UNREACHABLE_URI, AppFactory, Stock

from {{ cookiecutter.package_name }} import create_app, schema
from {{ cookiecutter.package_name }} import db as db_module
from {{ cookiecutter.package_name }}.config import DEFAULT_RATE_LIMITS
from {{ cookiecutter.package_name }}.db import (
    close_db,
    deploy_database,
    get_client,
    get_db,
)
{%- if cookiecutter.auth == "jwt" %}
from {{ cookiecutter.package_name }}.jwt_tokens import init_app as reset_key_set
{%- endif %}
from {{ cookiecutter.package_name }}.logs import configure_logging

LIVE_URI = os.environ.get("TEST_MONGODB_URI", "")


# A full collection walks every object that outlived the freeze below (the apps
# shared_app keeps for the session among them), about 40 ms each time; by
# default one runs after every 10 collections of the middle generation, 9 times
# a run. Cycles are still found by the younger generations as they go.
FULL_COLLECTION_EVERY = 100


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session) -> Generator[None, object, object]:
    """No garbage collection while the suite is imported and collected, then
    none over what lives for the whole run.

    Collecting makes a great many objects and hardly any garbage, and each full
    collection walks all of them again (0.3 s of a run, measured). Afterwards the
    libraries, test modules and test items stay until the end: frozen, they are
    left out, and full collections come less often. What garbage collecting made
    is frozen with them rather than looked for first: a full collection here took
    0.2-0.3 s to find about 12,000 objects (measured), memory the run can spare.
    The collector is back on however collection ends (an error, or a plugin that
    collects elsewhere).
    """
    gc.disable()
    try:
        return (yield)
    finally:
        gc.freeze()
        gc.enable()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """How many workers ``-n auto`` (pyproject.toml) starts: pytest-xdist's
    count (one per CPU) for the whole suite, none for a run that names its tests.

    Each worker imports and collects everything first, about 0.8 s of CPU: the
    whole suite repays that (0.7 s less on two CPUs, measured), a file or one
    test does not (0.5 s alone, 1.0 s with two workers).
    """
    if config.args_source is pytest.Config.ArgsSource.TESTPATHS:
        return None
    return 0


def build_app(**overrides: Any) -> Flask:
    """A test app, on its own database (not yet set up)."""
{%- if cookiecutter.auth == "none" %}
    return create_app(
{%- else %}
    app = create_app(
{%- endif %}
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "MONGODB_URI": LIVE_URI or "mongomock://localhost",
            "MONGODB_DB": f"test_{uuid.uuid4().hex[:12]}",
            "MONGODB_SERVER_SELECTION_TIMEOUT_MS": 2000,
            # Off unless a test turns them on (Flask-Limiter's advice for
            # testing): with them on, every request counts itself in the
            # database, and an outage test meets the limiter's 503 before the
            # route's. Tests of the documented 429s use DEFAULT_RATE_LIMITS.
            "RATE_LIMITS": "",
{%- if cookiecutter.auth == "api_key" %}
            **auth_settings(),
{%- endif %}
            **overrides,
        }
    )
{%- if cookiecutter.auth != "none" %}
    app.test_client_class = AuthenticatedClient
    return app
{%- endif %}


def set_up_database(app: Flask) -> None:
    """A live database is set up as a deploy does; an in-memory one by itself."""
    if LIVE_URI and app.config["MONGODB_URI"] == LIVE_URI:
        with app.app_context(), deploy_database() as database:
            schema.upgrade(database)


def tear_down_database(app: Flask) -> None:
    """Drop a live database and close the app's client (in-memory data goes too)."""
    if LIVE_URI and app.config["MONGODB_URI"] == LIVE_URI:
        with app.app_context():
            get_client().drop_database(app.config["MONGODB_DB"])
    close_db(app)


@pytest.fixture
def make_app({% if cookiecutter.auth == "jwt" %}jwks: JwksServer{% endif %}) -> Iterator[AppFactory]:
{%- if cookiecutter.auth != "none" %}
    """Build apps with settings overridden; each is cleaned up after the test.

    Their test clients call with the ``writer`` credential (credentials.py).
    """
{%- else %}
    """Build apps with settings overridden; each is cleaned up after the test."""
{%- endif %}
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
{%- if cookiecutter.auth == "jwt" %}
        app = build_app(**{**jwks.settings(), **overrides})
{%- else %}
        app = build_app(**overrides)
{%- endif %}
        apps.append(app)
        set_up_database(app)
        return app

    yield factory
    for app in apps:
        tear_down_database(app)


{% if cookiecutter.auth == "jwt" -%}
@pytest.fixture(scope="session")
def jwks_server() -> Iterator[JwksServer]:
    """The test identity provider, on loopback, for the whole session."""
    server = JwksServer()
    yield server
    server.stop()


@pytest.fixture
def jwks(jwks_server: JwksServer) -> JwksServer:
    """The test identity provider, serving ``key-1``, up and answering."""
    jwks_server.reset()
    return jwks_server


{% endif -%}
@pytest.fixture(scope="session")
def built_apps() -> dict[str, Flask]:
    """The apps ``shared_app`` built, by settings, kept for the whole session."""
    return {}


@pytest.fixture
def shared_app(built_apps: dict[str, Flask]{% if cookiecutter.auth == "jwt" %}, jwks: JwksServer{% endif %}) -> Iterator[AppFactory]:
    """Like ``make_app``, but each set of settings is built once per session.

    Building an app costs milliseconds (Werkzeug compiles every route), most of
    what setting up a test costs. Each test gets a shared app as a new one would
    be: a new client on an empty database, logging as the app configures it, and
    its settings restored afterwards. Only for tests that change an app in no
    other way (no routes, handlers or extensions of their own): those build their
    own with ``make_app``.{% if cookiecutter.auth == "jwt" %} A shared app gets a new key set each time, as
    a new app has: nothing fetched from the identity provider yet (the tests
    rotate its keys and count the fetches).{% endif %}
    """
    handed: list[tuple[Flask, dict[str, Any]]] = []

    def factory(**overrides: Any) -> Flask:
{%- if cookiecutter.auth == "jwt" %}
        overrides = {**jwks.settings(), **overrides}
{%- endif %}
        key = repr(sorted(overrides.items()))
        if key not in built_apps:
            built_apps[key] = build_app(**overrides)
        app = built_apps[key]
{%- if cookiecutter.auth == "jwt" %}
        reset_key_set(app)
{%- endif %}
        settings = dict(app.config)
        configure_logging(settings["LOG_LEVEL"], settings["LOG_FORMAT"])
        set_up_database(app)
        handed.append((app, settings))
        return app

    yield factory
    for app, settings in reversed(handed):
        app.config.clear()
        app.config.update(settings)
        tear_down_database(app)


@pytest.fixture
def app(shared_app: AppFactory) -> Flask:
    """The app under test, with the default test settings; pytest-flask's
    ``client`` fixture uses it."""
    return shared_app()


@pytest.fixture
def _push_request_context() -> None:
    """Stands in for pytest-flask's autouse fixture of this name, which pushes a
    request context for each test that uses ``app``.

    No test leans on that context, and pushing it cost about 0.15 ms a test,
    0.1-0.2 s a run (measured). Without it, a test that needs a context
    fails until it asks for one (``app_context``) instead of passing by accident.
    """


@pytest.fixture
def limited_app(shared_app: AppFactory) -> Flask:
    """The app under test with the rate limits a deploy has by default: for
    tests of what a deploy documents and serves (its 429s, the contract)."""
    return shared_app(RATE_LIMITS=DEFAULT_RATE_LIMITS)


@pytest.fixture
def app_context(app: Flask) -> Iterator[AppContext]:
    """An app context for calling app code outside a request (get_db, the CLI).

    Not for tests that also send requests with ``client``: pytest-flask's client
    keeps each request's context until its next request, and the two would pop
    each other's. Through the client, a request brings its own context.
    """
    with app.app_context() as context:
        yield context


@pytest.fixture
def whole_rate_window() -> None:
    """Rate-limit windows are aligned to the clock: a test that counts against an
    hourly limit never starts in an hour's last seconds, where its requests could
    be split across two windows."""
    left = 3600 - time.time() % 3600
    if left < 10:
        time.sleep(left + 0.1)


@pytest.fixture
def db(app: Flask) -> Database[Any]:
    """The test app's database (indexes made), to read or arrange data directly.

    A pymongo ``Database`` needs no app context once it is made, so none is left
    pushed: a test that calls the app's own functions asks for ``app_context``.
    """
    with app.app_context():
        return get_db()


@pytest.fixture
def prompt_server_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client gives up on an unreachable server when its timeout says, not later.

    pymongo checks a server again no sooner than ``MIN_HEARTBEAT_INTERVAL``
    (0.5 s) after the last check, so it waits at least that long for one that
    refuses connections, however short the timeout. pymongo's own test suite
    lowers that floor (its ``client_knobs``); a test that waits for a real
    outage does the same, so the timeout it sets is the wait it proves.
    """
    monkeypatch.setattr(pymongo.common, "MIN_HEARTBEAT_INTERVAL", 0.02)


@pytest.fixture
def outage(monkeypatch: pytest.MonkeyPatch) -> DownClient:
    """The database is down: every client made from now on fails at once.

    It raises ServerSelectionTimeoutError unless a test sets ``outage.error``.
    """
    down = DownClient(ServerSelectionTimeoutError)
    monkeypatch.setattr(db_module, "connect", lambda uri, options: down)
    return down


@pytest.fixture
def offline_app(shared_app: AppFactory, outage: DownClient) -> Flask:
    """An app whose database is down; its operations fail without waiting."""
    return shared_app(MONGODB_URI=UNREACHABLE_URI)


@pytest.fixture(scope="module")
def stock() -> Stock:
    """One stock per test module: its first test makes the items, the rest reuse."""
    return Stock()


@pytest.fixture
def item(client: FlaskClient) -> dict[str, Any]:
    """One stored item, created through the API."""
    response = client.post("/api/items", json={"name": "Widget", "quantity": 3})
    assert response.status_code == 201
    created: dict[str, Any] = response.get_json()
    return created
