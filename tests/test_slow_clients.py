"""Finding 1: slow clients must not take the service down.

64 connections each send a request body one byte every 2 seconds, against a bake
served by gunicorn exactly as its README (``--preload``) and its Dockerfile (no
flag) start it, on nx-27017. Meanwhile ``/healthz`` and a read by id must each
answer in under a second. Bounded: 64 sockets on loopback for a few seconds.
Figures are printed (``-rP``).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from support.http_client import Http
from support.live_server import LiveServer
from support.serving import served_by_gunicorn
from support.slow_clients import slow_bodies

SLOW_CLIENTS = 64
PROBES = 10  # rounds of (/healthz, read by id) while the slow bodies trickle in
LIMIT = 1.0


def probe_while_slow(url: str, item: str) -> list[float]:
    """Seconds each probe took while the slow clients hold their connections."""
    seconds: list[float] = []
    with slow_bodies(url, SLOW_CLIENTS, interval=2.0) as slow:
        assert slow.opened == SLOW_CLIENTS
        for _ in range(PROBES):
            for path in ("/healthz", item):
                # A fresh connection each time, as a load balancer's probe makes.
                with Http(url) as http:
                    reply = http.request("GET", path)
                assert reply.status == 200, reply
                seconds.append(reply.seconds)
    return seconds


@pytest.mark.parametrize(
    "args", [["--preload"], []], ids=["readme-command", "dockerfile-command"]
)
def test_64_slow_bodies_leave_healthz_and_reads_answering(
    project: Path, live_server: LiveServer, args: list[str]
) -> None:
    uri = f"{live_server.uri}/slow_{uuid.uuid4().hex[:8]}"
    with served_by_gunicorn(project, *args, MONGODB_URI=uri) as app:
        with Http(app.url) as http:
            made = http.request("POST", "/api/items", {"name": "Probe"})
        assert made.status == 201, made
        seconds = probe_while_slow(app.url, f"/api/items/{made.body['id']}")
        output = app.output()
    print(
        f"slow clients ({' '.join(args) or 'no flag'}): {SLOW_CLIENTS} slow bodies, "
        f"{len(seconds)} probes, worst {max(seconds) * 1000:.0f} ms"
    )
    assert max(seconds) < LIMIT
    assert "Traceback" not in output, output[-3000:]
    assert "MonkeyPatchWarning" not in output, output[-3000:]
