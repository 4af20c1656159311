from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from pymongo.database import Database
from support import unique_keys

from {{ cookiecutter.package_name }} import lease
from {{ cookiecutter.package_name }}.indexes import missing
from {{ cookiecutter.package_name }}.lease import COLLECTION, Lease

CREATED = "index items.name_key_unique (name_key: 1) unique: created"
PRESENT = "index items.name_key_unique (name_key: 1) unique: present"


def upgrade(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["db", "upgrade", *args])


def test_db_upgrade_builds_every_declared_index(app: Flask, db: Database[Any]) -> None:
    db.items.drop_indexes()
    assert unique_keys(db.items) == []
    result = upgrade(app)
    assert result.exit_code == 0, result.output
    assert CREATED in result.output.splitlines()
    assert unique_keys(db.items) == [[("name_key", 1)]]
    assert missing(db) == []


def test_db_upgrade_is_idempotent_and_says_what_is_there(app: Flask) -> None:
    first, second = upgrade(app), upgrade(app)
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert PRESENT in second.output.splitlines()
    assert "Schema up to date." in second.output


def test_db_upgrade_refuses_duplicates_in_one_line(
    app: Flask, db: Database[Any]
) -> None:
    db.items.drop_indexes()
    db.items.insert_many(
        [{"name_key": "twin"}, {"name_key": "twin"}, {"name_key": "other"}]
    )
    result = upgrade(app)
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(
        "Error: index items.name_key_unique (name_key: 1) unique could not be built: "
    ), result.output
    assert "Traceback" not in result.output
    assert db[COLLECTION].count_documents({}) == 0  # the lock was released


def test_db_upgrade_refuses_a_changed_definition_in_one_line(
    app: Flask, db: Database[Any]
) -> None:
    db.items.drop_indexes()
    # An older definition of the same index: same keys and name, not unique.
    db.items.create_index([("name_key", 1)], name="name_key_unique")
    result = upgrade(app)
    assert result.exit_code == 1
    [line] = [out for out in result.output.splitlines() if out.startswith("Error:")]
    assert line.startswith(
        "Error: index items.name_key_unique (name_key: 1) unique "
    ), line
    assert "Traceback" not in result.output
    assert db[COLLECTION].count_documents({}) == 0


def test_db_upgrade_waits_then_refuses_while_another_upgrade_runs(
    app: Flask, db: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease, "POLL_SECONDS", 0.01)  # several tries in the wait
    other = Lease(db[COLLECTION], "schema", seconds=60, owner="other-deploy")
    assert other.try_acquire()
    started = time.monotonic()
    result = upgrade(app, "--wait", "0.05")
    assert time.monotonic() - started >= 0.05  # it waited before giving up
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "another upgrade holds the 'schema' lock (owner other-deploy" in line
    other.release()
    assert upgrade(app, "--wait", "0").exit_code == 0


def test_db_upgrade_takes_over_a_stale_lock(app: Flask, db: Database[Any]) -> None:
    expired = datetime.now(UTC) - timedelta(seconds=1)
    db[COLLECTION].insert_one(
        {"_id": "schema", "owner": "crashed-deploy", "expires_at": expired}
    )
    result = upgrade(app, "--wait", "0")
    assert result.exit_code == 0, result.output
    assert db[COLLECTION].count_documents({}) == 0


def test_db_upgrade_with_the_database_down_says_so_in_one_line(
    offline_app: Flask,
) -> None:
    result = upgrade(offline_app)
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: the database did not answer")


# The `flask` command pushes an app context for every command; the test runner
# does so only for the commands of an AppGroup (`db`), so this test asks for one.
@pytest.mark.usefixtures("app_context")
def test_seed_inserts_once(app: Flask, db: Database[Any]) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--count", "3"])
    assert first.exit_code == 0, first.output
    assert "Seeded 3 new items" in first.output
    second = runner.invoke(args=["seed", "--count", "3"])
    assert "Seeded 0 new items" in second.output
    assert db.items.count_documents({}) == 3
