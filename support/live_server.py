"""nx-27017, the MongoDB wire-protocol server the tests and the benchmark run on."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from support.environment import BIN
from support.network import free_port

START_TIMEOUT = 10


class LiveServer:
    """An nx-27017 MongoDB wire-protocol server on a free loopback port.

    It stands in for mongod on machines where none can be installed: real sockets,
    handshakes, pools and timeouts. ``stop()`` and ``start()`` again on the same
    port simulate an outage; ``--data-dir memory`` keeps each database isolated
    (and forgets everything when stopped). With ``persistent=True`` the data lives
    in SQLite files under ``directory`` and survives a restart, as with mongod.
    """

    def __init__(self, directory: Path, *, persistent: bool = False) -> None:
        self.directory = directory
        self.port = free_port()
        self.data_dir = str(directory / "data") if persistent else "memory"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.data_dir != "memory":
            Path(self.data_dir).mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(BIN / "nx-27017"),
                "--data-dir",
                self.data_dir,
                "--host",
                "127.0.0.1",
                "-p",
                str(self.port),
                "--pid-file",
                str(self.directory / "nx.pid"),
                "--log-file",
                str(self.directory / "nx.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"nx-27017 did not start on {self.port}"
                    ) from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Seen after streaming a large GridFS file: it ignored SIGTERM.
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        (self.directory / "nx.pid").unlink(missing_ok=True)
