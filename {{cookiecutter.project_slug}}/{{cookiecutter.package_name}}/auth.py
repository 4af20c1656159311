"""Who is calling, and what they may do: credentials, scopes and ownership.

Every route needs a bearer credential but the probes, ``/metrics`` (guarded by
its own token or port) and, unless ``AUTH_DOCS_PUBLIC`` is off, the API document
and docs page. Reads (GET, HEAD) need the ``read`` scope, anything else
``write``. No credential, or one that does not verify: 401 with
``WWW-Authenticate: Bearer``. A good credential without the scope: 403.
Objects remember who created them (``created_by``); changing or deleting another
caller's object needs ``admin``, so one leaked write key cannot wipe everyone's data.
{%- if cookiecutter.auth == "api_key" %}
Credentials are API keys (api_keys.py).
{%- else %}
Credentials are JWTs from an identity provider (jwt_tokens.py).
{%- endif %}

The caller is worked out once per request, on first use, and kept in the
request's environ (not on ``g``, which can outlive a request when an app context
is already pushed): the rate limiter (rate_limits.client_key) and the check
below share it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_request_context, request
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

READ, WRITE, ADMIN = "read", "write", "admin"
SCOPES = (READ, WRITE, ADMIN)
SCHEME = "bearerAuth"
# /metrics is not a caller's route: METRICS_TOKEN or METRICS_PORT guards it
# (metrics.py), so a scraper needs no API credential.
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
DOCS_PATHS = frozenset({"/openapi.json", "/docs"})
DOCS_ASSETS = "/docs/"  # the page's script and Swagger UI's files
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CHALLENGE = "Bearer"  # RFC 6750; a realm would only repeat the host
# Where the credential module (api_keys.py or jwt_tokens.py) puts its verifier.
IDENTIFY = "auth.identify"
CALLER, FAILURE = "auth.caller", "auth.failure"  # keys in the request's environ


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a key's name or a token's subject, and its scopes."""

    name: str
    scopes: frozenset[str]


# A bearer token in, its caller out (None: not a valid credential); raises an
# HTTPException when it cannot tell just now (503).
Identify = Callable[[str], "Caller | None"]


class NotAuthenticated(Unauthorized):
    """401 that tells the client which scheme to use (RFC 6750)."""

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [*super().get_headers(*args, **kwargs), ("WWW-Authenticate", CHALLENGE)]


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def required_scope(path: str, method: str) -> str | None:
    """The scope a request needs, or None for the routes anyone may call."""
    if path in OPEN_PATHS:
        return None
    is_docs = path in DOCS_PATHS or path.startswith(DOCS_ASSETS)
    if is_docs and current_app.config["AUTH_DOCS_PUBLIC"]:
        return None
    return READ if method in READ_METHODS else WRITE


def current_caller() -> Caller | None:
    """The verified caller of this request, or None (worked out once per request).

    A credential that cannot be checked just now (the JWKS host is down) is not
    a caller either; ``authenticate`` then answers with the stored error.
    """
    environ = request.environ
    if CALLER not in environ:
        environ[CALLER], environ[FAILURE] = None, None
        token = bearer_token()
        if token is not None:
            try:
                identify: Identify = current_app.extensions[IDENTIFY]
                environ[CALLER] = identify(token)
            except HTTPException as error:
                environ[FAILURE] = error
    caller: Caller | None = environ[CALLER]
    return caller


def authenticate() -> None:
    """Refuse the request unless its caller holds the scope the route needs."""
    if request.method == "OPTIONS":
        return  # CORS preflights carry no credentials
    scope = required_scope(request.path, request.method)
    if scope is None:
        return
    caller = current_caller()
    if caller is None:
        failure: HTTPException | None = request.environ[FAILURE]
        if failure is not None:
            raise failure
        raise NotAuthenticated("Send a valid credential: Authorization: Bearer <key>.")
    if scope not in caller.scopes:
        raise Forbidden(f"This credential lacks the {scope!r} scope.")


def caller_name() -> str:
    """Who is calling, for ``created_by``; "" outside a request (``flask seed``)."""
    caller = current_caller() if has_request_context() else None
    return caller.name if caller is not None else ""


def owned(filter: dict[str, Any]) -> dict[str, Any]:
    """``filter`` narrowed to the caller's own objects, unless the caller is admin."""
    caller = current_caller()
    if caller is not None and ADMIN in caller.scopes:
        return filter
    return {**filter, "created_by": caller_name()}


def not_yours(noun: str) -> Forbidden:
    return Forbidden(f"This {noun} belongs to another caller; that needs 'admin'.")


def init_app(app: Flask) -> None:
    app.before_request(authenticate)
