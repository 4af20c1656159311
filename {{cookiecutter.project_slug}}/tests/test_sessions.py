"""Sessions: opened without a signer when there is no cookie, as Flask's otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from support import AppFactory


@pytest.fixture
def session_app(make_app: AppFactory) -> Flask:
    """The app with two views that write and read the session (none ships)."""
    app = make_app()

    def remember(value: str) -> dict[str, Any]:
        session["value"] = value
        return {}

    def recall() -> dict[str, Any]:
        return {"value": session.get("value")}

    app.add_url_rule("/test/remember/<value>", view_func=remember, methods=["POST"])
    app.add_url_rule("/test/recall", view_func=recall)
    return app


def test_a_request_without_a_cookie_builds_no_signer(
    session_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the signer was built for a request with no cookie")

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", refuse)
    for path in ("/healthz", "/api/items", "/test/recall", "/no-such-page"):
        response = session_app.test_client().get(path)
        assert response.status_code < 500, path
        assert "Set-Cookie" not in response.headers, path


@pytest.mark.parametrize("value", ["plain", "ünïcode", "a;b=c", 'quote"s', "x" * 1000])
def test_a_session_written_by_one_request_is_read_by_the_next(
    session_app: Flask, value: str
) -> None:
    client = session_app.test_client()
    written = client.post(f"/test/remember/{value}")
    assert "session=" in written.headers["Set-Cookie"]
    assert client.get("/test/recall").get_json() == {"value": value}


@pytest.mark.parametrize(
    "cookie", ["", "garbage", "eyJ2YWx1ZSI6ImZvcmdlZCJ9.Zm9v.YmFy", "a" * 4000, "%00"]
)
def test_a_forged_or_broken_cookie_gives_an_empty_session(
    session_app: Flask, cookie: str
) -> None:
    client = session_app.test_client()
    client.set_cookie("session", cookie)
    response = client.get("/test/recall")
    assert response.status_code == 200
    assert response.get_json() == {"value": None}


def test_another_cookie_does_not_open_a_session_that_is_not_there(
    session_app: Flask,
) -> None:
    client = session_app.test_client()
    client.set_cookie("theme", "dark")
    assert client.get("/test/recall").get_json() == {"value": None}
