"""Serving an app over HTTP on loopback: one launcher for the tests and the bench.

``serve`` starts any server command, waits until it answers and all its workers
have booted, and stops it on exit; ``served_by_gunicorn`` is a bake served as in
production.
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

from support.baking import package_of
from support.environment import clean_env
from support.network import free_port, wait_for_http

START_TIMEOUT = 30
# What gunicorn and uvicorn print as each worker process starts.
WORKER_BOOTED = re.compile(
    r"Booting worker with pid: (\d+)|Started server process \[(\d+)\]"
)


class Served:
    """A running server: its URL and everything it printed."""

    def __init__(self, url: str, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.log = log
        self.process = process

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> set[str]:
        return {a or b for a, b in WORKER_BOOTED.findall(self.output())}


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
    """Run ``command`` (listening on ``port``) until the block ends.

    Its output goes to the file ``log``, so a busy access log never blocks it.
    Ready means ``probe`` answered and ``workers`` worker processes booted
    (one worker answering is not all of them). Stopped with SIGTERM on exit.
    """
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    served = Served(f"http://127.0.0.1:{port}", log, process)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        try:
            wait_for_http(f"{served.url}{probe}", timeout=START_TIMEOUT)
        except OSError:
            raise RuntimeError(f"{command} did not serve:\n{served.output()}") from None
        while len(served.worker_pids()) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers missing:\n{served.output()}")
            time.sleep(0.05)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


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
