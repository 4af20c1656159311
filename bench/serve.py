"""Serve each app the same way: gunicorn, same workers and threads, on loopback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import free_port, wait_for_http

WORKERS = 2
THREADS = 4


class Gunicorn:
    """``gunicorn -w 2 --threads 4 -b 127.0.0.1:PORT <target>``, logging to a file."""

    def __init__(
        self, target: str, pythonpath: list[Path], env: dict[str, str], log: Path
    ) -> None:
        self.target = target
        self.pythonpath = pythonpath
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "-b",
            f"127.0.0.1:{self.port}",
            "--pythonpath",
            ",".join(str(path) for path in self.pythonpath),
            self.target,
        ]

    def start(self, probe: str) -> None:
        """Start and wait until ``probe`` answers 200 (checked by the caller's load)."""
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for_http(f"http://127.0.0.1:{self.port}{probe}", timeout=30)
        except OSError:
            self.stop()
            raise RuntimeError(
                f"{self.target} did not start; see {self.log}:\n"
                + self.log.read_text()[-2000:]
            ) from None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None
