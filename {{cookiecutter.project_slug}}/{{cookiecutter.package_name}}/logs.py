"""Logging to stdout, configured once per process.

Containers and process managers collect stdout; files inside a container are lost.
The handler is added once, however many apps a process builds (tests build many).
"""

from __future__ import annotations

import logging
import sys

from .redaction import RedactingFormatter

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
HANDLER_NAME = "stdout"


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current ``sys.stdout``, even after a test runner swapped it."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)
        self.set_name(HANDLER_NAME)
        # Credentials in a MongoDB URI never reach a log line, tracebacks included.
        self.setFormatter(RedactingFormatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(handler.get_name() == HANDLER_NAME for handler in root.handlers):
        root.addHandler(StdoutHandler())
    root.setLevel(level)
