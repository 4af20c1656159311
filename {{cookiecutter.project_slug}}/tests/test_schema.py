"""schema.upgrade and its lease, on whichever backend the tests run on."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from {{ cookiecutter.package_name }} import lease, schema
from {{ cookiecutter.package_name }}.lease import (
    COLLECTION,
    Lease,
    LeaseLostError,
)


def slow_step(
    spans: list[tuple[float, float]], seconds: float, until: threading.Event
) -> Any:
    """A schema step that takes ``seconds``, or less if ``until`` is set first,
    and records when it ran."""

    def step(db: Database[Any], report: Any) -> None:
        started = time.monotonic()
        until.wait(seconds)
        spans.append((started, time.monotonic()))

    return step


def run_together(db: Database[Any], wait: float, refused: threading.Event) -> list[str]:
    """Two upgrades started at the same moment; what each ended with.

    ``refused`` is set when one of them gives up.
    """
    results: list[str] = []
    barrier = threading.Barrier(2)

    def deploy() -> None:
        barrier.wait()
        try:
            schema.upgrade(db, wait_seconds=wait)
            results.append("done")
        except schema.UpgradeError as error:
            results.append(str(error))
            refused.set()

    threads = [threading.Thread(target=deploy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_upgrades_at_once_take_turns(
    db: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    spans: list[tuple[float, float]] = []
    refused = threading.Event()
    monkeypatch.setattr(lease, "POLL_SECONDS", 0.01)  # the waiter retries sooner
    monkeypatch.setattr(schema, "build_indexes", slow_step(spans, 0.03, refused))
    assert run_together(db, wait=20, refused=refused) == ["done", "done"]
    first, second = sorted(spans)
    assert first[1] <= second[0]  # never at the same time


def test_of_two_upgrades_at_once_one_refuses_when_told_not_to_wait(
    db: Database[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    spans: list[tuple[float, float]] = []
    refused = threading.Event()
    # The first upgrade holds the lease until the second has given up (or ten
    # seconds have passed, if it never does), so the two surely overlap.
    monkeypatch.setattr(schema, "build_indexes", slow_step(spans, 10, refused))
    results = run_together(db, wait=0, refused=refused)
    assert results.count("done") == 1
    [refusal] = [result for result in results if result != "done"]
    assert refusal.startswith("another upgrade holds the 'schema' lock (owner ")
    assert len(spans) == 1


def test_a_live_lease_is_not_taken_and_an_expired_one_is(db: Database[Any]) -> None:
    holder = Lease(db[COLLECTION], "probe", seconds=60, owner="first")
    rival = Lease(db[COLLECTION], "probe", seconds=60, owner="second")
    assert holder.try_acquire()
    assert not rival.try_acquire()
    db[COLLECTION].update_one(
        {"_id": "probe"},
        {"$set": {"expires_at": datetime.now(UTC) - timedelta(seconds=1)}},
    )
    assert rival.try_acquire()
    stored = db[COLLECTION].find_one({"_id": "probe"})
    assert stored is not None
    assert stored["owner"] == "second"
    with pytest.raises(LeaseLostError):
        holder.renew()
    holder.release()  # not ours any more: nothing happens
    assert db[COLLECTION].count_documents({"_id": "probe"}) == 1
