"""Logging to stdout, configured once per process: JSON lines or readable text.

Containers and process managers collect stdout; files inside a container are lost.
The handler is added once, however many apps a process builds (tests build many).

``LOG_FORMAT=json`` (production's default) writes one JSON object per line, which
log pipelines parse without a regex; ``text`` (development's default) is for
people. The formatter is the standard library's ``logging.Formatter`` with a small
``format`` override, not a logging framework: every module keeps using plain
``logging.getLogger(__name__)``, and fields given with ``extra=`` become keys.
Every record carries the request id (``request_ids.RequestIdFilter``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from .redaction import RedactingFormatter, redact_uris
from .request_ids import RequestIdFilter

TEXT_FORMAT = (
    "%(asctime)s %(levelname)s [%(process)d] %(name)s [%(request_id)s]: %(message)s"
)
HANDLER_NAME = "stdout"
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in values are escaped).

    Every request writes one, so the time is formatted once per second and the
    milliseconds appended: ``2026-01-31T12:00:00.123Z``.
    """

    # (second, its text), replaced as one object so threads never see half of it.
    _last: tuple[int, str] = (-1, "")

    def timestamp(self, created: float) -> str:
        second = int(created)
        last_second, prefix = self._last
        if second != last_second:
            moment = datetime.fromtimestamp(second, UTC)
            prefix = moment.strftime("%Y-%m-%dT%H:%M:%S")
            self._last = (second, prefix)
        return f"{prefix}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRIBUTES:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # Credentials in a MongoDB URI never reach a log line, tracebacks included.
        return redact_uris(json.dumps(entry, default=str, ensure_ascii=False))


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current ``sys.stdout``, even after a test runner swapped it."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)
        self.set_name(HANDLER_NAME)
        self.addFilter(RequestIdFilter())
        # Credentials in a MongoDB URI never reach a log line, tracebacks included.
        self.setFormatter(RedactingFormatter(TEXT_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``LOG_FORMAT`` (``json`` or ``text``)."""
    if log_format == "json":
        return JsonFormatter()
    return RedactingFormatter(TEXT_FORMAT)


def configure_logging(level: str, log_format: str = "text") -> None:
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = StdoutHandler()
        root.addHandler(handler)
    handler.setFormatter(formatter(log_format))
    root.setLevel(level)
    # pymongo logs every command with its documents at DEBUG (pymongo.command):
    # LOG_LEVEL=DEBUG must not copy stored data, passwords included, into logs.
    logging.getLogger("pymongo").setLevel(max(logging.INFO, root.level))
