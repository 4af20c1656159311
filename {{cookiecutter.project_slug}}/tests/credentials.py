"""The credentials tests call with, and a test client that sends one by default.

Every test client of a test app is an ``AuthenticatedClient`` acting as
``writer`` (read and write), so tests of other things need not think about
auth; tests of auth pass ``headers=bearer(...)`` or ``ANONYMOUS``.
"""

from __future__ import annotations

{% if cookiecutter.auth == "api_key" -%}
import secrets
{% endif -%}
from typing import Any

from flask.testing import FlaskClient
{%- if cookiecutter.auth == "api_key" %}

from {{ cookiecutter.package_name }}.api_keys import setting_entry
{%- else %}
from jwks import sign
{%- endif %}

# Each test caller and its scopes.
CALLERS = {
    "writer": ("read", "write"),
    "reader": ("read",),
    "admin": ("read", "write", "admin"),
    "other": ("read", "write"),
    "scopeless": (),
}
# An Authorization header that is no credential at all: werkzeug sends it as is.
ANONYMOUS = {"Authorization": ""}
{%- if cookiecutter.auth == "api_key" %}
KEYS = {name: f"test_{secrets.token_urlsafe(32)}" for name in CALLERS}


def token(name: str) -> str:
    return KEYS[name]


def auth_settings() -> dict[str, Any]:
    """The ``API_KEYS`` setting that lets every test caller in (scopeless: none)."""
    entries = [
        setting_entry(name, scopes, KEYS[name])
        for name, scopes in CALLERS.items()
        if scopes
    ]
    return {"API_KEYS": ",".join(entries)}
{%- else %}


def token(name: str, **claims: Any) -> str:
    """A token for test caller ``name``, signed with the current test key."""
    return sign({"sub": name, "scope": " ".join(CALLERS[name]), **claims})
{%- endif %}


def bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(name)}"}


class AuthenticatedClient(FlaskClient):
    """A test client that calls as ``writer`` unless a request says otherwise."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token('writer')}"
