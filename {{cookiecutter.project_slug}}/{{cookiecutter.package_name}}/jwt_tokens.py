"""JWTs from an identity provider, verified with PyJWT against its JWKS.

A token is accepted only if it is signed by a key the provider publishes at
``JWT_JWKS_URL`` (chosen by the token's ``kid``), with an algorithm from
``JWT_ALGORITHMS`` (public-key ones only: ``none`` and HS* can never be
configured, so a public key can never be replayed as an HMAC secret), for
``JWT_ISSUER`` and ``JWT_AUDIENCE``, not expired (``JWT_LEEWAY_SECONDS`` of
clock skew), with a subject. Its scopes come from ``JWT_SCOPES_CLAIM``.

PyJWT's own ``PyJWKClient`` holds one lock while it fetches the JWKS, so a
hanging provider would stall every request, known keys included. ``KeySet``
keeps the keys in a plain dict that lookups read without any lock; one request
at a time refreshes it, with a short timeout, when a ``kid`` is unknown or the
keys are older than ``JWT_JWKS_CACHE_SECONDS``. If the provider cannot be
reached, known keys keep working and an unknown ``kid`` gets a 503 (we cannot
tell yet), never a 401 and never a pass.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any

import jwt
from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

from .auth import IDENTIFY, Caller

EXTENSION = "jwt_tokens.keys"
MAX_JWKS_BYTES = 1024 * 1024
# After a fetch, an unknown kid does not trigger another one for this long, so
# tokens with made-up kids cannot make the service hammer the provider.
COOLDOWN_SECONDS = 10.0


class KeySet:
    """The provider's public keys by ``kid``, refreshed by one request at a time."""

    def __init__(self, url: str, timeout: float, lifespan: float) -> None:
        self.url, self.timeout, self.lifespan = url, timeout, lifespan
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at = -float("inf")  # last successful fetch (monotonic)
        self.tried_at = -float("inf")  # last attempt, successful or not
        self.failed = False
        self._refreshing = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK | None:
        """The key for ``kid``; None if the provider does not publish it.

        Raises ServiceUnavailable when ``kid`` is unknown and the provider cannot
        be asked just now.
        """
        known = self.keys.get(kid)
        now = time.monotonic()
        if known is not None:
            if now - self.fetched_at > self.lifespan:
                self._refresh(wait=False)  # someone else refreshing: use what we have
            return known
        # Ask the provider unless it was asked moments ago; if a fetch is under
        # way (the first one, say), wait for its answer rather than refuse.
        if now - self.tried_at >= COOLDOWN_SECONDS or self._refreshing.locked():
            self._refresh(wait=True)
        known = self.keys.get(kid)
        if known is None and self.failed:
            raise ServiceUnavailable(
                "The identity provider's keys cannot be fetched. Try again shortly.",
                retry_after=max(int(COOLDOWN_SECONDS), 1),
            )
        return known  # None: the provider was asked moments ago and lacks it

    def _refresh(self, *, wait: bool) -> None:
        # Waiting is bounded by one fetch's timeout; lookups never take this lock.
        if not self._refreshing.acquire(timeout=self.timeout + 1 if wait else 0):
            return
        try:
            if wait and time.monotonic() - self.tried_at < COOLDOWN_SECONDS:
                return  # the fetch we waited for has just answered
            self.tried_at = time.monotonic()
            try:
                self.keys = self._fetch()
            except (OSError, ValueError, jwt.PyJWTError):
                self.failed = True
                current_app.logger.warning("JWKS fetch from %s failed", self.url)
            else:
                self.failed = False
                self.fetched_at = self.tried_at
        finally:
            self._refreshing.release()

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        headers = {"Accept": "application/json"}
        request = urllib.request.Request(self.url, headers=headers)
        # config.py lets only http(s) URLs through.
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            body = response.read(MAX_JWKS_BYTES + 1)
        if len(body) > MAX_JWKS_BYTES:
            raise ValueError("JWKS too large")
        found = jwt.PyJWKSet.from_dict(json.loads(body))
        return {key.key_id: key for key in found.keys if key.key_id}


def scopes_of(claims: dict[str, Any], claim: str) -> frozenset[str]:
    """A space-separated string (OAuth 2.0 ``scope``) or a list of strings."""
    value = claims.get(claim, "")
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


def identify(token: str) -> Caller | None:
    """The token's subject and scopes if it verifies; None otherwise."""
    config = current_app.config
    keyset: KeySet | None = current_app.extensions.get(EXTENSION)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    kid, algorithm = header.get("kid"), header.get("alg")
    if keyset is None or not isinstance(kid, str):
        return None
    if not isinstance(algorithm, str) or algorithm not in config["JWT_ALGORITHMS"]:
        return None
    key = keyset.key(kid)
    if key is None:
        return None
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=[algorithm],
            audience=config["JWT_AUDIENCE"],
            issuer=config["JWT_ISSUER"],
            leeway=config["JWT_LEEWAY_SECONDS"],
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        return None
    return Caller(subject, scopes_of(claims, config["JWT_SCOPES_CLAIM"]))


def init_app(app: Flask) -> None:
    """One key set per app; without a JWKS URL no token verifies (all 401)."""
    app.extensions[IDENTIFY] = identify
    url = app.config["JWT_JWKS_URL"]
    if url:
        app.extensions[EXTENSION] = KeySet(
            url,
            timeout=app.config["JWT_JWKS_TIMEOUT_SECONDS"],
            lifespan=app.config["JWT_JWKS_CACHE_SECONDS"],
        )
