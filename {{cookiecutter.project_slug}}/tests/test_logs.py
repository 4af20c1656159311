"""Logs: JSON lines or text, one access line per request, nothing secret."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import pytest
from flask import Flask
from pymongo.monitoring import CommandFailedEvent, CommandSucceededEvent
from support import AppFactory

from {{ cookiecutter.package_name }} import monitoring
from {{ cookiecutter.package_name }}.config import ConfigError
from {{ cookiecutter.package_name }}.db import EXTENSION
from {{ cookiecutter.package_name }}.monitoring import CommandMonitor

ACCESS_LOGGER = "{{ cookiecutter.package_name }}.access_log"
MONITORING_LOGGER = "{{ cookiecutter.package_name }}.monitoring"


def json_lines(output: str) -> list[dict[str, Any]]:
    """Every line is one JSON object, or this fails."""
    return [json.loads(line) for line in output.splitlines()]


def access_lines(output: str) -> list[dict[str, Any]]:
    return [line for line in json_lines(output) if line["logger"] == ACCESS_LOGGER]


def monitored(app: Flask) -> bool:
    """mongomock sends no commands, so only a real server's client has events."""
    return not app.extensions[EXTENSION].in_memory


@pytest.fixture
def json_app(shared_app: AppFactory) -> Flask:
    app: Flask = shared_app(LOG_FORMAT="json")
    return app


def test_one_json_access_line_per_request_with_the_route_template(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    client = json_app.test_client()
    created = client.post("/api/items", json={"name": "Logged"}).get_json()
    capsys.readouterr()
    response = client.get(
        f"/api/items/{created['id']}", headers={"X-Request-ID": "r-1"}
    )
    (line,) = access_lines(capsys.readouterr().out)
    assert line["method"] == "GET"
    assert line["route"] == "/api/items/<objectid:item_id>"
    assert created["id"] not in json.dumps(line)
    assert line["status"] == 200
    assert line["response_bytes"] == len(response.data)
    assert line["request_id"] == "r-1"
    assert 0 < line["duration_ms"] < 10_000
    assert line["level"] == "INFO"
    assert line["pid"] > 0


def test_mongodb_figures_are_counted_on_a_server_and_absent_on_mongomock(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    client = json_app.test_client()
    client.get("/api/items")  # indexes made, pool warm
    capsys.readouterr()
    client.get("/api/items")
    client.get("/healthz")
    listed, health = access_lines(capsys.readouterr().out)
    if monitored(json_app):
        assert listed["mongo_commands"] >= 1
        assert 0 < listed["mongo_ms"] <= listed["duration_ms"]
        assert health["mongo_commands"] == 0
        assert health["mongo_ms"] == 0
    else:
        for line in (listed, health):
            assert "mongo_commands" not in line
            assert "mongo_ms" not in line


def test_unmatched_paths_are_logged_as_one_template(
    json_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    client = json_app.test_client()
    capsys.readouterr()
    for path in ("/nope", "/api/items/not-an-id", "/%0d%0aInjected", "/" + "a" * 500):
        assert client.get(path).status_code == 404
    routes = {line["route"] for line in access_lines(capsys.readouterr().out)}
    assert routes == {"<unmatched>"}


def test_text_format_is_for_people(
    shared_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app = shared_app(LOG_FORMAT="text")
    capsys.readouterr()
    app.test_client().get("/healthz", headers={"X-Request-ID": "text-1"})
    (line,) = [
        line for line in capsys.readouterr().out.splitlines() if ACCESS_LOGGER in line
    ]
    assert not line.startswith("{")
    assert "[text-1]" in line
    assert "GET /healthz 200" in line


@pytest.mark.parametrize(
    ("app_env", "expected"),
    [("production", "json"), ("development", "text"), ("testing", "text")],
)
def test_the_default_format_follows_the_environment(
    shared_app: AppFactory, app_env: str, expected: str
) -> None:
    overrides: dict[str, Any] = {"APP_ENV": app_env, "LOG_FORMAT": ""}
    if app_env == "production":
        overrides["MONGODB_URI"] = "mongodb://127.0.0.1:9/db"
{%- if cookiecutter.auth == "jwt" %}
        # Production wants the provider's keys over https.
        overrides["JWT_JWKS_URL"] = "https://issuer.example.net/.well-known/jwks.json"
{%- endif %}
    assert shared_app(**overrides).config["LOG_FORMAT"] == expected


@pytest.mark.parametrize("value", ["xml", "JSONL", "1", "plain text"])
def test_an_unknown_log_format_is_refused_by_name(
    make_app: AppFactory, value: str
) -> None:
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        make_app(LOG_FORMAT=value)


@pytest.mark.usefixtures("prompt_server_checks")
def test_no_secret_body_or_credential_reaches_the_logs(
    shared_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Secrets in settings, bodies, headers, cookies and query strings stay out."""
    secrets = {
        "password": "uri-password-5f3a9",
        "key": "secret-key-9c1e7b2d4a6f8e0c3b5d7f9a1c3e5b7d",
        "body": "body-value-6b2d",
        "token": "bearer-token-0a8c",
        "cookie": "cookie-value-3e7f",
        "query": "query-value-8d4b",
    }
    # The database is down (an outage is logged); its URI carries a password.
    # A real client, so the logged error is pymongo's own; the operation's
    # deadline is short too, or pymongo retries the insert until it passes.
    # Nothing listens on port 9, so any timeout fails: the shortest costs least.
    offline = shared_app(
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
        SECRET_KEY=secrets["key"],
        MONGODB_URI=f"mongodb://admin:{secrets['password']}@127.0.0.1:9/db",
        MONGODB_SERVER_SELECTION_TIMEOUT_MS=20,
        MONGODB_TIMEOUT_MS=20,
    ).test_client()
    online = shared_app(
        LOG_FORMAT="json", LOG_LEVEL="DEBUG", SECRET_KEY=secrets["key"]
    ).test_client()
    for client in (offline, online):
        client.set_cookie("session", secrets["cookie"])
    headers = {"Authorization": f"Bearer {secrets['token']}"}
{%- if cookiecutter.auth != "none" %}
    # The test client's own credential, sent by default, is a secret too.
    authorization = online.environ_base["HTTP_AUTHORIZATION"]
    secrets["credential"] = authorization.removeprefix("Bearer ")
{%- endif %}
    capsys.readouterr()
    replies = [
        # With the caller's own credential, so the request reaches the insert
        # (the outage it logs); the made-up token goes to the online app below.
        offline.post("/api/items", json={"name": secrets["body"]}),
        online.post("/api/items", json={"name": secrets["body"]}),
        online.get(f"/api/items?after={secrets['query']}", headers=headers),
        online.post("/api/items", data=secrets["body"], headers=headers),
        online.post("/api/items", json={"name": 7, "x": secrets["body"]}),
    ]
    assert replies[0].status_code == 503
    assert replies[1].status_code == 201
    output = capsys.readouterr().out
    assert len(access_lines(output)) == len(replies)
    for name, value in secrets.items():
        assert value not in output, name


def fake_succeeded(name: str, milliseconds: float) -> CommandSucceededEvent:
    duration = datetime.timedelta(milliseconds=milliseconds)
    return CommandSucceededEvent(duration, {"ok": 1}, name, 1, ("db", 27017), 1)


def fake_failed(name: str, milliseconds: float) -> CommandFailedEvent:
    duration = datetime.timedelta(milliseconds=milliseconds)
    return CommandFailedEvent(duration, {"ok": 0}, name, 1, ("db", 27017), 1)


def test_a_command_slower_than_the_setting_is_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    monitor = CommandMonitor(slow_ms=50)
    with caplog.at_level(logging.INFO, logger=MONITORING_LOGGER):
        monitor.succeeded(fake_succeeded("find", 49.9))
        monitor.succeeded(fake_succeeded("aggregate", 50))
        monitor.failed(fake_failed("insert", 1200))
    assert [(r.levelname, r.__dict__["mongo_command"]) for r in caplog.records] == [
        ("WARNING", "aggregate"),
        ("WARNING", "insert"),
    ]
    assert "1200.0 ms" in caplog.records[1].getMessage()


def test_a_slow_threshold_of_zero_never_warns(caplog: pytest.LogCaptureFixture) -> None:
    monitor = CommandMonitor(slow_ms=0)
    with caplog.at_level(logging.INFO, logger=MONITORING_LOGGER):
        monitor.succeeded(fake_succeeded("find", 60_000))
    assert caplog.records == []


@pytest.mark.parametrize(
    ("settings", "listeners", "timed"),
    [
        # Everything off: pymongo publishes nothing and no request is timed.
        ({"LOG_LEVEL": "WARNING", "MONGODB_SLOW_COMMAND_MS": "0"}, [], False),
        # Slow-command warnings read every command, but no request's cost.
        ({"LOG_LEVEL": "WARNING"}, ["CommandMonitor"], False),
        # Warnings a level of ERROR would drop are not looked for.
        ({"LOG_LEVEL": "ERROR"}, [], False),
        # Access lines read both.
        (
            {"LOG_LEVEL": "INFO", "MONGODB_SLOW_COMMAND_MS": "0"},
            ["CommandMonitor"],
            True,
        ),
    ],
)
def test_only_what_somebody_reads_is_monitored(
    shared_app: AppFactory,
    settings: dict[str, str],
    listeners: list[str],
    timed: bool,
) -> None:
    app: Flask = shared_app(METRICS_ENABLED="false", **settings)
    installed = app.extensions[EXTENSION].options.get("event_listeners", [])
    assert [type(listener).__name__ for listener in installed] == listeners
    assert (monitoring._begin in app.before_request_funcs.get(None, [])) is timed
    assert (monitoring._end in app.teardown_request_funcs.get(None, [])) is timed


def test_metrics_read_every_command_the_pool_and_each_request(
    shared_app: AppFactory,
) -> None:
    metered: Flask = shared_app(
        METRICS_ENABLED="true", LOG_LEVEL="WARNING", MONGODB_SLOW_COMMAND_MS="0"
    )
    installed = metered.extensions[EXTENSION].options["event_listeners"]
    assert [type(listener).__name__ for listener in installed] == [
        "CommandMonitor",
        "PoolMonitor",
    ]
    assert monitoring._begin in metered.before_request_funcs[None]


def test_an_app_made_at_warning_writes_no_access_line(
    shared_app: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    app: Flask = shared_app(LOG_FORMAT="json", LOG_LEVEL="WARNING")
    capsys.readouterr()
    assert app.test_client().get("/healthz").status_code == 200
    assert access_lines(capsys.readouterr().out) == []
