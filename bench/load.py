"""The keep-alive load client: a few threads, each with one persistent connection.

Every app is driven by exactly this client, so its own cost is the same for all of
them. Each thread cycles through the paths and records every request's latency;
any answer but 200 stops the run, because a fast error is not a result.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


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
    port: int, paths: list[str], offset: int, deadline: float, latencies: list[float]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    index = offset
    try:
        while time.perf_counter() < deadline:
            path = paths[index % len(paths)]
            index += 1
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} -> {response.status}: {body[:300]!r}")
            latencies.append(time.perf_counter() - started)
    finally:
        connection.close()


def drive(url: str, paths: list[str], seconds: float, connections: int) -> Load:
    """Send requests for ``seconds`` over ``connections`` keep-alive connections."""
    port = urlsplit(url).port or 80
    per_thread: list[list[float]] = [[] for _ in range(connections)]
    errors: list[BaseException] = []
    started = time.perf_counter()
    deadline = started + seconds

    def work(number: int) -> None:
        try:
            offset = number * len(paths) // connections
            _worker(port, paths, offset, deadline, per_thread[number])
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
