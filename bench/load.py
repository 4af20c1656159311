"""The keep-alive load client: a few threads, each with one persistent connection.

Every app is driven by exactly this client, so its own cost is the same for all of
them. Each thread cycles through the route's paths and records every request's
latency; any answer but the expected status stops the run, because a fast error is
not a result.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from support.api_key import HEADERS


@dataclass(frozen=True)
class Route:
    """``method`` on each of ``paths`` in turn, answered with ``status``.

    ``body``, if set, makes each request's JSON body from a key unique to the
    request (so creates never collide on a unique index).
    """

    method: str
    paths: list[str]
    status: int = 200
    body: Callable[[str], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _worker(
    port: int,
    route: Route,
    thread: int,
    connections: int,
    deadline: float,
    latencies: list[float],
) -> None:
    """One connection: thread ``thread`` of ``connections`` starts its own share of
    the paths, so the threads do not all ask for the same document at once."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # The service's key on every request (the minimal app ignores the header), so
    # the service pays for checking it, as it does in production.
    headers = {"Content-Type": "application/json"} if route.body else {}
    headers |= HEADERS
    index = thread * len(route.paths) // connections
    key = f"{uuid.uuid4().hex[:8]}-{thread}"
    try:
        while time.perf_counter() < deadline:
            path = route.paths[index % len(route.paths)]
            index += 1
            data = None
            if route.body is not None:
                data = json.dumps(route.body(f"{key}-{index}")).encode()
            started = time.perf_counter()
            connection.request(route.method, path, body=data, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != route.status:
                raise RuntimeError(
                    f"{route.method} {path} -> {response.status}: {answer[:300]!r}"
                )
            latencies.append(time.perf_counter() - started)
    finally:
        connection.close()


def drive(url: str, route: Route, seconds: float, connections: int) -> Load:
    """Send requests for ``seconds`` over ``connections`` keep-alive connections."""
    port = urlsplit(url).port or 80
    per_thread: list[list[float]] = [[] for _ in range(connections)]
    errors: list[BaseException] = []
    started = time.perf_counter()
    deadline = started + seconds

    def work(number: int) -> None:
        try:
            _worker(port, route, number, connections, deadline, per_thread[number])
        except BaseException as error:  # reported in the caller's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    latencies = sorted(lat for lats in per_thread for lat in lats)
    if not latencies:
        raise RuntimeError(f"no request finished in {seconds} s on port {port}")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Load(len(latencies), elapsed, statistics.median(latencies) * 1e3, p99 * 1e3)
