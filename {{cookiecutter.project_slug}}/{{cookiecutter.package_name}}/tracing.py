"""Traces with OpenTelemetry, exported over OTLP when an endpoint is set.

``OTEL_EXPORTER_OTLP_ENDPOINT`` (the standard OpenTelemetry name, for example
``http://otel-collector:4318``) turns tracing on: each request becomes a server
span (opentelemetry-instrumentation-flask) with a child span per MongoDB command
(opentelemetry-instrumentation-pymongo), both carrying the request id as
``request.id``. Command bodies are not recorded (``capture_statement`` stays off),
so no query value reaches the collector. Unset, nothing of OpenTelemetry is even
imported: tracing costs nothing when it is off.

Spans are sent in batches over OTLP/HTTP (protobuf) by a background thread, so a
slow or absent collector never delays a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask

from . import request_ids

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span

REQUEST_ID_ATTRIBUTE = "request.id"
TRACES_PATH = "/v1/traces"


def init_app(app: Flask) -> None:
    """Trace ``app`` when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set; else do nothing."""
    endpoint: str = app.config["OTEL_EXPORTER_OTLP_ENDPOINT"]
    if endpoint:
        instrument(app, otlp_provider(endpoint, app.config["OTEL_SERVICE_NAME"]))


def otlp_provider(endpoint: str, service_name: str) -> TracerProvider:
    """A provider that batches spans to ``endpoint`` + ``/v1/traces`` (OTLP/HTTP)."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
    exporter = OTLPSpanExporter(endpoint=endpoint.rstrip("/") + TRACES_PATH)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def _tag_request(span: Span, *_: Any) -> None:
    if span.is_recording():
        span.set_attribute(REQUEST_ID_ATTRIBUTE, request_ids.current())


def instrument(app: Flask, provider: TracerProvider) -> None:
    """Trace ``app``'s requests and this process's MongoDB commands into ``provider``.

    pymongo's instrumentation registers one global command listener, used by
    clients made afterwards (ours are made on first use, so they all get it); it is
    set up once per process, with the first provider given.
    """
    from opentelemetry.instrumentation.flask import FlaskInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

    hooks = app.before_request_funcs.setdefault(None, [])
    earlier = list(hooks)
    FlaskInstrumentor().instrument_app(  # type: ignore[no-untyped-call]
        app, tracer_provider=provider, request_hook=_tag_request
    )
    # The server span starts in the hook the instrumentor adds; it goes first, so
    # what the other hooks do (the rate limiter's count) is part of the request's
    # trace however late ``instrument`` is called (an app already instrumented
    # adds nothing, and nothing moves).
    hooks[:] = [hook for hook in hooks if hook not in earlier] + earlier
    pymongo = PymongoInstrumentor()
    if not pymongo.is_instrumented_by_opentelemetry:
        pymongo.instrument(tracer_provider=provider, request_hook=_tag_request)
