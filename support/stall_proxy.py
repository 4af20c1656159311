"""A loopback TCP proxy that can stall: a database that stops answering.

Unlike a stopped server (connections refused at once), a stalled one accepts
bytes and never replies, which is what an overloaded or half-partitioned
MongoDB looks like to a driver: only a deadline ends the wait.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class StallProxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``stall()`` holds every byte."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.stalled = threading.Event()
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def stall(self) -> None:
        self.stalled.set()

    def resume(self) -> None:
        self.stalled.clear()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while not self._closed.is_set():
                data = source.recv(65536)
                if not data:
                    break
                while self.stalled.is_set() and not self._closed.is_set():
                    time.sleep(0.02)  # hold the bytes: the peer waits for a reply
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
                server = socket.create_connection(self.target)
            except OSError:
                return
            with self._lock:
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    def start(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.close()


@contextmanager
def stall_proxy(target_uri: str) -> Iterator[StallProxy]:
    """A proxy in front of ``mongodb://host:port`` for the block."""
    host, _, port = target_uri.removeprefix("mongodb://").partition(":")
    proxy = StallProxy((host, int(port)))
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()
