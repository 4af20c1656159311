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
from typing import Any

from pymongo.database import Database
from pymongo.errors import OperationFailure

from . import indexes
from .lease import COLLECTION, LeaseHeldError, LeaseLostError, hold

LEASE_NAME = "schema"
LEASE_SECONDS = 300.0
WAIT_SECONDS = 120.0


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
    steps = [build_indexes]
    try:
        with hold(
            db[COLLECTION], LEASE_NAME, seconds=lease_seconds, wait=wait_seconds
        ) as lease:
            for step in steps:
                step(db, report)
                lease.renew()
    except (LeaseHeldError, LeaseLostError) as error:
        raise UpgradeError(str(error)) from error
