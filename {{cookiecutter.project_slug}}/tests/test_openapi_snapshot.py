"""The served API keeps every promise of the committed openapi.json.

A change that would break a client (see openapi_diff.py) fails here until the
snapshot is rewritten on purpose with ``flask --app <package> openapi write``,
so the change shows up in review as a diff of openapi.json. A change that only
adds passes, with a note to refresh the snapshot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_diff import compare

SNAPSHOT = Path(__file__).resolve().parents[1] / "openapi.json"
REFRESH = "flask --app {{ cookiecutter.package_name }} openapi write"


def served(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def test_the_api_keeps_every_promise_of_the_snapshot(
    limited_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    """The snapshot is written with a deploy's defaults, rate limits (429s) on."""
    assert SNAPSHOT.is_file(), f"{SNAPSHOT} is missing: run `{REFRESH}`, commit it"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    now = served(limited_app.test_client())
    changes = compare(committed, now)
    broken = "\n".join(f"  {change}" for change in changes if change.breaking)
    assert not broken, (
        f"The API changed in ways that break clients:\n{broken}\n"
        f"If that is intended, run `{REFRESH}` and commit openapi.json."
    )
    if committed != now:
        added = "".join(f"\n  {change}" for change in changes) or " prose only"
        with capsys.disabled():
            print(f"\nopenapi.json is behind the API (nothing breaks):{added}")
            print(f"Refresh it with `{REFRESH}` and commit it.")


def test_the_write_command_writes_the_served_document(
    limited_app: Flask, tmp_path: Path
) -> None:
    output = tmp_path / "openapi.json"
    result = limited_app.test_cli_runner().invoke(
        args=["openapi", "write", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert json.loads(text) == served(limited_app.test_client())
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
