"""A headless Chromium driven over the DevTools protocol, standard library only.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). It talks
DevTools over a pipe (``--remote-debugging-pipe``: it reads commands on fd 3 and
writes replies and events on fd 4, each a JSON message ended by a NUL byte), so
no port is opened and no WebSocket library is needed. Every page request,
console message, log entry and uncaught exception is recorded, so a test can
assert that a page stayed on its own host and logged no error. A host resolver
rule makes every other host unresolvable: a stray request fails here instead
of leaving the machine, and is still recorded.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags the machine's notes recommend for a quiet, reproducible headless run.
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
)


BAD_LEVELS = ("error", "warning", "assert")


def complaint(event: dict[str, Any]) -> str:
    """What an event says went wrong, or "" for an event that is fine."""
    method, params = event["method"], event["params"]
    if method == "Runtime.consoleAPICalled" and params["type"] in BAD_LEVELS:
        texts = (
            str(arg.get("value", arg.get("description"))) for arg in params["args"]
        )
        return f"console.{params['type']}: {' '.join(texts)}"
    if method == "Log.entryAdded" and params["entry"]["level"] in BAD_LEVELS:
        entry = params["entry"]
        return f"log {entry['level']}: {entry['text']} {entry.get('url', '')}"
    if method == "Runtime.exceptionThrown":
        return f"exception: {params['exceptionDetails']}"
    if method == "Network.loadingFailed":
        return f"load failed: {params.get('errorText')}"
    return ""


class BrowserError(RuntimeError):
    """Chromium died, answered a command with an error, or took too long."""


class Chromium:
    """One browser process and one page (a target attached in flat mode)."""

    def __init__(self, profile: Path, log: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        self.log = log
        self.pid = os.posix_spawn(
            CHROMIUM,
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            {**os.environ, "HOME": str(profile)},
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, str(log), os.O_WRONLY | os.O_CREAT, 0o600),
                (os.POSIX_SPAWN_DUP2, 1, 2),
                (os.POSIX_SPAWN_DUP2, commands_read, 3),
                (os.POSIX_SPAWN_DUP2, replies_write, 4),
            ],
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.session = ""
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, timeout: float = 15, **params: Any) -> dict[str, Any]:
        """Send one command (to the page once attached) and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method}
        message["params"] = params
        if self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer from Chromium in time; see {self.log}")
            ready, _, _ = select.select([self._replies], [], [], left)
            if ready:
                chunk = os.read(self._replies, 1 << 16)
                if not chunk:
                    raise BrowserError(f"Chromium closed its pipe; see {self.log}")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def open_page(self) -> None:
        """Attach to a new tab and record everything it does from now on."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        attached = self.send("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page."""
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float) -> Any:
        """Poll until ``expression`` is truthy in the page; its value."""
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise BrowserError(f"still false after {timeout} s: {expression}")
            time.sleep(0.1)
        return value

    def requested_urls(self) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self.events
            if event["method"] == "Network.requestWillBeSent"
        ]

    def statuses(self) -> dict[str, int]:
        """The HTTP status of every response the page received, by URL."""
        return {
            event["params"]["response"]["url"]: event["params"]["response"]["status"]
            for event in self.events
            if event["method"] == "Network.responseReceived"
        }

    def errors(self) -> list[str]:
        """Console errors and warnings, log errors (CSP, failed loads), exceptions."""
        return [text for event in self.events if (text := complaint(event))]

    def close(self) -> None:
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.05)
        os.close(self._commands)
        os.close(self._replies)


@contextmanager
def chromium(directory: Path) -> Iterator[Chromium]:
    """A fresh browser with its own profile under ``directory``, closed on exit."""
    profile = directory / "profile"
    profile.mkdir(parents=True, exist_ok=True)
    browser = Chromium(profile, directory / "chromium.log")
    try:
        browser.open_page()
        yield browser
    finally:
        browser.close()
