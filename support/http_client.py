"""A small JSON-over-HTTP client on the standard library, for served bakes."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from support.api_key import HEADERS

TIMEOUT = 10


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, headers (lower-case names), JSON body, duration."""

    status: int
    headers: dict[str, str]
    body: Any
    seconds: float


class Http:
    """One keep-alive HTTP/1.1 connection to ``base``; JSON in, JSON out.

    A connection error propagates (callers count it); the next request opens a new
    connection.
    """

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=TIMEOUT
            )
        headers = {"Accept": "application/json", **HEADERS}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        try:
            self._connection.request(method, path, body=data, headers=headers)
            response = self._connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        seconds = time.monotonic() - started
        names = {name.lower(): value for name, value in response.getheaders()}
        if response.will_close:
            self.close()
        return Reply(response.status, names, json.loads(raw) if raw else None, seconds)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def fetch(base: str, method: str, path: str) -> Reply:
    """One request on a connection of its own (so it may reach any worker)."""
    with Http(base) as http:
        return http.request(method, path)
