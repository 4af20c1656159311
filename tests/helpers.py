"""Helpers for baking the template and running what it generates."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from api_key import ENTRY, HEADERS

TEMPLATE = Path(__file__).resolve().parents[1]
Bake = Callable[..., Path]
# The files each option adds; the post-generation hook removes them when it is off.
OPTION_FILES = {
    "include_files": [
        "inventory_service/files.py",
        "inventory_service/files_api.py",
        "tests/test_files.py",
        "tests/test_files_api.py",
    ],
    "ci": [
        ".github/dependabot.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/newest.yml",
    ],
    "docker": ["Dockerfile", ".dockerignore", "compose.yaml"],
    "auth": [
        "inventory_service/auth.py",
        "inventory_service/api_keys.py",
        "inventory_service/jwt_tokens.py",
        "tests/credentials.py",
        "tests/test_auth.py",
        "tests/test_api_keys.py",
        "tests/test_jwt_tokens.py",
        "tests/jwks.py",
    ],
}
# Console scripts installed with requirements-dev.txt (check-jsonschema, cruft,
# pre-commit) sit next to the interpreter, whether or not the venv is activated.
BIN = Path(sys.executable).parent


def tools_env(**env: str) -> dict[str, str]:
    """The environment with BIN first on PATH, so make and scripts find our tools."""
    environ = {k: v for k, v in os.environ.items() if k != "TEST_MONGODB_URI"}
    environ["PATH"] = f"{BIN}{os.pathsep}{environ.get('PATH', '')}"
    environ.update(env)
    return environ


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
    (and forgets everything when stopped). With ``persistent=True`` the data lives
    in SQLite files under ``directory`` and survives a restart, as with mongod.
    """

    def __init__(
        self, directory: Path, port: int | None = None, *, persistent: bool = False
    ) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.data_dir = str(directory / "data") if persistent else "memory"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10) -> None:
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


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, headers (lower-case names), JSON body, duration."""

    status: int
    headers: dict[str, str]
    body: Any
    seconds: float


class Http:
    """One keep-alive HTTP/1.1 connection to ``base``; JSON in, JSON out.

    Standard library only. A connection error propagates (callers count it); the
    next request opens a new connection.
    """

    def __init__(self, base: str, timeout: float = 10) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
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


def fetch(base: str, method: str, path: str, body: Any = None) -> Reply:
    """One request on a connection of its own (so it may reach any worker)."""
    with Http(base) as http:
        return http.request(method, path, body)


class Served:
    """A baked app running under gunicorn: its URL and everything it printed."""

    def __init__(self, url: str, log: Path, process: subprocess.Popen[bytes]) -> None:
        self.url = url
        self.log = log
        self.process = process

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> set[str]:
        return set(re.findall(r"Booting worker with pid: (\d+)", self.output()))


@contextmanager
def served_by_gunicorn(
    project: Path, package: str, *args: str, timeout: float = 30, **env: str
) -> Iterator[Served]:
    """Serve ``project`` with ``gunicorn "<package>:create_app()"`` on a free port.

    It runs as in production (APP_ENV=production, a strong SECRET_KEY, the
    project's gunicorn.conf.py) on 127.0.0.1; ``args`` go to gunicorn and ``env``
    overrides the environment (MONGODB_URI, WEB_CONCURRENCY...). Its output goes
    to a file next to the project, so a busy access log never blocks it. Stopped
    with SIGTERM on exit; the output stays readable through ``Served.output()``.
    """
    port = free_port()
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MONGODB_", "GUNICORN_", "TEST_MONGODB"))
    }
    environ.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        HOST="127.0.0.1",
        PORT=str(port),
        GUNICORN_GRACEFUL_TIMEOUT="5",
        WEB_CONCURRENCY="2",
        API_KEYS=ENTRY,  # the default bake lets in only holders of a key
    )
    environ.update(env)
    log = project.parent / f"gunicorn-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args, f"{package}:create_app()"],
            cwd=project,
            env=environ,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", log, process)
    try:
        deadline = time.monotonic() + timeout
        try:
            wait_for_http(f"{served.url}/healthz", timeout=timeout)
        except OSError:
            raise RuntimeError(f"gunicorn did not serve:\n{served.output()}") from None
        # One worker answering is not all of them booted: wait for the rest, so
        # tests that count workers see every one of them.
        while len(served.worker_pids()) < int(environ["WEB_CONCURRENCY"]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn workers missing:\n{served.output()}")
            time.sleep(0.05)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def mypy_strict(project: Path, package: str = "inventory_service") -> None:
    """``mypy --strict`` over a bake's package, tests and gunicorn.conf.py passes."""
    files = [package, "tests", "gunicorn.conf.py"]
    # No cache: a shared bake must stay exactly as generated.
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir=/dev/null"]
    result = run([*command, *files], project)
    assert result.returncode == 0, result.stdout + result.stderr
