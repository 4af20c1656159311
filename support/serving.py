"""Serving an app over HTTP on loopback: one launcher for the tests and the bench.

``start`` runs any server command; ``Served`` waits until it answers and all its
workers have booted, and stops it; ``serve`` does all three around a block.
``served_by_gunicorn`` is a bake served as in production.
"""

from __future__ import annotations

import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.api_key import ENTRY
from support.baking import package_of
from support.environment import clean_env
from support.network import free_port, wait_for_http

START_TIMEOUT = 30
# What gunicorn and uvicorn print as each worker process starts.
WORKER_BOOTED = re.compile(
    r"Booting worker with pid: (\d+)|Started server process \[(\d+)\]"
)


class Served:
    """A server process: its URL and everything it printed."""

    def __init__(self, url: str, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.log = log
        self.process = process

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> set[str]:
        return {a or b for a, b in WORKER_BOOTED.findall(self.output())}

    def wait_until_ready(self, probe: str, workers: int) -> None:
        """Until ``probe`` answers and ``workers`` worker processes have booted
        (one worker answering is not all of them)."""
        deadline = time.monotonic() + START_TIMEOUT
        try:
            wait_for_http(f"{self.url}{probe}", timeout=START_TIMEOUT)
        except OSError:
            raise RuntimeError(f"nothing served:\n{self.output()}") from None
        while len(self.worker_pids()) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers missing:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it has not stopped 15 s later."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start(
    command: list[str], *, port: int, cwd: Path, env: dict[str, str], log: Path
) -> Served:
    """Start ``command`` (which listens on ``port``); its output goes to ``log``,
    so a busy access log never blocks it."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    return Served(f"http://127.0.0.1:{port}", log, process)


@contextmanager
def serve(
    command: list[str],
    *,
    port: int,
    cwd: Path,
    env: dict[str, str],
    log: Path,
    workers: int,
    probe: str = "/healthz",
) -> Iterator[Served]:
    """``start`` and wait until ready; stopped when the block ends."""
    served = start(command, port=port, cwd=cwd, env=env, log=log)
    try:
        served.wait_until_ready(probe, workers)
        yield served
    finally:
        served.stop()


@contextmanager
def served_by_gunicorn(project: Path, *args: str, **env: str) -> Iterator[Served]:
    """Serve ``project`` with ``gunicorn "<package>:create_app()"`` on a free port.

    It runs as in production (APP_ENV=production, a strong SECRET_KEY, the
    project's gunicorn.conf.py) on 127.0.0.1; ``args`` go to gunicorn and ``env``
    overrides the environment (MONGODB_URI, WEB_CONCURRENCY...).
    """
    port = free_port()
    production = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "WEB_CONCURRENCY": "2",
        "API_KEYS": ENTRY,  # the default bake lets in only holders of a key
    }
    environ = clean_env(**{**production, **env})
    target = f"{package_of(project)}:create_app()"
    command = [sys.executable, "-m", "gunicorn", *args, target]
    workers = int(environ["WEB_CONCURRENCY"])
    log = project.parent / f"gunicorn-{port}.log"
    with serve(
        command, port=port, cwd=project, env=environ, log=log, workers=workers
    ) as app:
        yield app
