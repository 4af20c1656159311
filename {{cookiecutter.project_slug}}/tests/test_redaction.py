from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask

from {{ cookiecutter.package_name }}.redaction import redact_uris, scrub

PASSWORD = "hunter2-Secret"


@pytest.mark.parametrize(
    "message",
    [
        f"{PASSWORD} is not a valid read preference",
        f'Bad database name "x{PASSWORD}/db"',
        f"Port must be an integer: '{PASSWORD.upper()}'",
        f"escaped: {PASSWORD.replace('-', '%2D')}",
    ],
)
def test_scrub_hides_everything_a_message_copied_from_the_secret(message: str) -> None:
    uri = f"mongodb://user:{PASSWORD.replace('-', '%2D')}@host/db"
    scrubbed = scrub(message, uri)
    assert "***" in scrubbed
    for start in range(len(PASSWORD) - 3):
        assert PASSWORD[start : start + 4].casefold() not in scrubbed.casefold()


def test_scrub_keeps_what_the_secret_does_not_hold() -> None:
    assert scrub("Port must be an integer", "mongodb://u:pw@host/db") == (
        "Port must be an integer"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mongodb://u:pw@h:1/db", "mongodb://***@h:1/db"),
        (
            "at mongodb+srv://u:p@w@c.example.net/db now",
            "at mongodb+srv://***@c.example.net/db now",
        ),
        ("MONGODB://U:PW@H/db", "MONGODB://***@H/db"),
        ("mongomock://u:pw@localhost/x", "mongomock://***@localhost/x"),
        ("mongodb://h/db and mongodb://u:p@h", "mongodb://h/db and mongodb://***@h"),
        ("no uri here", "no uri here"),
    ],
)
def test_redact_uris_hides_user_and_password(text: str, expected: str) -> None:
    assert redact_uris(text) == expected


def test_log_lines_and_tracebacks_never_show_uri_credentials(
    shared_app: Callable[..., Flask], capsys: pytest.CaptureFixture[str]
) -> None:
    shared_app()  # configures the stdout handler
    log = logging.getLogger("{{ cookiecutter.package_name }}.test")
    log.error("cannot reach %s", f"mongodb://app:{PASSWORD}@db.example.net/shop")
    try:
        raise RuntimeError(f"failed: mongodb+srv://app:{PASSWORD}@c.example.net/x")
    except RuntimeError:
        log.exception("unexpected")
    out = capsys.readouterr().out
    assert "mongodb://***@db.example.net/shop" in out
    assert "mongodb+srv://***@c.example.net/x" in out
    assert PASSWORD not in out
