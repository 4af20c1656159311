"""Moving from Flask-PyMongo: files its save_file stored are served by the bake.

Flask-PyMongo 3 keeps a file's type and SHA-1 at the top level of the GridFS file
document (pymongo 3 kept an MD5 there); the bake's send_file reads them, so the
files keep their type and their ETag, and clients' caches keep validating.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from support.commands import run
from support.environment import clean_env

PACKAGE = "inventory_service"
TEMPLATE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def report(project: Path) -> dict[str, Any]:
    path = os.pathsep.join([str(project), str(TEMPLATE)])
    # No __pycache__ in the shared bake: other tests read every file in it.
    env = clean_env(PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "support.flask_pymongo_files", PACKAGE]
    result = run(command, project, env)
    assert result.returncode == 0, result.stdout + result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("report.pdf", "application/pdf"),
        ("page.html", "text/html"),
        ("data.bin", "application/x-custom"),
    ],
)
def test_a_flask_pymongo_file_keeps_its_type_and_etag(
    report: dict[str, Any], name: str, content_type: str
) -> None:
    entry = report[name]
    ours, theirs = entry["ours"], entry["theirs"]
    assert entry["stored"]["sha1"]  # written by Flask-PyMongo itself
    assert ours["status"] == 200
    assert ours["body"] == theirs["body"]
    assert ours["type"] == content_type
    assert ours["etag"] == theirs["etag"] == f'"{entry["stored"]["sha1"]}"'
    assert ours["nosniff"] == "nosniff"
    assert entry["revalidated"] == 304


def test_a_type_flask_pymongo_could_not_guess_is_served_as_bytes(
    report: dict[str, Any],
) -> None:
    entry = report["notes.unknownext"]
    assert entry["stored"]["contentType"] is None
    assert entry["ours"]["type"] == "application/octet-stream"
    assert entry["ours"]["etag"] == f'"{entry["stored"]["sha1"]}"'


def test_a_stored_type_that_would_split_headers_is_not_sent(
    report: dict[str, Any],
) -> None:
    entry = report["evil.txt"]
    assert "\r\n" in entry["stored"]["contentType"]
    assert entry["ours"]["status"] == 200
    assert entry["ours"]["type"] == "application/octet-stream"


def test_a_pre_flask_pymongo_3_file_is_validated_by_its_md5(
    report: dict[str, Any],
) -> None:
    entry = report["old.txt"]
    assert entry["ours"]["type"] == "text/plain"
    assert entry["ours"]["etag"] == f'"{entry["stored"]["md5"]}"'
    assert entry["revalidated"] == 304
