"""Flask's signed-cookie sessions, opened only when a request carries the cookie.

API clients send no session cookie, yet Flask builds a signing serializer (a key
derivation and a trial JSON dump) on every request just to find that out. On a
small read that was about a sixth of the CPU a request costs (measured by the
template's ``bench/run.py``). Skipping it when there is no cookie changes nothing
else: Flask would return the same empty session, and writing to it still signs a
cookie as usual.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionsOnDemand(SecureCookieSessionInterface):
    """Flask's cookie sessions, minus the per-request cost when there is no cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
