"""Flask's signed-cookie session, opened only when a request brings a cookie.

Flask opens a session for every request: it builds an itsdangerous signer from
SECRET_KEY and parses the Cookie header, about a sixth of the CPU this service
spends on a read by id, for a session an API client almost never has. A request
without a Cookie header gets an empty session at once; one with a cookie is opened
exactly as Flask opens it, and a view that writes to ``session`` works as before.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class LazySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, skipping the signer when there is no cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = LazySessionInterface()
