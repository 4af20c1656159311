"""POST /api/items/transfers: two items changed together, never below zero.

The same tests run on mongomock (a process lock) and on a live server (a
transaction); the retry and standalone paths are driven through pymongo's own
``with_transaction`` with injected errors, since no test server fails on cue.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
{%- if cookiecutter.auth != "none" %}
from credentials import ANONYMOUS, bearer
{%- endif %}
from flask import Flask
from flask.testing import FlaskClient
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.errors import ConnectionFailure, OperationFailure, PyMongoError

from {{ cookiecutter.package_name }}.resources import INT64_MAX
from {{ cookiecutter.package_name }}.transactions import (
    ReplicaSetRequired,
    in_transaction,
    support,
)

URL = "/api/items/transfers"
MISSING = "65a1b2c3d4e5f60718293a4b"


def make(client: FlaskClient, name: str, quantity: int) -> str:
    response = client.post("/api/items", json={"name": name, "quantity": quantity})
    assert response.status_code == 201, response.get_json()
    identifier: str = response.get_json()["id"]
    return identifier


def quantity(client: FlaskClient, identifier: str) -> int:
    value: int = client.get(f"/api/items/{identifier}").get_json()["quantity"]
    return value


def test_a_transfer_moves_quantity_between_two_items(client: FlaskClient) -> None:
    a, b = make(client, "A", 5), make(client, "B", 1)
    # 3.0 is 3: JSON has one number type.
    response = client.post(URL, json={"source": a, "target": b, "quantity": 3.0})
    assert response.status_code == 200
    assert response.get_json() == {
        "source": {"id": a, "quantity": 2},
        "target": {"id": b, "quantity": 4},
        "quantity": 3,
    }
    assert (quantity(client, a), quantity(client, b)) == (2, 4)


def test_all_of_a_source_can_move_but_not_more(client: FlaskClient) -> None:
    a, b = make(client, "A", 2), make(client, "B", 0)
    refused = client.post(URL, json={"source": a, "target": b, "quantity": 3})
    assert refused.status_code == 409
    assert "less than that quantity" in refused.get_json()["error"]["message"]
    assert (quantity(client, a), quantity(client, b)) == (2, 0)
    moved = client.post(URL, json={"source": a, "target": b, "quantity": 2})
    assert moved.status_code == 200
    assert (quantity(client, a), quantity(client, b)) == (0, 2)


@pytest.mark.parametrize("missing", ["source", "target"])
def test_a_missing_item_is_a_404_and_nothing_changes(
    client: FlaskClient, missing: str
) -> None:
    a = make(client, "A", 5)
    body = {"source": a, "target": a, "quantity": 1} | {missing: MISSING}
    response = client.post(URL, json=body)
    assert response.status_code == 404
    assert missing in response.get_json()["error"]["message"]
    assert quantity(client, a) == 5


def test_a_target_that_would_overflow_is_a_409_and_nothing_changes(
    client: FlaskClient,
) -> None:
    a, b = make(client, "A", 5), make(client, "B", INT64_MAX - 1)
    response = client.post(URL, json={"source": a, "target": b, "quantity": 2})
    assert response.status_code == 409
    assert (quantity(client, a), quantity(client, b)) == (5, INT64_MAX - 1)


@pytest.mark.parametrize(
    "change",
    [
        {"quantity": 0},
        {"quantity": -1},
        {"quantity": "1"},
        {"quantity": 1.5},
        {"quantity": True},
        {"quantity": INT64_MAX + 1},
        {"quantity": {"$gt": 0}},
        {"source": "not-an-id"},
        {"source": {"$ne": None}},
        {"target": MISSING.upper()[:23]},
        {"extra": 1},
    ],
)
def test_a_bad_transfer_is_a_422(client: FlaskClient, change: dict[str, Any]) -> None:
    a, b = make(client, "A", 5), make(client, "B", 0)
    body = {"source": a, "target": b, "quantity": 1} | change
    response = client.post(URL, json=body)
    assert response.status_code == 422, response.get_json()
    assert (quantity(client, a), quantity(client, b)) == (5, 0)


def test_an_item_cannot_be_its_own_target(client: FlaskClient) -> None:
    a = make(client, "A", 5)
    for target in (a, a.upper()):
        response = client.post(URL, json={"source": a, "target": target, "quantity": 1})
        assert response.status_code == 409
        assert "same item" in response.get_json()["error"]["message"]
    assert quantity(client, a) == 5


def test_a_transfer_is_a_new_version_of_both_items(client: FlaskClient) -> None:
    """An editor holding either item's old ETag must not overwrite the move."""
    a, b = make(client, "A", 5), make(client, "B", 0)
    tags = {item: client.get(f"/api/items/{item}").headers["ETag"] for item in (a, b)}
    body = {"source": a, "target": b, "quantity": 2}
    assert client.post(URL, json=body).status_code == 200
    for item, etag in tags.items():
        stale = client.patch(
            f"/api/items/{item}", json={"quantity": 9}, headers={"If-Match": etag}
        )
        assert stale.status_code == 412, stale.get_json()
    assert (quantity(client, a), quantity(client, b)) == (3, 2)


def test_concurrent_transfers_never_take_a_quantity_below_zero(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Many transfers race for too little; the totals must still add up."""
    with app.test_client() as setup:
        a, b = make(setup, "A", 10), make(setup, "B", 0)
    outcomes: list[int] = []
    lock = threading.Lock()

    def transfer(source: str, target: str) -> None:
        with app.test_client() as client:
            for _ in range(4):
                body = {"source": source, "target": target, "quantity": 3}
                status = client.post(URL, json=body).status_code
                with lock:
                    outcomes.append(status)

    threads = [threading.Thread(target=transfer, args=(a, b)) for _ in range(6)]
    threads += [threading.Thread(target=transfer, args=(b, a)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with app.test_client() as check:
        left, right = quantity(check, a), quantity(check, b)
    assert len(outcomes) == 32
    # Each update's filter refuses to go below zero, on every backend.
    assert left >= 0
    assert right >= 0
    if 500 in outcomes and "no such savepoint" in caplog.text:
        pytest.skip(
            "nx-27017 0.8.1 fails concurrent transactions ('no such savepoint') "
            "and does not isolate them, so the total is not kept there; CI checks "
            f"it on a MongoDB replica set (here: {left} + {right}, {outcomes})"
        )
    assert set(outcomes) <= {200, 409}, outcomes
    assert left + right == 10


# The retry and refusal paths, through pymongo's ClientSession.with_transaction.
# A session on a client that never connects: a transaction whose callback does
# no I/O commits without a command, so the errors below are the only ones.


@pytest.fixture
def sessions() -> Any:
    client: MongoClient[Any] = MongoClient(
        "mongodb://127.0.0.1:9", connect=False, serverSelectionTimeoutMS=100
    )
    yield client.start_session
    client.close()


def labelled(label: str, code: int = 112) -> PyMongoError:
    error = OperationFailure(f"injected {label}", code=code)
    error._add_error_label(label)
    return error


def test_a_transient_error_reruns_the_whole_transaction(sessions: Any) -> None:
    calls: list[ClientSession | None] = []

    def work(session: ClientSession | None) -> dict[str, Any]:
        calls.append(session)
        if len(calls) < 3:
            raise labelled("TransientTransactionError")
        return {"done": True}

    assert in_transaction(sessions, work) == {"done": True}
    assert len(calls) == 3
    assert all(isinstance(session, ClientSession) for session in calls)


def test_an_unknown_commit_result_retries_the_commit_only(
    sessions: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits: list[int] = []
    real_commit = ClientSession.commit_transaction

    def flaky_commit(self: ClientSession) -> None:
        commits.append(1)
        if len(commits) == 1:
            raise labelled("UnknownTransactionCommitResult", code=91)
        real_commit(self)

    monkeypatch.setattr(ClientSession, "commit_transaction", flaky_commit)
    runs: list[int] = []

    def work(session: ClientSession | None) -> dict[str, Any]:
        runs.append(1)
        return {"ok": True}

    assert in_transaction(sessions, work) == {"ok": True}
    assert (len(runs), len(commits)) == (1, 2)


def test_an_error_without_a_retry_label_is_not_retried(sessions: Any) -> None:
    calls: list[int] = []

    def work(session: ClientSession | None) -> dict[str, Any]:
        calls.append(1)
        raise OperationFailure("a validator refused the write", code=121)

    with pytest.raises(OperationFailure):
        in_transaction(sessions, work)
    assert calls == [1]


def test_a_standalone_server_is_refused_naming_replica_sets(
    sessions: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def work(session: ClientSession | None) -> dict[str, Any]:
        raise OperationFailure(
            "Transaction numbers are only allowed on a replica set member or mongos",
            code=20,
        )

    with pytest.raises(ReplicaSetRequired) as refused:
        in_transaction(sessions, work)
    assert refused.value.code == 501
    assert "replica set" in str(refused.value.description)
    assert "Transactions unavailable" in caplog.text


def test_the_refusal_reaches_the_client_as_a_501_json_error(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from {{ cookiecutter.package_name }} import transfers

    def refuse(work: Any) -> Any:
        raise ReplicaSetRequired()

    monkeypatch.setattr(transfers, "atomically", refuse)
    a, b = make(client, "A", 5), make(client, "B", 0)
    response = client.post(URL, json={"source": a, "target": b, "quantity": 1})
    assert response.status_code == 501
    error = response.get_json()["error"]
    assert error["code"] == "replica_set_required"
    assert "replica set" in error["message"]
    assert (quantity(client, a), quantity(client, b)) == (5, 0)


def test_an_outage_during_a_transfer_is_a_503(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from {{ cookiecutter.package_name }} import transfers

    def down(work: Any) -> Any:
        raise ConnectionFailure("gone")

    monkeypatch.setattr(transfers, "atomically", down)
    a, b = make(client, "A", 5), make(client, "B", 0)
    response = client.post(URL, json={"source": a, "target": b, "quantity": 1})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0


class Hello:
    """A client whose server answers ``hello`` with ``answer`` (or raises it)."""

    def __init__(self, answer: dict[str, Any] | Exception) -> None:
        self.answer = answer
        self.admin = self

    def command(self, name: str) -> dict[str, Any]:
        assert name == "hello"
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(
    ("answer", "available", "says"),
    [
        ({"setName": "rs0", "isWritablePrimary": True}, True, "available (rs0)"),
        ({"msg": "isdbgrid"}, True, "available (a sharded cluster)"),
        ({"isWritablePrimary": True}, False, "standalone, not a replica set"),
        ({}, False, "standalone, not a replica set"),
        (NotImplementedError("mongomock"), False, "process lock"),
    ],
)
def test_the_deploy_step_says_whether_transactions_are_available(
    answer: Any, available: bool, says: str
) -> None:
    result, line = support(Hello(answer))  # type: ignore[arg-type]
    assert result is available
    assert line.startswith("transactions: ")
    assert says in line


def test_flask_db_upgrade_says_it_and_logs_a_warning_when_unavailable(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    [line] = [out for out in lines if out.startswith("transactions: ")]
    if "available (" not in line:  # mongomock, or a standalone server
        assert line in caplog.text
{%- if cookiecutter.auth != "none" %}


# Who may transfer: a transfer changes both items, so PATCH's rules hold for
# each (the write scope; the caller's own items unless it is admin).


def make_as(client: FlaskClient, caller: str, name: str, quantity: int) -> str:
    body = {"name": name, "quantity": quantity}
    response = client.post("/api/items", json=body, headers=bearer(caller))
    assert response.status_code == 201, response.get_json()
    identifier: str = response.get_json()["id"]
    return identifier


@pytest.mark.parametrize("theirs_is", ["source", "target"])
def test_another_callers_item_is_a_403_and_nothing_moves(
    client: FlaskClient, theirs_is: str
) -> None:
    mine, theirs = make(client, "Mine", 5), make_as(client, "other", "Theirs", 5)
    source, target = (theirs, mine) if theirs_is == "source" else (mine, theirs)
    body = {"source": source, "target": target, "quantity": 2}
    response = client.post(URL, json=body)
    assert response.status_code == 403, response.get_json()
    assert "another caller" in response.get_json()["error"]["message"]
    assert (quantity(client, mine), quantity(client, theirs)) == (5, 5)


def test_an_admin_may_move_quantity_between_anyones_items(client: FlaskClient) -> None:
    a, b = make(client, "A", 5), make_as(client, "other", "B", 5)
    body = {"source": a, "target": b, "quantity": 2}
    response = client.post(URL, json=body, headers=bearer("admin"))
    assert response.status_code == 200, response.get_json()
    assert (quantity(client, a), quantity(client, b)) == (3, 7)


@pytest.mark.parametrize(("caller", "status"), [("reader", 403), ("", 401)])
def test_a_transfer_needs_the_write_scope(
    client: FlaskClient, caller: str, status: int
) -> None:
    a, b = make(client, "A", 5), make(client, "B", 0)
    body = {"source": a, "target": b, "quantity": 1}
    headers = bearer(caller) if caller else ANONYMOUS
    assert client.post(URL, json=body, headers=headers).status_code == status
    assert (quantity(client, a), quantity(client, b)) == (5, 0)
{%- endif %}
