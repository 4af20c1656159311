"""Slow clients: connections that send a request body a byte at a time.

The attack on threaded servers ("slowloris" for bodies): each connection holds a
worker thread while its body trickles in, so a handful of them can stop a server
that has only a few threads. Standard library only, loopback only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

BODY = b'{"name": "' + b"x" * 200 + b'"}'


class SlowBodies:
    """``count`` connections posting a JSON body, one byte every ``interval`` s."""

    def __init__(self, url: str, count: int, interval: float) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.count = count
        self.interval = interval
        self.opened = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _trickle(self) -> None:
        try:
            with socket.create_connection(self.address, timeout=5) as sock:
                head = (
                    "POST /api/items HTTP/1.1\r\nHost: test\r\n"
                    "Content-Type: application/json\r\n"
                    f"Content-Length: {len(BODY)}\r\n\r\n"
                )
                sock.sendall(head.encode())
                with self._lock:
                    self.opened += 1
                for byte in BODY:
                    if self._stop.wait(self.interval):
                        return
                    sock.sendall(bytes([byte]))
        except OSError:
            return  # the server may close a slow connection: that is allowed

    def start(self) -> None:
        for _ in range(self.count):
            thread = threading.Thread(target=self._trickle, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)


@contextmanager
def slow_bodies(url: str, count: int, interval: float = 2.0) -> Iterator[SlowBodies]:
    """Keep ``count`` slow-body connections open for the block; wait until sent."""
    clients = SlowBodies(url, count, interval)
    clients.start()
    try:
        deadline = time.monotonic() + 10
        while clients.opened < count and time.monotonic() < deadline:
            time.sleep(0.05)
        # Let every connection reach the point where the app reads its body.
        time.sleep(interval / 2)
        yield clients
    finally:
        clients.stop()
