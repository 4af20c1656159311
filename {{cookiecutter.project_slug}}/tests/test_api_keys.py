"""API keys (api_keys.py): the setting's format and the create-api-key command."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from credentials import KEYS
from flask import Flask

from {{ cookiecutter.package_name }}.api_keys import digest, parse_keys
from {{ cookiecutter.package_name }}.config import ConfigError

HEX = "a" * 64


def test_an_entry_names_a_key_its_scopes_and_its_hash() -> None:
    (key,) = parse_keys(f"ci-bot:read+write:{HEX}")
    assert key.name == "ci-bot"
    assert key.scopes == {"read", "write"}
    assert key.digest == bytes.fromhex(HEX)


def test_several_entries_and_stray_spaces_and_commas() -> None:
    keys = parse_keys(f" a:read:{HEX} ,, b:admin+read:{'b' * 64},")
    assert [key.name for key in keys] == ["a", "b"]


@pytest.mark.parametrize(
    "entry",
    [
        f"noscopes::{HEX}",
        f"bad:read+root:{HEX}",
        f"short:read:{'a' * 63}",
        f"upper:read:{'A' * 64}",
        f"extra:read:{HEX}:more",
        f":read:{HEX}",
        f"sp ace:read:{HEX}",
        "a-key-itself",
        f"dup:read:{HEX},dup:write:{HEX}",
        f"$(rm):read:{HEX}",
    ],
)
def test_a_malformed_entry_stops_the_app_naming_the_setting(
    make_app: Any, entry: str
) -> None:
    with pytest.raises(ConfigError, match="API_KEYS") as raised:
        make_app(API_KEYS=entry)
    assert HEX not in str(raised.value)  # hashes are not echoed back


def test_the_hash_is_plain_sha256_of_the_key() -> None:
    assert digest("k").hex() == hashlib.sha256(b"k").hexdigest()


def test_create_api_key_prints_a_key_once_and_its_entry(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-api-key", "ci", "--scope", "read", "--scope", "write"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    key = lines[0].rsplit(" ", 1)[1]
    entry = lines[-1]
    assert result.output.count(key) == 1
    assert entry == f"ci:read+write:{hashlib.sha256(key.encode()).hexdigest()}"
    # The printed entry works: an app with it accepts the printed key.
    (parsed,) = parse_keys(entry)
    assert parsed.digest == digest(key)


@pytest.mark.parametrize("name", ["", "a b", "a:b", "a,b", "-lead", "x" * 65])
def test_create_api_key_refuses_names_the_setting_could_not_hold(
    app: Flask, name: str
) -> None:
    result = app.test_cli_runner().invoke(args=["create-api-key", name])
    assert result.exit_code != 0


def test_create_api_key_refuses_unknown_scopes(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-api-key", "ci", "--scope", "root"]
    )
    assert result.exit_code != 0


def test_two_keys_never_collide(app: Flask) -> None:
    runner = app.test_cli_runner()
    first, second = (
        runner.invoke(args=["create-api-key", "ci"]).output.splitlines()[0]
        for _ in range(2)
    )
    assert first != second


def test_every_test_key_is_distinct() -> None:
    assert len(set(KEYS.values())) == len(KEYS)
