"""What an optional feature costs: read throughput with it on against off.

Two copies of the baked service run side by side under the same gunicorn settings
against the same data, one with the switch on and one with it off; everything
else is as in production (auth on, the bench's API key on every request). Each
round drives both, alternating which goes first, and gives one ratio; the figure
is the median of those ratios, so drift in a shared machine's speed cancels out
within a round.

- ``observability``: an INFO access line per request as JSON, Prometheus metrics
  in multiprocess mode, pymongo command and pool monitoring feeding both, against
  ``METRICS_ENABLED=false`` and ``LOG_LEVEL=WARNING``. Target: on >= 0.90 of off.
  Tracing stays off in both (it needs a collector; off it costs nothing).
- ``rate_limits``: ``RATE_LIMITS`` high enough never to refuse (so every request
  pays the counting: one atomic upsert in MongoDB) against limits off. No
  target: the figure says what one database round trip per request costs.
"""

from __future__ import annotations

import os
import secrets
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bson import ObjectId

from bench.load import Route, drive
from bench.throughput import SERVICE, SERVICE_ENV, WORKERS, command
from support.api_key import ENTRY
from support.environment import clean_env
from support.network import free_port
from support.serving import Served, start

ROUTE = "GET /api/items/<id>"
OBSERVABILITY_PREFIXES = ("METRICS_", "LOG_", "OTEL_", "PROMETHEUS_")


@dataclass(frozen=True)
class Switch:
    """A feature and the settings that turn it on and off."""

    name: str
    label: str
    target: float | None
    on: dict[str, str]
    off: dict[str, str]


OBSERVABILITY = Switch(
    "observability",
    "Logs and metrics",
    0.90,
    on={"LOG_LEVEL": "INFO", "LOG_FORMAT": "json", "METRICS_ENABLED": "true"},
    off={"LOG_LEVEL": "WARNING", "METRICS_ENABLED": "false"},
)
# Limits on, but far above what the load sends: every request is counted, none refused.
RATE_LIMITS = Switch(
    "rate_limits",
    "Rate limits",
    None,
    on={"RATE_LIMITS": "100000000/hour"},
    off={"RATE_LIMITS": ""},
)
SWITCHES = (OBSERVABILITY, RATE_LIMITS)


def _environment(switch: Switch, uri: str, workdir: Path, on: bool) -> dict[str, str]:
    """Production settings with every switch but ``switch`` as a deployment has it:
    auth on (the bench's key), observability on, rate limits off."""
    env = clean_env(
        APP_ENV="production", SECRET_KEY=secrets.token_urlsafe(48), MONGODB_URI=uri
    )
    for name in list(env):
        if name.startswith(OBSERVABILITY_PREFIXES):
            del env[name]
    env.update(API_KEYS=ENTRY, **SERVICE_ENV, **OBSERVABILITY.on, **RATE_LIMITS.off)
    env.update(switch.on if on else switch.off)
    if env["METRICS_ENABLED"] == "true":
        metrics_dir = workdir / f"metrics-{switch.name}-{'on' if on else 'off'}"
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    return env


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
    switch: Switch,
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
    """Requests per second with ``switch`` on and off, and their ratio."""
    reads = Route("GET", [f"/api/items/{item_id}" for item_id in ids])
    servers: dict[str, Served] = {}
    rps: dict[str, list[float]] = {mode: [] for mode in ("on", "off")}
    cpu_us: dict[str, list[float]] = {mode: [] for mode in ("on", "off")}
    ratios: list[float] = []
    try:
        for mode in ("on", "off"):
            port = free_port()
            servers[mode] = start(
                command(SERVICE, package, port, project),
                port=port,
                cwd=workdir,
                env=_environment(switch, uri, workdir, on=mode == "on"),
                log=workdir / f"gunicorn-{switch.name}-{mode}.log",
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
        "switch": switch.name,
        "label": switch.label,
        "route": ROUTE,
        "rps": rps,
        "round_ratios": ratios,
        "on_vs_off": statistics.median(ratios),
        "worker_cpu_us_per_request": cpu_us,
        "target": switch.target,
    }


def markdown(result: dict[str, Any]) -> str:
    """The table and the one line the run prints for this measurement."""
    lines = [
        f"| {result['label']} ({result['route']}) | req/s median (min-max) "
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
    target = result["target"]
    if target is None:
        verdict = "no target"
    else:
        met = "yes" if result["on_vs_off"] >= target else "no"
        verdict = f"target >= {target:.2f}, met: {met}"
    lines.append(
        f"\n{result['switch']}: on_vs_off={result['on_vs_off']:.2f} "
        f"(median of {len(ratios)} rounds, {min(ratios):.2f}-{max(ratios):.2f}; "
        f"{verdict})"
    )
    return "\n".join(lines)
