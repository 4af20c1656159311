"""Observability of the baked service under gunicorn, against nx-27017.

In-process tests (the bake's own) prove each piece; these prove what only a real
deployment shows: two workers' metrics summed by any scrape, a dead worker's live
gauges dropped by gunicorn's ``child_exit`` hook, metrics on a port of their own,
one JSON access line per request (gunicorn's own access log off), and traces
exported over OTLP/HTTP from a worker with a child span per MongoDB command.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)
from prometheus_client.parser import text_string_to_metric_families

from support.api_key import HEADERS
from support.commands import run
from support.http_client import Http
from support.live_server import LiveServer
from support.network import free_port
from support.serving import served_by_gunicorn

pytestmark = pytest.mark.slow  # a live server and gunicorn: the full loop only

ITEM_ROUTE = "/api/items/<objectid:item_id>"
REQUESTS = 40  # at least; more if one worker answered them all
BATCH = 20


def get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    """One GET on a fresh connection (so it may reach any worker), with the key."""
    request = urllib.request.Request(url, headers={**HEADERS, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict[Any, float], name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def in_parallel(count: int, action: Any, threads: int = 4) -> None:
    """Run ``action(n)`` for n < count on a few threads, so both workers get some."""
    numbers = iter(range(count))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            action(number)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)


def access_lines(output: str, route: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("route") == route]


def pids_serving(output: str) -> set[int]:
    return {line["pid"] for line in access_lines(output, ITEM_ROUTE)}


@pytest.fixture
def database(live_server: LiveServer) -> str:
    return f"{live_server.uri}/obs_{uuid.uuid4().hex[:8]}"


def test_two_workers_are_summed_and_a_dead_workers_gauges_are_dropped(
    project: Path, database: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    with served_by_gunicorn(
        project,
        MONGODB_URI=database,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
    ) as app:
        with Http(app.url) as http:
            created = http.request("POST", "/api/items", {"name": "Counted"})
        item = f"{app.url}/api/items/{created.body['id']}"
        statuses: list[int] = []
        sent = 0
        # Batches until both workers have answered some (which one accepts a
        # connection is up to the kernel; a busy machine may favour one).
        while sent < REQUESTS or len(pids_serving(app.output())) < 2:
            assert sent < 20 * REQUESTS, "one worker did it all"
            first = sent
            in_parallel(
                BATCH,
                lambda n, first=first: statuses.append(
                    get(item, **{"X-Request-ID": f"obs-{first + n}"})[0]
                ),
                threads=8,
            )
            sent += BATCH
        assert statuses == [200] * sent

        # Whichever worker answers a scrape, it reports both workers' requests.
        scrapes = [samples(get(f"{app.url}/metrics")[2]) for _ in range(6)]
        for scraped in scrapes:
            assert (
                value(
                    scraped,
                    "http_requests_total",
                    route=ITEM_ROUTE,
                    method="GET",
                    status="200",
                )
                == sent
            )
        scraped = scrapes[-1]
        find = {"command": "find", "outcome": "success"}
        assert value(scraped, "mongodb_command_duration_seconds_count", **find) >= sent
        assert value(scraped, "mongodb_pool_connections") >= 2  # one per worker
        assert value(scraped, "mongodb_pool_checked_out_connections") == 0
        waits = value(scraped, "mongodb_pool_wait_seconds_count", outcome="success")
        assert waits >= sent
        assert value(scraped, "http_requests_in_flight") == 1  # the scrape itself

        # One JSON access line per request, from the app; none from gunicorn.
        output = app.output()
        lines = access_lines(output, ITEM_ROUTE)
        assert sorted(line["request_id"] for line in lines) == sorted(
            f"obs-{n}" for n in range(sent)
        )
        assert len({line["pid"] for line in lines}) == 2
        assert all(line["mongo_commands"] >= 1 for line in lines)
        assert all(0 < line["mongo_ms"] <= line["duration_ms"] for line in lines)
        assert f"GET /api/items/{created.body['id']} HTTP/1.1" not in output

        # A worker dies: gunicorn replaces it and its live gauges go, its counts stay.
        victim = sorted(app.worker_pids())[0]
        live_file = metrics_dir / f"gauge_livesum_{victim}.db"
        assert live_file.exists()
        os.kill(int(victim), signal.SIGTERM)
        deadline = time.monotonic() + 20
        while len(app.worker_pids()) < 3 or live_file.exists():
            assert time.monotonic() < deadline, app.output()[-3000:]
            time.sleep(0.1)
        scraped = samples(get(f"{app.url}/metrics")[2])
        total = value(
            scraped, "http_requests_total", route=ITEM_ROUTE, method="GET", status="200"
        )
        assert total == sent
    assert "Traceback" not in app.output()


def test_metrics_can_have_a_port_of_their_own(
    project: Path, database: str, tmp_path: Path
) -> None:
    port = free_port()
    with served_by_gunicorn(
        project,
        MONGODB_URI=database,
        METRICS_PORT=str(port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    ) as app:
        in_parallel(10, lambda n: get(f"{app.url}/healthz"))
        status, _, _ = get(f"{app.url}/metrics")
        assert status == 404  # not on the public port
        deadline = time.monotonic() + 10
        while True:
            try:
                status, headers, text = get(f"http://127.0.0.1:{port}/metrics")
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain")
        counted = value(
            samples(text),
            "http_requests_total",
            route="/healthz",
            method="GET",
            status="200",
        )
        # 10 here plus the launcher's readiness probes.
        assert counted >= 10


class Collector(BaseHTTPRequestHandler):
    """A stand-in OTLP/HTTP collector: keeps every export request it receives."""

    received: ClassVar[list[ExportTraceServiceRequest]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            self.received.append(ExportTraceServiceRequest.FromString(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    Collector.received.clear()
    server = HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def exported_spans() -> list[Any]:
    return [
        span
        for request in Collector.received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]


def attribute(span: Any, key: str) -> str | None:
    for pair in span.attributes:
        if pair.key == key:
            text: str = pair.value.string_value
            return text
    return None


SERVER, CLIENT = 2, 3  # Span.SpanKind in the OTLP protobuf


def traced_request(request_id: str) -> tuple[list[Any], list[Any]]:
    """The exported spans tagged ``request_id``, and the children of its server span."""
    spans = [s for s in exported_spans() if attribute(s, "request.id") == request_id]
    servers = [s.span_id for s in spans if s.kind == SERVER]
    children = [s for s in exported_spans() if s.parent_span_id in servers]
    return spans, children


def test_traces_reach_an_otlp_collector_with_a_span_per_command(
    project: Path, database: str, collector: str
) -> None:
    with served_by_gunicorn(
        project,
        MONGODB_URI=database,
        OTEL_EXPORTER_OTLP_ENDPOINT=collector,
        OTEL_SERVICE_NAME="obs-test",
        OTEL_BSP_SCHEDULE_DELAY="100",  # export within 0.1 s instead of 5 s
    ) as app:
        with Http(app.url) as http:
            created = http.request("POST", "/api/items", {"name": "Traced"})
        item_id = created.body["id"]
        status, _, _ = get(f"{app.url}/api/items/{item_id}", **{"X-Request-ID": "t-1"})
        assert status == 200
        # Spans leave in batches from a background thread: wait for the server
        # span and its child (a busy machine may send them in separate batches).
        deadline = time.monotonic() + 20
        while not traced_request("t-1")[1]:
            assert time.monotonic() < deadline, app.output()[-3000:]
            time.sleep(0.1)
        time.sleep(0.3)  # anything else of this request would have come by now
    spans, children = traced_request("t-1")
    (server,) = [s for s in spans if s.kind == SERVER]
    assert attribute(server, "http.route") == ITEM_ROUTE
    # Every command of the request (the read and the rate limiter's count) is a
    # child span; none carries a command body.
    assert {s.kind for s in children} == {CLIENT}
    assert [s for s in children if s.name.endswith(".find")] != []
    for child in children:
        assert child.trace_id == server.trace_id
        assert item_id not in str(child)
    services = {
        a.value.string_value
        for request in Collector.received
        for resource in request.resource_spans
        for a in resource.resource.attributes
        if a.key == "service.name"
    }
    assert services == {"obs-test"}


def test_the_baked_command_level_tests_pass_on_nx(
    project: Path, live_server: LiveServer
) -> None:
    """The bake's own tests that assert per-command figures, run on a server."""
    tests = [
        "tests/test_tracing.py::"
        "test_a_request_is_a_server_span_with_a_child_span_per_mongodb_command",
        "tests/test_logs.py::"
        "test_mongodb_figures_are_counted_on_a_server_and_absent_on_mongomock",
        "tests/test_metrics.py::"
        "test_mongodb_commands_are_timed_on_a_server_and_absent_on_mongomock",
    ]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_")}
    environ["TEST_MONGODB_URI"] = live_server.uri
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"]
    result = run([*command, *tests], project, environ)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert f"{len(tests)} passed" in output, output[-4000:]
    assert "skipped" not in output, output[-4000:]
