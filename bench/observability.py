"""What logs and metrics cost: read throughput with them on and with them off.

Two copies of the baked service run side by side under the same gunicorn settings
against the same data: "on" as in production (an INFO access line per request as
JSON, Prometheus metrics in multiprocess mode, pymongo command and pool monitoring
feeding both) and "off" (``METRICS_ENABLED=false``, ``LOG_LEVEL=WARNING``, so no
access line is written). Each round drives both, alternating which goes first, and
gives one ratio; the figure is the median of those ratios, so drift in a shared
machine's speed cancels out within a round. The target: on >= 0.90 of off.
Tracing stays off in both (it needs a collector; off it costs nothing).
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
from pathlib import Path
from typing import Any

from bson import ObjectId

from bench.load import Route, drive
from bench.throughput import THREADS, WORKERS
from support.environment import clean_env
from support.network import free_port
from support.serving import Served, start

TARGET = 0.90
ROUTE = "GET /api/items/<id>"


def _environment(uri: str, workdir: Path, on: bool) -> dict[str, str]:
    env = clean_env(
        APP_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), MONGODB_URI=uri
    )
    for name in list(env):
        if name.startswith(("METRICS_", "LOG_", "OTEL_", "PROMETHEUS_")):
            del env[name]
    if on:
        metrics_dir = workdir / "metrics-on"
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            LOG_LEVEL="INFO",
            LOG_FORMAT="json",
            METRICS_ENABLED="true",
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        )
    else:
        env.update(LOG_LEVEL="WARNING", METRICS_ENABLED="false")
    return env


def _gunicorn(package: str, port: int, project: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "-w", str(WORKERS)),
        *("--threads", str(THREADS), "-b", f"127.0.0.1:{port}"),
        *("--pythonpath", str(project), f"{package}:create_app()"),
    ]


def worker_cpu_seconds(server: Served) -> float:
    """CPU time (user + system) used so far by the gunicorn workers of ``server``.

    On a shared machine throughput moves with everyone else's load; the CPU a
    worker spends per request does not, so it is reported next to it.
    """
    master = server.process.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(
    project: Path,
    package: str,
    uri: str,
    ids: list[ObjectId],
    workdir: Path,
    *,
    rounds: int,
    seconds: float,
    warmup: float,
    connections: int,
) -> dict[str, Any]:
    """Requests per second with observability on and off, and their ratio."""
    reads = Route("GET", [f"/api/items/{item_id}" for item_id in ids])
    servers: dict[str, Served] = {}
    rps: dict[str, list[float]] = {mode: [] for mode in ("on", "off")}
    cpu_us: dict[str, list[float]] = {mode: [] for mode in ("on", "off")}
    ratios: list[float] = []
    try:
        for mode in ("on", "off"):
            port = free_port()
            servers[mode] = start(
                _gunicorn(package, port, project),
                port=port,
                cwd=workdir,
                env=_environment(uri, workdir, on=mode == "on"),
                log=workdir / f"gunicorn-observability-{mode}.log",
            )
            servers[mode].wait_until_ready("/healthz", WORKERS)
            drive(servers[mode].url, reads, warmup, connections)
        for number in range(rounds):
            order = ["on", "off"] if number % 2 == 0 else ["off", "on"]
            for mode in order:
                cpu = worker_cpu_seconds(servers[mode])
                load = drive(servers[mode].url, reads, seconds, connections)
                cpu = worker_cpu_seconds(servers[mode]) - cpu
                rps[mode].append(load.rps)
                cpu_us[mode].append(cpu / load.requests * 1e6)
            ratios.append(rps["on"][-1] / rps["off"][-1])
    finally:
        for server in servers.values():
            server.stop()
    return {
        "route": ROUTE,
        "rps": rps,
        "round_ratios": ratios,
        "on_vs_off": statistics.median(ratios),
        "worker_cpu_us_per_request": cpu_us,
        "target": TARGET,
    }


def markdown(result: dict[str, Any]) -> str:
    """The table and the one line the run prints for this measurement."""
    met = "yes" if result["on_vs_off"] >= result["target"] else "no"
    lines = [
        f"| Logs and metrics ({result['route']}) | req/s median (min-max) "
        "| worker CPU us per request (median) |",
        "| --- | ---: | ---: |",
    ]
    for mode in ("on", "off"):
        values = result["rps"][mode]
        cpu = statistics.median(result["worker_cpu_us_per_request"][mode])
        lines.append(
            f"| {mode} | {statistics.median(values):.0f} "
            f"({min(values):.0f}-{max(values):.0f}) | {cpu:.0f} |"
        )
    ratios = result["round_ratios"]
    lines.append(
        f"\nobservability: on_vs_off={result['on_vs_off']:.2f} "
        f"(median of {len(ratios)} rounds, {min(ratios):.2f}-{max(ratios):.2f}; "
        f"target >= {result['target']:.2f}, met: {met})"
    )
    return "\n".join(lines)
