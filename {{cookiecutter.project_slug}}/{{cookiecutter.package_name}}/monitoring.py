"""What MongoDB costs each request: pymongo's command and pool monitoring.

pymongo publishes an event for every command it sends and every connection it
checks out, in the thread that did it. ``CommandMonitor`` adds each command's time
to the request being served (for the access log), warns about slow commands and
hands every observation to a ``Sink`` (metrics.py, when metrics are on).
``PoolMonitor`` does the same for connections. Only command names and timings are
read: never a command's body, its filter or its reply.

mongomock sends no commands, so it publishes no events: a request served from it
has no MongoDB figures at all (``None``), rather than a misleading zero.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from pymongo import monitoring

from .db import EXTENSION, MongoState

log = logging.getLogger(__name__)
Listener = monitoring.CommandListener | monitoring.ConnectionPoolListener


@dataclass
class RequestCost:
    """The running totals of one request; MongoDB figures stay ``None`` unmonitored."""

    started: float
    mongo_commands: int | None = None
    mongo_seconds: float | None = None

    def add_command(self, seconds: float) -> None:
        self.mongo_commands = (self.mongo_commands or 0) + 1
        self.mongo_seconds = (self.mongo_seconds or 0.0) + seconds

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


_current: ContextVar[RequestCost | None] = ContextVar("request_cost", default=None)


def begin_request(monitored: bool) -> RequestCost:
    """Start counting a request; ``monitored``: its client publishes command events."""
    cost = RequestCost(time.perf_counter())
    if monitored:
        cost.mongo_commands, cost.mongo_seconds = 0, 0.0
    _current.set(cost)
    return cost


def current_request() -> RequestCost | None:
    return _current.get()


def end_request() -> None:
    _current.set(None)


class Sink(Protocol):
    """Where observations go besides the access log (metrics.py implements it)."""

    def command(self, name: str, outcome: str, seconds: float) -> None: ...
    def connection_opened(self) -> None: ...
    def connection_closed(self) -> None: ...
    def checked_out(self, wait_seconds: float) -> None: ...
    def checked_in(self) -> None: ...
    def checkout_failed(self, wait_seconds: float) -> None: ...


class CommandMonitor(monitoring.CommandListener):
    """Times every command; warns when one takes longer than ``slow_ms`` (0: never)."""

    def __init__(self, slow_ms: int, sink: Sink | None = None) -> None:
        self.slow_ms = slow_ms
        self.sink = sink

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._finished(event.command_name, "success", event.duration_micros)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._finished(event.command_name, "failure", event.duration_micros)

    def _finished(self, name: str, outcome: str, micros: int) -> None:
        seconds = micros / 1_000_000
        cost = _current.get()
        if cost is not None:
            cost.add_command(seconds)
        if self.sink is not None:
            self.sink.command(name, outcome, seconds)
        if self.slow_ms and micros >= self.slow_ms * 1000:
            log.warning(
                "Slow MongoDB command %s took %.1f ms (over %d ms)",
                name,
                micros / 1000,
                self.slow_ms,
                extra={"mongo_command": name, "mongo_ms": round(micros / 1000, 3)},
            )


class PoolMonitor(monitoring.ConnectionPoolListener):
    """Connections open and checked out, and how long a checkout waited."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def pool_created(self, event: monitoring.PoolCreatedEvent) -> None:
        pass

    def pool_ready(self, event: monitoring.PoolReadyEvent) -> None:
        pass

    def pool_cleared(self, event: monitoring.PoolClearedEvent) -> None:
        pass

    def pool_closed(self, event: monitoring.PoolClosedEvent) -> None:
        pass

    def connection_created(self, event: monitoring.ConnectionCreatedEvent) -> None:
        self.sink.connection_opened()

    def connection_ready(self, event: monitoring.ConnectionReadyEvent) -> None:
        pass

    def connection_closed(self, event: monitoring.ConnectionClosedEvent) -> None:
        self.sink.connection_closed()

    def connection_check_out_started(
        self, event: monitoring.ConnectionCheckOutStartedEvent
    ) -> None:
        pass

    def connection_check_out_failed(
        self, event: monitoring.ConnectionCheckOutFailedEvent
    ) -> None:
        self.sink.checkout_failed(event.duration or 0.0)

    def connection_checked_out(
        self, event: monitoring.ConnectionCheckedOutEvent
    ) -> None:
        self.sink.checked_out(event.duration or 0.0)

    def connection_checked_in(self, event: monitoring.ConnectionCheckedInEvent) -> None:
        self.sink.checked_in()


def listeners(slow_ms: int, sink: Sink | None) -> list[Listener]:
    """The listeners a new MongoClient gets (``event_listeners=``)."""
    found: list[Listener] = [CommandMonitor(slow_ms, sink)]
    if sink is not None:
        found.append(PoolMonitor(sink))
    return found


def _begin() -> None:
    begin_request(monitored=not current_app.extensions[EXTENSION].in_memory)


def _end(error: BaseException | None) -> None:
    end_request()


def init_app(app: Flask, sink: Sink | None, *, timed: bool) -> None:
    """Monitor what somebody reads, and nothing else.

    The access log (``timed``) and metrics (``sink``) read each request's cost,
    so requests are timed; they and slow-command warnings read every command,
    so the app's future MongoClient (made lazily) gets the listeners. With none
    of them on (``LOG_LEVEL`` above INFO, or above WARNING for the warnings, is
    read once, here), pymongo publishes no events and no hook runs: a listener
    alone costs each command about 10 microseconds.
    """
    slow_ms: int = app.config["MONGODB_SLOW_COMMAND_MS"]
    if not log.isEnabledFor(logging.WARNING):
        slow_ms = 0  # warnings nobody would see are not looked for
    timed = timed or sink is not None
    if timed or slow_ms:
        state: MongoState = app.extensions[EXTENSION]
        state.options["event_listeners"] = listeners(slow_ms, sink)
    if timed:
        app.before_request(_begin)
        app.teardown_request(_end)
