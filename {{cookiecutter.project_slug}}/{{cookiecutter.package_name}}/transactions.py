"""Changes to several documents that succeed or fail together.

``atomically(work)`` runs ``work(session)`` in a MongoDB transaction with
``ClientSession.with_transaction``, which retries the whole of ``work`` on an
error labelled ``TransientTransactionError`` (a failover, a write conflict with
another transaction) and the commit on ``UnknownTransactionCommitResult``, until
the client's deadline (``MONGODB_TIMEOUT_MS``). ``work`` must therefore only
read and write through ``session`` and have no other side effect.

Transactions need a replica set (or a sharded cluster). On a standalone server
the first write is refused with code 20, and the caller gets a 501 naming
replica sets: never a silent, non-atomic fallback. The in-memory backend
(mongomock) has no transactions at all; there ``work(None)`` runs under a
process-wide lock, which serialises transfers within one process only. That is a
development shortcut, not atomicity: do not serve production from it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import current_app
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.errors import OperationFailure
from pymongo.read_concern import ReadConcern
from pymongo.write_concern import WriteConcern
from werkzeug.exceptions import HTTPException

from .db import IN_MEMORY_SCHEME, get_client

# What a unit of work returns: the document(s) the response is made from.
Result = dict[str, Any]
# "Transaction numbers are only allowed on a replica set member or mongos".
ILLEGAL_OPERATION = 20
PROCESS_LOCK = threading.Lock()

log = logging.getLogger(__name__)


class ReplicaSetRequired(HTTPException):
    """The server cannot run transactions: it is not part of a replica set."""

    code = 501
    description = (
        "This operation needs MongoDB transactions, which need a replica set "
        "(or a sharded cluster); the server is a standalone. Run MongoDB as a "
        "replica set: a single-node one is enough."
    )


def support(client: MongoClient[Any]) -> tuple[bool, str]:
    """Whether ``client``'s server runs transactions, and one line saying so.

    Asked by ``flask db upgrade`` (a deploy's start), so a standalone server is
    named in the deploy's log before any transfer is refused.
    """
    try:
        hello = client.admin.command("hello")
    except NotImplementedError:  # mongomock
        return False, (
            "transactions: the in-memory backend has none; transfers run under a "
            "process lock (development only)"
        )
    if hello.get("setName") or hello.get("msg") == "isdbgrid":
        name = hello.get("setName", "a sharded cluster")
        return True, f"transactions: available ({name})"
    return False, (
        "transactions: unavailable: the server is a standalone, not a replica "
        "set; POST /api/items/transfers answers 501 until it runs as one"
    )


def atomically(work: Callable[[ClientSession | None], Result]) -> Result:
    """``work(session)`` in one transaction; see the module's docstring."""
    if current_app.config["MONGODB_URI"].startswith(IN_MEMORY_SCHEME):
        with PROCESS_LOCK:
            return work(None)
    return in_transaction(get_client().start_session, work)


def in_transaction(
    start_session: Callable[[], ClientSession],
    work: Callable[[ClientSession | None], Result],
) -> Result:
    with start_session() as session:
        try:
            return session.with_transaction(
                work,
                read_concern=ReadConcern("snapshot"),
                write_concern=WriteConcern("majority"),
            )
        except OperationFailure as error:
            if error.code != ILLEGAL_OPERATION:
                raise
            log.error("Transactions unavailable: %s", error)
            raise ReplicaSetRequired() from error
