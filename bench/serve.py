"""Serve each app the same way: gunicorn, same workers and threads, on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

WORKERS = 2
THREADS = 4


def gunicorn_command(target: str, port: int, pythonpath: list[Path]) -> list[str]:
    """``gunicorn -w 2 --threads 4 -b 127.0.0.1:PORT <target>``, no config file."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "-b",
        f"127.0.0.1:{port}",
        "--pythonpath",
        ",".join(str(path) for path in pythonpath),
        target,
    ]
