"""API keys: secrets kept in settings as SHA-256 hashes, never in the database.

``API_KEYS`` lists ``name:scopes:sha256hex`` entries separated by commas, scopes
joined by ``+`` (``ci:read+write:9f86d0...``): only letters, digits, ``_ - : + ,``,
so the value needs no quoting in a shell, in ``.env`` or in a container's
environment. Keys live in settings so they work on the in-memory development
backend and rotate (add the new one, deploy, drop the old) without touching data.

A key is 32 random bytes, so one unsalted SHA-256 is enough: nothing can be
guessed from the hash. The hash of the presented key is compared with every
stored hash by ``hmac.compare_digest`` (constant time, no early exit), so the
answer's timing tells nothing about how close a guess was. The key itself is
never logged or stored; only its name is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask, current_app

from .auth import IDENTIFY, SCOPES, Caller

PREFIX = "{{ cookiecutter.package_name.replace('_', '')[:8] }}_"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DIGEST = re.compile(r"[0-9a-f]{64}")


class ApiKeyError(ValueError):
    """An ``API_KEYS`` entry is malformed; the message says which and how."""


@dataclass(frozen=True)
class ApiKey:
    """One stored key: its name, its scopes and the SHA-256 of the secret."""

    name: str
    scopes: frozenset[str]
    digest: bytes


def digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


def parse_keys(text: str) -> tuple[ApiKey, ...]:
    """``API_KEYS`` as ``ApiKey``s; ``ApiKeyError`` names the bad entry."""
    keys: list[ApiKey] = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, scopes, hexdigest = [*entry.split(":"), "", ""][:3]
        shown = f"{name}:{scopes}:..."
        if entry.count(":") != 2 or not NAME.fullmatch(name):
            raise ApiKeyError(f"entry {shown!r} must be name:scope+scope:sha256hex")
        wanted = frozenset(scopes.split("+"))
        if not scopes or not wanted <= set(SCOPES):
            allowed = "+".join(SCOPES)
            raise ApiKeyError(f"entry {shown!r}: scopes must be from {allowed}")
        if not DIGEST.fullmatch(hexdigest):
            raise ApiKeyError(f"entry {shown!r}: the hash must be 64 lower-case hex")
        if any(key.name == name for key in keys):
            raise ApiKeyError(f"entry {shown!r}: the name {name!r} is used twice")
        keys.append(ApiKey(name, wanted, bytes.fromhex(hexdigest)))
    return tuple(keys)


def identify(token: str) -> Caller | None:
    """The caller whose key this is, or None; every stored hash is compared."""
    presented = digest(token)
    found: ApiKey | None = None
    for key in current_app.config["API_KEYS"]:
        if hmac.compare_digest(presented, key.digest):
            found = key
    return Caller(found.name, found.scopes) if found else None


def new_key() -> str:
    """A fresh key: a recognisable prefix (secret scanners) and 32 random bytes."""
    return PREFIX + secrets.token_urlsafe(32)


def setting_entry(name: str, scopes: Any, key: str) -> str:
    """The ``API_KEYS`` entry for ``key``: what goes into the environment."""
    return f"{name}:{'+'.join(sorted(scopes))}:{digest(key).hex()}"


@click.command("create-api-key")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(SCOPES),
    default=("read", "write"),
    show_default=True,
    help="Repeat for several scopes.",
)
def create_api_key_command(name: str, scopes: tuple[str, ...]) -> None:
    """Make a new API key; it is printed once and stored nowhere."""
    if not NAME.fullmatch(name):
        raise click.BadParameter(
            "letters, digits, '_', '.', '-' (at most 64)", param_hint="NAME"
        )
    key = new_key()
    click.echo(f"API key (shown once, store it now): {key}")
    click.echo("Add this entry to API_KEYS (comma-separated) in the environment:")
    click.echo(setting_entry(name, scopes, key))


def init_app(app: Flask) -> None:
    app.extensions[IDENTIFY] = identify
    app.cli.add_command(create_api_key_command)
