from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer


def test_a_request_without_a_cookie_builds_no_signer(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    interface: Any = app.session_interface
    built: list[URLSafeTimedSerializer | None] = []
    original = interface.get_signing_serializer

    def counting(app: Flask) -> URLSafeTimedSerializer | None:
        built.append(original(app))
        return built[-1]

    monkeypatch.setattr(interface, "get_signing_serializer", counting)
    assert client.get("/healthz").status_code == 200
    assert built == []


def test_sessions_still_work_when_a_view_uses_them(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()

    @app.get("/test/remember")
    def remember() -> str:
        session["seen"] = "yes"
        return ""

    @app.get("/test/recall")
    def recall() -> str:
        return str(session.get("seen"))

    client = app.test_client()
    assert client.get("/test/recall").get_data(as_text=True) == "None"
    assert "Set-Cookie" in client.get("/test/remember").headers
    assert client.get("/test/recall").get_data(as_text=True) == "yes"
