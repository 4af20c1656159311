"""Helpers for baking the template and running what it generates."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
Bake = Callable[..., Path]


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run a command and return its result; output is kept for failure messages."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_project_tests(
    project: Path, python: str = sys.executable, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run a baked project's own test suite; TEST_MONGODB_URI only if given."""
    environ = {k: v for k, v in os.environ.items() if k != "TEST_MONGODB_URI"}
    environ.update(env)
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return run(command, project, environ)


def passed_count(result: subprocess.CompletedProcess[str]) -> int:
    """How many tests a green pytest run passed; fails loudly on anything else."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    match = re.search(r"(\d+) passed", output)
    assert match, output[-4000:]
    assert " failed" not in output, output[-4000:]
    assert " error" not in output, output[-4000:]
    return int(match.group(1))


def render_hook(name: str, answers: dict[str, object], directory: Path) -> Path:
    """Render a hook the way cookiecutter does, with ``answers`` as its context."""
    source = (TEMPLATE / "hooks" / name).read_text()
    rendered = directory / name
    rendered.write_text(
        source.replace("{{ cookiecutter | tojson }}", json.dumps(answers))
    )
    return rendered


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_http(url: str, timeout: float = 15) -> None:
    """Poll ``url`` until it answers (any status) or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class LiveServer:
    """An nx-27017 MongoDB wire-protocol server on a free loopback port.

    It stands in for mongod on machines where none can be installed: real sockets,
    handshakes, pools and timeouts. ``stop()`` and ``start()`` again on the same
    port simulate an outage; ``--data-dir memory`` keeps each database isolated
    (and forgets everything when stopped).
    """

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "nx-27017",
                "--data-dir",
                "memory",
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
        deadline = time.monotonic() + timeout
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
