"""Data migrations: applied in order once, recorded, under the schema lease."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from pymongo.database import Database

from {{ cookiecutter.package_name }} import lease, migrations, schema
from {{ cookiecutter.package_name }}.db import get_client
from {{ cookiecutter.package_name }}.lease import COLLECTION as LEASES
from {{ cookiecutter.package_name }}.migrations import COLLECTION, Migration


@pytest.fixture
def fresh(app: Flask) -> Iterator[Database[Any]]:
    """A database nobody has upgraded yet, on the test backend; dropped after."""
    with app.app_context():
        client = get_client()
    name = f"mig_{uuid.uuid4().hex[:12]}"
    yield client[name]
    client.drop_database(name)


class Recorder:
    """Migrations that note each run, optionally slowly or failing."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self._lock = threading.Lock()

    def step(self, name: str, seconds: float = 0, fail: bool = False) -> Migration:
        def up(db: Database[Any]) -> None:
            with self._lock:
                self.runs.append(name)
            time.sleep(seconds)
            db.marks.update_one({"_id": name}, {"$set": {"done": True}}, upsert=True)
            if fail:  # a duplicate key: an OperationFailure on every backend
                db.marks.insert_one({"_id": name})

        return Migration(name, up)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    steps = [recorder.step("v0001_first"), recorder.step("v0002_second")]
    monkeypatch.setattr(migrations, "discover", lambda: list(steps))
    return recorder


def test_the_shipped_migrations_are_found_in_order() -> None:
    found = [migration.name for migration in migrations.discover()]
    assert found == sorted(found)
    assert found[0] == "v0001_backfill_name_keys"


def test_upgrade_applies_migrations_in_order_and_records_them(
    fresh: Database[Any], recorder: Recorder
) -> None:
    lines: list[str] = []
    schema.upgrade(fresh, report=lines.append)
    assert recorder.runs == ["v0001_first", "v0002_second"]
    assert lines[-2:] == [
        "migration v0001_first: applied",
        "migration v0002_second: applied",
    ]
    # After the indexes and the validators.
    assert all(not line.startswith("migration") for line in lines[:-2])
    assert set(migrations.applied(fresh)) == {"v0001_first", "v0002_second"}


def test_a_second_upgrade_runs_nothing_again(
    fresh: Database[Any], recorder: Recorder
) -> None:
    schema.upgrade(fresh)
    lines: list[str] = []
    schema.upgrade(fresh, report=lines.append)
    assert recorder.runs == ["v0001_first", "v0002_second"]
    assert "migration v0002_second: present" in lines


def test_a_failing_migration_stops_the_upgrade_unrecorded(
    fresh: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    steps = [recorder.step("v0001_bad", fail=True), recorder.step("v0002_after")]
    monkeypatch.setattr(migrations, "discover", lambda: steps)
    with pytest.raises(schema.UpgradeError, match=r"^migration v0001_bad failed: "):
        schema.upgrade(fresh)
    assert recorder.runs == ["v0001_bad"]
    assert migrations.applied(fresh) == {}
    assert fresh[LEASES].count_documents({}) == 0  # the lock was released
    status, complete = schema.status(fresh)
    assert "migration v0001_bad: pending" in status
    assert not complete


def test_two_upgrades_at_once_apply_each_migration_once(
    fresh: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease, "POLL_SECONDS", 0.02)  # the waiters retry often
    recorder = Recorder()
    steps = [recorder.step("v0001_slow", seconds=0.05), recorder.step("v0002_next")]
    monkeypatch.setattr(migrations, "discover", lambda: steps)
    errors: list[Exception] = []

    def deploy() -> None:
        try:
            schema.upgrade(fresh, wait_seconds=30)
        except Exception as error:  # the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=deploy) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert recorder.runs == ["v0001_slow", "v0002_next"]
    assert fresh[COLLECTION].count_documents({}) == 2


def test_a_stale_lock_from_a_crashed_deploy_does_not_block_migrations(
    fresh: Database[Any], recorder: Recorder
) -> None:
    expired = datetime.now(UTC) - timedelta(seconds=1)
    fresh[LEASES].insert_one(
        {"_id": schema.LEASE_NAME, "owner": "crashed-deploy", "expires_at": expired}
    )
    schema.upgrade(fresh, wait_seconds=0)
    assert recorder.runs == ["v0001_first", "v0002_second"]


def test_a_live_lock_makes_the_upgrade_wait_and_run_nothing(
    fresh: Database[Any], recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease, "POLL_SECONDS", 0.01)  # several tries in the wait
    later = datetime.now(UTC) + timedelta(seconds=60)
    fresh[LEASES].insert_one(
        {"_id": schema.LEASE_NAME, "owner": "other-deploy", "expires_at": later}
    )
    with pytest.raises(schema.UpgradeError, match="other-deploy"):
        schema.upgrade(fresh, wait_seconds=0.05)
    assert recorder.runs == []


def test_the_backfill_gives_unkeyed_items_a_key_and_is_idempotent(
    fresh: Database[Any],
) -> None:
    fresh.items.insert_many(
        [{"name": "Café Noir"}, {"name": "kept", "name_key": "kept"}, {"other": 1}]
    )
    [backfill] = [m for m in migrations.discover() if "backfill" in m.name]
    backfill.up(fresh)
    backfill.up(fresh)
    keys = {doc.get("name"): doc.get("name_key") for doc in fresh.items.find()}
    assert keys["kept"] == "kept"
    assert keys["Café Noir"] not in (None, "Café Noir")
    assert keys[None] is None  # nothing to key: left for a person to look at


def test_flask_db_status_lists_migrations_and_exits_1_while_pending(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        get_client()  # the in-memory backend upgrades itself on first use
    recorder = Recorder()
    monkeypatch.setattr(
        migrations,
        "discover",
        lambda: [recorder.step("v0001_backfill_name_keys"), recorder.step("v0099_new")],
    )
    result = runner.invoke(args=["db", "status"])
    lines = result.output.splitlines()
    assert "index items.name_key_unique (name_key: 1) unique: present" in lines
    assert "migration v0099_new: pending" in lines
    assert result.exit_code == 1
    assert lines[-1] == "Error: the schema is behind: run `flask db upgrade`"
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "status"])
    assert result.exit_code == 0, result.output
    assert any(
        line.startswith("migration v0099_new: applied 20")
        for line in result.output.splitlines()
    )


def test_a_misnamed_migration_module_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    (tmp_path / "add_flags.py").write_text("def up(db):\n    pass\n")
    monkeypatch.setattr(migrations, "__path__", [str(tmp_path)])
    with pytest.raises(RuntimeError, match=r"add_flags\.py: a migration is named"):
        migrations.discover()
