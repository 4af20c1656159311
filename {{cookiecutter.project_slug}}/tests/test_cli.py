from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from pymongo.database import Database
from support import unique_keys

from {{ cookiecutter.package_name }}.db import get_client

# The `flask` command pushes an app context for every command; the test runner
# does not, so these tests ask for one.
pytestmark = pytest.mark.usefixtures("app_context")


def test_init_db_creates_the_unique_index(app: Flask) -> None:
    # get_client, not get_db: get_db would create the indexes itself.
    items = get_client()[app.config["MONGODB_DB"]].items
    assert unique_keys(items) == []
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Indexes ready" in result.output
    assert unique_keys(items) == [[("name_key", 1)]]


def test_init_db_is_idempotent(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0


def test_seed_inserts_once(app: Flask, db: Database[Any]) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--count", "3"])
    assert first.exit_code == 0, first.output
    assert "Seeded 3 new items" in first.output
    second = runner.invoke(args=["seed", "--count", "3"])
    assert "Seeded 0 new items" in second.output
    assert db.items.count_documents({}) == 3
