"""Traces: a server span per request, a child span per MongoDB command, over OTLP."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
)
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind
from support import AppFactory

from {{ cookiecutter.package_name }} import tracing
from {{ cookiecutter.package_name }}.db import EXTENSION

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """Spans kept in memory, one exporter for the module: pymongo's instrumentation
    is global and keeps the first provider it is given (see tracing.instrument)."""
    yield InMemorySpanExporter()
    PymongoInstrumentor().uninstrument()  # other modules' clients stay untraced


@pytest.fixture
def traced(make_app: AppFactory, exporter: InMemorySpanExporter) -> Flask:
    app: Flask = make_app()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.instrument(app, provider)
    return app


def children_of(parent: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> list[str]:
    assert parent.context is not None
    return [
        span.name
        for span in spans
        if span.parent is not None and span.parent.span_id == parent.context.span_id
    ]


def test_a_request_is_a_server_span_with_a_child_span_per_mongodb_command(
    traced: Flask, exporter: InMemorySpanExporter
) -> None:
    client = traced.test_client()
    created = client.post("/api/items", json={"name": "Traced"}).get_json()
    exporter.clear()
    response = client.get(
        f"/api/items/{created['id']}", headers={"X-Request-ID": "trace-1"}
    )
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    (server,) = [span for span in spans if span.kind is SpanKind.SERVER]
    assert server.attributes is not None
    assert server.attributes["request.id"] == "trace-1"
    assert server.attributes["http.route"] == "/api/items/<objectid:item_id>"
    children = children_of(server, spans)
    if traced.extensions[EXTENSION].in_memory:
        assert children == []  # mongomock sends no commands to trace
    else:
        # Every command the request sent (the read, and the rate limiter's count
        # where limits are on) is a child of its server span.
        commands = [span for span in spans if span.kind is SpanKind.CLIENT]
        assert sorted(children) == sorted(command.name for command in commands)
        assert [name for name in children if name.endswith(".find")] != []
        for command in commands:
            assert command.attributes is not None
            assert command.attributes["request.id"] == "trace-1"
            # Command bodies stay out of traces: the id looked up is not recorded.
            assert created["id"] not in str(dict(command.attributes))


def test_every_request_is_its_own_trace(
    traced: Flask, exporter: InMemorySpanExporter
) -> None:
    exporter.clear()
    client = traced.test_client()
    for _ in range(3):
        client.get("/api/items")
    servers = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert len({span.context.trace_id for span in servers if span.context}) == 3
    attributes = [span.attributes or {} for span in servers]
    assert len({attribute["request.id"] for attribute in attributes}) == 3


class Collector(BaseHTTPRequestHandler):
    """A stand-in OTLP/HTTP collector: keeps what is POSTed to it."""

    received: ClassVar[list[tuple[str, str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_spans_are_exported_over_otlp_http_to_the_endpoint() -> None:
    server = HTTPServer(("127.0.0.1", 0), Collector)
    # serve_forever polls for shutdown every 0.5 s unless told otherwise.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}/"
        provider = tracing.otlp_provider(endpoint, "traced-service")
        with provider.get_tracer(__name__).start_as_current_span("work"):
            pass
        assert provider.force_flush(timeout_millis=10_000)
        provider.shutdown()
    finally:
        server.shutdown()
        server.server_close()
    ((path, content_type, body),) = Collector.received
    assert path == "/v1/traces"
    assert content_type == "application/x-protobuf"
    request = ExportTraceServiceRequest.FromString(body)
    (resource,) = request.resource_spans
    attributes = {a.key: a.value.string_value for a in resource.resource.attributes}
    assert attributes["service.name"] == "traced-service"
    assert [span.name for span in resource.scope_spans[0].spans] == ["work"]


def test_an_endpoint_setting_turns_tracing_on(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Flask, TracerProvider]] = []
    monkeypatch.setattr(tracing, "instrument", lambda *args: calls.append(args))
    app = make_app(
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9", OTEL_SERVICE_NAME="svc"
    )
    ((instrumented, provider),) = calls
    assert instrumented is app
    assert provider.resource.attributes["service.name"] == "svc"
    provider.shutdown()


def test_nothing_of_opentelemetry_is_imported_when_tracing_is_off() -> None:
    """In a new interpreter (tests/untraced.py), without the settings that turn
    tracing on or point at a database: this one has loaded OpenTelemetry."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "MONGODB_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.untraced"],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[]" in result.stdout
