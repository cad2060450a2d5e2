"""One in-memory span exporter for the whole test session.

OpenTelemetry's global tracer provider can be set once per process, so the first test that needs
spans installs an SDK provider with this exporter, and every later one reuses it (clearing it)."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

EXPORTER = InMemorySpanExporter()


def install_exporter() -> InMemorySpanExporter:
    """The session's exporter, installed on the global provider (once), emptied."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    if getattr(provider, "_casebridge_test_exporter", None) is None:
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        provider._casebridge_test_exporter = EXPORTER  # type: ignore[attr-defined]
    EXPORTER.clear()
    return EXPORTER
