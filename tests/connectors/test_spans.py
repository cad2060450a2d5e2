"""Every connector call is an OpenTelemetry span named `<system> <operation>`, failures marked as
errors with the HTTP status, and no credential in any attribute or event.

The connectors take their tracer from the global provider, so an in-memory exporter installed here
sees what a collector would receive in production (`opentelemetry-sdk` with an OTLP exporter).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from connectors.errors import NotFoundError
from tests.support.spans import install_exporter
from tests.support.stack import Stack
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SECRETS, SHOP


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = install_exporter()
    yield exporter
    exporter.clear()


def _texts(span: ReadableSpan) -> list[str]:
    values = [str(v) for v in (span.attributes or {}).values()]
    for event in span.events:
        values += [event.name, *(str(v) for v in (event.attributes or {}).values())]
    return [span.name, *values]


def _named(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.name == name]


async def test_connector_calls_are_spans_without_secrets(stack: Stack, spans: InMemorySpanExporter) -> None:
    order = await stack.create_order(SHOP, unit_price="12.00")
    await stack.connections.shopify(SHOP).get_order(order.id)
    await stack.connections.bigcommerce(BC_FLOW_STORE).list_hooks()
    adobe = stack.connections.adobe_commerce(ADOBE_STORE)
    with pytest.raises(NotFoundError):
        await adobe.sales.get_order(987654321)
    await stack.opentext.list_tasks(candidate_group="order-review")

    finished = spans.get_finished_spans()
    systems = {s.name.split(" ", 1)[0] for s in finished}
    expected = {"shopify", "bigcommerce", "adobe-commerce", "opentext-workflow"}
    assert expected <= systems, sorted(s.name for s in finished)

    missing = _named(spans, "adobe-commerce get_order")
    assert missing, sorted(s.name for s in finished)
    assert missing[-1].status.status_code is StatusCode.ERROR
    assert (missing[-1].attributes or {}).get("http.response.status_code") == 404

    secrets = [v for v in SECRETS.values() if len(v) >= 8]
    for span in finished:
        for text in _texts(span):
            assert not any(secret in text for secret in secrets), f"secret in span {span.name}: {text[:80]}"
