"""OpenTelemetry tracing for the worker and the shim: one trace per case, from the webhook that opened
it through the workflow, its activities and every external API call.

Off unless the standard OpenTelemetry variables ask for it (`OTEL_EXPORTER_OTLP_ENDPOINT`,
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_TRACES_EXPORTER`). Off, nothing is installed: no SDK
provider, no Temporal interceptor, no ASGI middleware; the connectors' spans go to the API's no-op
tracer, which costs a function call. On, spans are batched and sent by OTLP over HTTP (protobuf); the
exporter reads the other `OTEL_EXPORTER_OTLP_*` variables (headers, timeout, certificate) itself.

The trace crosses Temporal through `TracingInterceptor`: on the client it puts the shim's span into
the start's headers, on the worker (which uses the same client) it continues it in the workflow and
its activities. Its workflow spans are zero-length markers created outside the sandbox (so replaying
never produces a span twice); activity and connector spans have real durations.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from temporalio.client import Interceptor

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger(__name__)

# Any of these set (and OTEL_TRACES_EXPORTER not "none") turns tracing on.
_ENABLING_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER")
# Probes and scrapes every few seconds would drown the cases' traces.
UNTRACED_SHIM_PATHS = "healthz,readyz,metrics"


class TracingConfigError(RuntimeError):
    """The OTEL_* variables ask for something this build cannot export to."""


def tracing_requested(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(env.get(name, "").strip() for name in _ENABLING_VARIABLES)


def span_exporters(environ: Mapping[str, str] | None = None) -> list[SpanExporter]:
    """The exporters `OTEL_TRACES_EXPORTER` names (default `otlp`; `console` prints spans, for a look
    on a laptop). OTLP is sent over HTTP/protobuf, the protocol every collector accepts on 4318."""
    env = os.environ if environ is None else environ
    names = [n.strip().lower() for n in env.get("OTEL_TRACES_EXPORTER", "otlp").split(",") if n.strip()]
    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or ""
    exporters: list[SpanExporter] = []
    for name in names:
        if name == "otlp":
            if protocol and protocol != "http/protobuf":
                raise TracingConfigError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: only http/protobuf is supported")
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        else:
            raise TracingConfigError(f"OTEL_TRACES_EXPORTER={name}: use otlp, console or none")
    return exporters


def configure_tracing(service_name: str, environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """Install the process's tracer provider when the environment asks for tracing; None when off.
    `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` override the service name given here."""
    if not tracing_requested(environ):
        return None
    env = os.environ if environ is None else environ
    attributes = {} if env.get("OTEL_SERVICE_NAME") else {"service.name": service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    for exporter in span_exporters(environ):
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    log.info("tracing on: %s spans exported", service_name)
    return provider


def tracing_active() -> bool:
    """A real tracer provider is installed (by `configure_tracing`, or a test's in-memory one)."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


def temporal_interceptors() -> list[Interceptor]:
    """The Temporal client's interceptors: the tracing one while tracing is on, none otherwise (the
    worker inherits the client's, so workflows and activities join the starter's trace)."""
    if not tracing_active():
        return []
    # Imported here: the contrib module loads the OpenTelemetry context eagerly, which is wasted
    # when tracing is off.
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]


def instrument_shim(app: FastAPI) -> None:
    """A server span per request to the shim, continuing the caller's `traceparent` when it sends
    one; only while tracing is on."""
    if not tracing_active():
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_SHIM_PATHS)
