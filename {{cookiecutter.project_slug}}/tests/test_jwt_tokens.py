"""JWTs (jwt_tokens.py): rotation, attacks, and a provider that is down or hangs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from credentials import token
from cryptography.hazmat.primitives import serialization
from flask import Flask
from jwks import AUDIENCE, ISSUER, KEYS, JwksServer, sign

from {{ cookiecutter.package_name }} import jwt_tokens
from {{ cookiecutter.package_name }}.config import ConfigError

ITEMS = "/api/items"


def status(app: Flask, bearer_token: str) -> int:
    headers = {"Authorization": f"Bearer {bearer_token}"}
    return app.test_client().get(ITEMS, headers=headers).status_code


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def claims_of(name: str = "writer") -> dict[str, Any]:
    return {"sub": name, "scope": "read write"}


def test_a_good_token_is_accepted(app: Flask) -> None:
    assert status(app, token("writer")) == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "someone-else"},
        {"aud": ["someone-else", "another"]},
        {"iss": "https://evil.example.test"},
        {"iss": ISSUER + "/"},
        {"sub": ""},
        {"sub": 42},
    ],
)
def test_a_token_for_another_audience_issuer_or_nobody_is_401(
    app: Flask, changes: dict[str, Any]
) -> None:
    assert status(app, sign({**claims_of(), **changes})) == 401


def test_an_expired_token_is_401_within_leeway_it_passes(make_app: Any) -> None:
    app = make_app(JWT_LEEWAY_SECONDS=30)
    assert status(app, sign(claims_of(), lifetime=timedelta(seconds=-60))) == 401
    assert status(app, sign(claims_of(), lifetime=timedelta(seconds=-5))) == 200


@pytest.mark.parametrize("missing", ["exp", "aud", "iss", "sub"])
def test_a_token_without_a_required_claim_is_401(app: Flask, missing: str) -> None:
    claims = {**claims_of(), "iss": ISSUER, "aud": AUDIENCE, "exp": time.time() + 60}
    del claims[missing]
    encoded = jwt.encode(
        claims, KEYS["key-1"].private, algorithm="RS256", headers={"kid": "key-1"}
    )
    assert status(app, encoded) == 401


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_an_unsigned_token_is_401(app: Flask, alg: str) -> None:
    claims = {**claims_of(), "iss": ISSUER, "aud": AUDIENCE, "exp": time.time() + 60}
    assert status(app, unsigned(claims, {"alg": alg, "kid": "key-1"})) == 401


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_with_the_public_key_as_secret_is_401(app: Flask, alg: str) -> None:
    pem = serialization.Encoding.PEM
    public = (
        KEYS["key-1"]
        .private.public_key()
        .public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    claims = {**claims_of(), "iss": ISSUER, "aud": AUDIENCE, "exp": time.time() + 60}
    header = {"alg": alg, "kid": "key-1", "typ": "JWT"}
    signing_input = ".".join(unsigned(claims, header).split(".")[:2])
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384}.get(alg, hashlib.sha512)
    signature = hmac.new(public, signing_input.encode(), digest).digest()
    encoded = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert status(app, f"{signing_input}.{encoded}") == 401


def test_a_token_signed_by_another_key_under_a_known_kid_is_401(
    app: Flask,
) -> None:
    forged = jwt.encode(
        {**claims_of(), "iss": ISSUER, "aud": AUDIENCE, "exp": time.time() + 60},
        KEYS["key-2"].private,
        algorithm="RS256",
        headers={"kid": "key-1"},
    )
    assert status(app, forged) == 401


@pytest.mark.parametrize("bad", ["a.b.c", "....", "e30.e30.", "x" * 300])
def test_garbage_is_401(app: Flask, bad: str) -> None:
    assert status(app, bad) == 401


def test_a_rotated_key_is_fetched_when_its_kid_first_appears(
    app: Flask, jwks: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert status(app, sign(claims_of(), kid="key-1")) == 200
    jwks.published = ["key-1", "key-2"]
    monkeypatch.setattr(jwt_tokens, "COOLDOWN_SECONDS", 0.0)
    assert status(app, sign(claims_of(), kid="key-2")) == 200
    assert jwks.fetches == 2


def test_made_up_kids_do_not_make_the_service_hammer_the_provider(
    app: Flask, jwks: JwksServer
) -> None:
    statuses = [status(app, sign(claims_of(), kid="key-2")) for _ in range(5)]
    assert statuses == [401] * 5
    assert jwks.fetches == 1


def test_when_the_provider_is_down_known_keys_work_and_unknown_kids_are_503(
    app: Flask, jwks: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert status(app, sign(claims_of(), kid="key-1")) == 200
    jwks.mode = "down"
    monkeypatch.setattr(jwt_tokens, "COOLDOWN_SECONDS", 0.0)
    assert status(app, sign(claims_of(), kid="key-1")) == 200
    response = app.test_client().get(
        ITEMS, headers={"Authorization": f"Bearer {sign(claims_of(), kid='key-2')}"}
    )
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json()["error"]["status"] == 503


def test_a_hanging_provider_times_out_and_never_stalls_known_keys(
    make_app: Any, jwks: JwksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(JWT_JWKS_TIMEOUT_SECONDS=1)
    assert status(app, sign(claims_of(), kid="key-1")) == 200
    jwks.mode = "hang"
    monkeypatch.setattr(jwt_tokens, "COOLDOWN_SECONDS", 0.0)
    unknown: list[int] = []
    started = time.monotonic()
    waiting = threading.Thread(
        target=lambda: unknown.append(status(app, sign(claims_of(), kid="key-2")))
    )
    waiting.start()
    time.sleep(0.2)  # the unknown kid's fetch is now hanging
    known_started = time.monotonic()
    assert status(app, sign(claims_of(), kid="key-1")) == 200
    assert time.monotonic() - known_started < 0.9  # did not wait for the fetch
    waiting.join(timeout=8)
    assert unknown == [503]
    assert time.monotonic() - started < 4  # the fetch gave up after ~1 s


def test_scopes_come_from_the_configured_claim(make_app: Any) -> None:
    app = make_app(JWT_SCOPES_CLAIM="permissions")
    as_list = sign({"sub": "svc", "permissions": ["read"]})
    assert status(app, as_list) == 200
    assert status(app, sign({"sub": "svc", "scope": "read"})) == 403
    assert status(app, sign({"sub": "svc", "permissions": "read write"})) == 200
    assert status(app, sign({"sub": "svc", "permissions": {"read": True}})) == 403


@pytest.mark.parametrize("algorithms", ["none", "HS256", "RS256,HS256", "", "rs256"])
def test_unsafe_algorithms_cannot_be_configured(make_app: Any, algorithms: str) -> None:
    with pytest.raises(ConfigError, match="JWT_ALGORITHMS"):
        make_app(JWT_ALGORITHMS=algorithms)


@pytest.mark.parametrize("name", ["JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS_URL"])
def test_production_needs_the_provider_settings(make_app: Any, name: str) -> None:
    with pytest.raises(ConfigError, match=name):
        make_app(
            APP_ENV="production",
            MONGODB_URI="mongodb://db.example.net/app",
            **{name: ""},
        )


@pytest.mark.parametrize("url", ["ftp://x/jwks", "file:///etc/passwd", "jwks.json"])
def test_the_jwks_url_must_be_http(make_app: Any, url: str) -> None:
    with pytest.raises(ConfigError, match="JWT_JWKS_URL"):
        make_app(JWT_JWKS_URL=url)


def test_concurrent_first_requests_wait_for_the_first_fetch(app: Flask) -> None:
    statuses: list[int] = []
    start = threading.Barrier(6)

    def call() -> None:
        start.wait()
        statuses.append(status(app, token("writer")))

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert statuses == [200] * 6
