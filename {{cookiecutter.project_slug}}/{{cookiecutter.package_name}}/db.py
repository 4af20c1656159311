"""One MongoClient per app and per process, made on first use.

A MongoClient owns a connection pool and background monitor threads; making one per
request pays the TCP (and TLS and auth) handshake every time, so every request of a
process shares one. It is made lazily, in the process that first needs it: under
``gunicorn --preload`` the app is built in the master and then forked, and a client
must never cross a fork. If the process id changed, a new client is made.

Every operation has a deadline (``timeoutMS``, from MONGODB_TIMEOUT_MS) shorter
than gunicorn's worker timeout, so a slow server ends in a timeout error (a 503),
never in a worker killed mid-request. Nothing here builds indexes: that is the
deploy step's job (``schema.py``), except for the in-memory backend, which has no
deploy and sets itself up when its client is made.

These are plain functions over pymongo: ``get_db()["items"]`` is an ordinary
``pymongo.collection.Collection``, so everything in pymongo's docs applies as written.
``get_collection("items")`` is the same collection, made once per client: pymongo
builds a new ``Database`` and ``Collection`` (codec options, read and write
concerns) on every ``[...]``, a cost each request would otherwise pay.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from dns.exception import DNSException
from flask import Flask, abort, current_app
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import ConfigurationError, ConnectionFailure

from . import cluster, schema

Document = dict[str, Any]
EXTENSION = "mongo"
# The named connections (MONGODB_CONNECTIONS), each a MongoState of its own.
CONNECTIONS = "mongo_connections"
IN_MEMORY_SCHEME = "mongomock://"

log = logging.getLogger(__name__)


class MongoState:
    """What the app keeps in ``app.extensions["mongo"]``: settings and the client."""

    def __init__(self, config: Mapping[str, Any], *, owns_schema: bool = True) -> None:
        self.owns_schema = owns_schema
        self.uri: str = config["MONGODB_URI"]
        self.database_name: str = config["MONGODB_DB"]
        self.options: dict[str, Any] = {
            "appname": config["MONGODB_APPNAME"],
            "serverSelectionTimeoutMS": config["MONGODB_SERVER_SELECTION_TIMEOUT_MS"],
            "connectTimeoutMS": config["MONGODB_CONNECT_TIMEOUT_MS"],
            "socketTimeoutMS": config["MONGODB_SOCKET_TIMEOUT_MS"],
            "maxPoolSize": config["MONGODB_MAX_POOL_SIZE"],
            "timeoutMS": config["MONGODB_TIMEOUT_MS"],
            **cluster.client_options(config),
        }
        self.deploy_uri: str = config.get("MONGODB_DEPLOY_URI") or self.uri
        self._client: MongoClient[Document] | None = None
        self._database: Database[Document] | None = None
        self._collections: dict[str, Collection[Document]] = {}
        self._pid = 0
        self._closer: weakref.finalize[Any, Any] | None = None
        self._lock = threading.Lock()

    @property
    def in_memory(self) -> bool:
        return self.uri.startswith(IN_MEMORY_SCHEME)

    def client(self) -> MongoClient[Document]:
        client, pid = self._client, os.getpid()
        if client is not None and self._pid == pid:
            return client
        with self._lock:
            if self._client is None or self._pid != pid:
                self.close()
                self._client = connect(self.uri, self.options)
                self._pid = pid
                if self.in_memory and self.owns_schema:
                    # A new in-memory database is empty: nobody deploys it,
                    # and nobody else can reach it (no lease needed).
                    schema.set_up_private(self._client[self.database_name])
                # Closed when the app is garbage-collected or the process exits.
                self._closer = weakref.finalize(self, self._client.close)
            return self._client

    def database(self) -> Database[Document]:
        """The database of the current client, made once per client."""
        client = self.client()
        database = self._database
        if database is None or database.client is not client:
            database = self._database = client[self.database_name]
        return database

    def collection(self, name: str) -> Collection[Document]:
        """A collection of ``database()``, made once per client."""
        database = self.database()
        collection = self._collections.get(name)
        if collection is None or collection.database is not database:
            collection = self._collections[name] = database[name]
        return collection

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
        self._client, self._closer = None, None
        self._database, self._collections = None, {}


def connect(uri: str, options: Mapping[str, Any]) -> MongoClient[Document]:
    """Make a client for ``uri``; ``mongomock://`` gives an in-memory one.

    Datetimes come back timezone-aware (UTC) and UUIDs use the standard binary
    subtype, so documents mean the same thing to every driver that reads them.
    """
    common: dict[str, Any] = {"tz_aware": True, "uuidRepresentation": "standard"}
    if uri.startswith(IN_MEMORY_SCHEME):
        try:
            import mongomock
        except ImportError:
            raise RuntimeError(
                "MONGODB_URI selects mongomock, a development dependency: "
                "pip install -e '.[dev]', or point MONGODB_URI at a MongoDB server"
            ) from None
        # mongomock's clock ($currentDate, TTL expiry) calls datetime.utcnow(),
        # deprecated since Python 3.12 and due to be removed. mongomock documents
        # ``mongomock.utcnow`` as the hook for its clock: give it the same naive
        # UTC time from a call that is not deprecated.
        mongomock.utcnow = _naive_utc_now  # type: ignore[attr-defined]
{%- if cookiecutter.include_files %}
        # Lets gridfs.GridFS work on mongomock databases (files.py needs it).
        import mongomock.gridfs

        mongomock.gridfs.enable_gridfs_integration()  # type: ignore[no-untyped-call]
{%- endif %}
        host = "mongodb://" + uri.removeprefix(IN_MEMORY_SCHEME)
        client: MongoClient[Document] = mongomock.MongoClient(host, **common)
        return client
    try:
        return MongoClient(uri, **common, **options)
    except ConfigurationError as error:
        if isinstance(error.__cause__, DNSException | OSError):
            raise DnsLookupFailed(error) from error
        raise


class DnsLookupFailed(ConnectionFailure):
    """A mongodb+srv:// URI could not be resolved: an outage, not a bad setting.

    pymongo resolves the URI's SRV and TXT records when the client is made and
    reports a failed lookup as ConfigurationError. As a ConnectionFailure it gets
    the outage's answer (503 with Retry-After); no client is kept, so the next
    request resolves again and the service recovers when DNS does.
    """

    def __init__(self, error: ConfigurationError) -> None:
        super().__init__(f"DNS lookup for MONGODB_URI failed: {error}")


def _naive_utc_now() -> datetime:
    """What ``datetime.utcnow()`` returned: the UTC time without a timezone."""
    return datetime.now(UTC).replace(tzinfo=None)


def init_app(app: Flask) -> None:
    """Attach the (not yet connected) client state to ``app``; no I/O happens here."""
    state = MongoState(app.config)
    app.extensions[EXTENSION] = state
    app.extensions[CONNECTIONS] = {
        name: MongoState(prefixed(app.config, name), owns_schema=False)
        for name in app.config.get("MONGODB_CONNECTIONS", ())
    }
    if state.in_memory and not app.testing:
        log.warning(
            "Using an in-memory mongomock database %r: nothing is kept when the "
            "process stops. Set MONGODB_URI to use a MongoDB server.",
            state.database_name,
        )


def prefixed(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A named connection's settings under the main names: REPORTS_MONGODB_URI
    becomes MONGODB_URI (config.py checked and completed them)."""
    prefix = name.upper() + "_"
    return {
        key.removeprefix(prefix): value
        for key, value in config.items()
        if key.startswith(prefix + "MONGODB_")
    }


def _state(app: Flask | None = None, name: str | None = None) -> MongoState:
    extensions = (app or current_app).extensions
    if name is None:
        state: MongoState = extensions[EXTENSION]
        return state
    try:
        named: MongoState = extensions[CONNECTIONS][name]
    except KeyError:
        raise LookupError(
            f"no database connection named {name!r}: add it to MONGODB_CONNECTIONS"
        ) from None
    return named


def get_client(name: str | None = None) -> MongoClient[Document]:
    """The current app's client for this process; ``name`` picks a named one."""
    return _state(name=name).client()


def get_db(name: str | None = None) -> Database[Document]:
    """The current app's database, or a named connection's (``get_db("reports")``).

    No I/O: the first operation connects.
    """
    return _state(name=name).database()


def get_collection(name: str) -> Collection[Document]:
    """``get_db()[name]``, kept for the life of the client (no I/O either)."""
    return _state().collection(name)


@contextmanager
def deploy_database() -> Iterator[Database[Document]]:
    """The database as the deploy step sees it, through MONGODB_DEPLOY_URI.

    The deploy credential may build indexes; the service's own user needs only
    readWrite. Its client has no operation deadline and no socket timeout, since
    an index build on a large collection takes as long as it takes; it is closed
    when the block ends. The in-memory backend has one client only: its own.
    """
    state = _state()
    if state.in_memory:
        yield state.client()[state.database_name]
        return
    options = {
        key: value
        for key, value in state.options.items()
        # Index builds and migrations write to, and read from, the primary.
        if key not in ("timeoutMS", "socketTimeoutMS", "readPreference")
    }
    client = connect(state.deploy_uri, options)
    try:
        yield client[state.database_name]
    finally:
        client.close()


def close_db(app: Flask) -> None:
    """Close ``app``'s clients now (tests, shutdown); the next use makes new ones."""
    _state(app).close()
    for state in app.extensions[CONNECTIONS].values():
        state.close()


def find_one_or_404(
    collection: Collection[Document],
    filter: Mapping[str, Any],
    *args: Any,
    description: str | None = None,
    **kwargs: Any,
) -> Document:
    """``collection.find_one``, or a 404 (with ``description``) when nothing matches."""
    document = collection.find_one(filter, *args, **kwargs)
    if document is None:
        abort(404, description=description or "The requested document was not found.")
    return document
