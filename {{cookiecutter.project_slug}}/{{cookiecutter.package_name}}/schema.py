"""Schema setup as a deploy step: ``flask db upgrade``.

Requests never build indexes: a build can fail (duplicates already in the data, a
definition that changed) or take minutes, and neither may turn reads into errors.
The deploy runs ``upgrade`` once, before the new code serves, with a credential
that may build indexes, under a lease (``lease.py``) so two deploys starting
together take turns instead of racing. Each step renews the lease, so later steps
(validators, data migrations) can join the same loop under the same lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database
from pymongo.errors import OperationFailure

from . import indexes, migrations, validators
from .lease import COLLECTION, LeaseHeldError, LeaseLostError, hold

LEASE_NAME = "schema"
LEASE_SECONDS = 300.0
WAIT_SECONDS = 120.0


Step = Callable[[Database[Any], Callable[[str], None]], None]


class UpgradeError(RuntimeError):
    """The upgrade could not finish; the message is one line saying why."""


def _reason(error: OperationFailure) -> str:
    details = error.details or {}
    return str(details.get("errmsg") or error).splitlines()[0]


def build_indexes(db: Database[Any], report: Callable[[str], None]) -> None:
    """Create each declared index that the server lacks; say what was done."""
    absent = set(indexes.missing(db))
    for collection, model in indexes.declared():
        line = indexes.describe(collection, model)
        if line not in absent:
            report(f"index {line}: present")
            continue
        try:
            db[collection].create_indexes([model])
        except OperationFailure as error:
            raise UpgradeError(
                f"index {line} could not be built: {_reason(error)}"
            ) from error
        report(f"index {line}: created")
    # Some servers accept a create that conflicts with an existing index and do
    # nothing: only the server's own list says whether the build took effect.
    still_missing = indexes.missing(db)
    if still_missing:
        raise UpgradeError(
            "index " + "; ".join(still_missing) + " was not built: the server "
            "kept a different index on the same keys (drop it, then upgrade)"
        )


def apply_validators(db: Database[Any], report: Callable[[str], None]) -> None:
    """Set each collection's ``$jsonSchema`` validator (validators.py).

    ``collMod`` on a collection that exists, ``create`` otherwise; both replace
    the validator with the declared one, so running it again changes nothing.
    """
    existing = set(db.list_collection_names())
    for collection, rule in validators.declared().items():
        options: dict[str, Any] = {"validator": rule, "validationLevel": "strict"}
        try:
            if collection in existing:
                db.command({"collMod": collection, **options})
            else:
                db.create_collection(collection, **options)
        except NotImplementedError:
            # mongomock: no validators at all (see the README).
            report(f"validator {collection}: not supported by this backend, skipped")
            continue
        except OperationFailure as error:
            raise UpgradeError(
                f"validator {collection} could not be applied: {_reason(error)}"
            ) from error
        report(f"validator {collection}: applied")


def migration_step(migration: migrations.Migration) -> Step:
    """One data migration as an upgrade step: run it unless it is recorded."""

    def step(db: Database[Any], report: Callable[[str], None]) -> None:
        records = db[migrations.COLLECTION]
        if records.find_one({"_id": migration.name}) is not None:
            report(f"migration {migration.name}: present")
            return
        try:
            migration.up(db)
        except OperationFailure as error:
            raise UpgradeError(
                f"migration {migration.name} failed: {_reason(error)}"
            ) from error
        records.insert_one({"_id": migration.name, "applied_at": datetime.now(UTC)})
        report(f"migration {migration.name}: applied")

    return step


def status(db: Database[Any]) -> tuple[list[str], bool]:
    """What ``upgrade`` would find: a line per index and migration, and whether
    nothing is missing. Validators are not listed: not every server reports them.
    """
    absent = set(indexes.missing(db))
    lines = [
        f"index {line}: {'missing' if line in absent else 'present'}"
        for line in (indexes.describe(c, m) for c, m in indexes.declared())
    ]
    done = migrations.applied(db)
    for migration in migrations.discover():
        when = done.get(migration.name)
        state = "pending" if when is None else f"applied {when:%Y-%m-%d %H:%M:%S}"
        lines.append(f"migration {migration.name}: {state}")
    pending = any(m.name not in done for m in migrations.discover())
    return lines, not absent and not pending


def upgrade(
    db: Database[Any],
    *,
    report: Callable[[str], None] = lambda line: None,
    lease_seconds: float = LEASE_SECONDS,
    wait_seconds: float = WAIT_SECONDS,
) -> None:
    """Bring ``db`` to the declared schema, holding the schema lease throughout.

    Safe to run any number of times: what is already there is left alone. Raises
    UpgradeError with one line when another upgrade holds the lease longer than
    ``wait_seconds`` or a step fails; the lease is released either way.
    """
    try:
        with hold(
            db[COLLECTION], LEASE_NAME, seconds=lease_seconds, wait=wait_seconds
        ) as lease:
            for step in _steps():
                step(db, report)
                lease.renew()
    except (LeaseHeldError, LeaseLostError) as error:
        raise UpgradeError(str(error)) from error


def set_up_private(db: Database[Any]) -> None:
    """Run ``upgrade``'s steps on a database no other client can reach, without
    the lease (the in-memory backend: db.py calls it when it makes the client).

    The lease makes concurrent upgrades of one database take turns. An in-memory
    database lives inside the single client that made it, and db.py makes that
    client under a lock, before any other code can hold it: nothing can contend,
    so there is nothing to take turns with. Taking the lease anyway costs a write
    per step and two more each time a client is made: setting up a mongomock
    database takes 0.7 ms with the lease and 0.4 ms without (measured), paid by
    every test that uses a database. The steps, and so the indexes, validators and
    migrations a deploy would leave, are the same; test_schema.py and
    test_migrations.py hold the lease to its behaviour.
    """
    for step in _steps():
        step(db, _ignore)


def _steps() -> list[Step]:
    steps: list[Step] = [build_indexes, apply_validators]
    return steps + [migration_step(migration) for migration in migrations.discover()]


def _ignore(line: str) -> None:
    """Where a private set-up's report goes: nobody reads it."""
