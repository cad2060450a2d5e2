"""What every connector does around one call to its external API: a client span named
`<system> <operation>` and the call counted in the metrics, by system, operation, HTTP status and
outcome (`ok` or the kind of `ConnectorError`).

This is the connectors' shared request path rather than httpx's own instrumentation: httpx's spans
carry the full URL, and some of ours hold personal data in the query (a customer search by email) or
a store's credentials in the headers it would not record but libraries might. Here a span carries the
system, the operation name, the method and the path (ids only, never a query string), and the status.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from casebridge.metrics import record_external_call
from connectors.errors import ConnectorError

tracer = trace.get_tracer("casebridge.connectors")

# Set on every connector span, so a trace's external calls are found by system and operation.
SYSTEM_ATTRIBUTE = "casebridge.system"
OPERATION_ATTRIBUTE = "casebridge.operation"
STATUS_ATTRIBUTE = "http.response.status_code"
NO_STATUS = "none"  # no HTTP answer: network failure, timeout, or a check before sending


class ExternalCall:
    """The call in progress: its span, and the HTTP status once answered."""

    def __init__(self, span: Span) -> None:
        self.span = span
        self.status_code: int | None = None

    def answered(self, status_code: int) -> None:
        self.status_code = status_code
        self.span.set_attribute(STATUS_ATTRIBUTE, status_code)


def outcome_of(error: BaseException) -> str:
    """`RateLimitedError` -> `rate_limited`; anything not from the taxonomy -> `error`."""
    if not isinstance(error, ConnectorError):
        return "error"
    name = type(error).__name__.removesuffix("Error") or "connector"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@contextmanager
def external_call(
    system: str,
    operation: str,
    *,
    method: str | None = None,
    path: str | None = None,
    attributes: Mapping[str, str] | None = None,
) -> Iterator[ExternalCall]:
    """Wrap one call (its retries included) to `system`; `path` must hold no query string."""
    span_attributes: dict[str, str] = {
        "rpc.system": system,
        SYSTEM_ATTRIBUTE: system,
        OPERATION_ATTRIBUTE: operation,
        **(attributes or {}),
    }
    if method:
        span_attributes["http.request.method"] = method
    if path:
        span_attributes["url.path"] = path
    started = time.perf_counter()
    name = f"{system} {operation}"
    with tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=span_attributes) as span:
        call = ExternalCall(span)
        try:
            yield call
        except Exception as exc:
            status_code = exc.status_code if isinstance(exc, ConnectorError) else None
            status_code = status_code or call.status_code
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            if status_code is not None:
                span.set_attribute(STATUS_ATTRIBUTE, status_code)
            record_external_call(
                system, operation, str(status_code or NO_STATUS), outcome_of(exc), time.perf_counter() - started
            )
            raise
        status = str(call.status_code) if call.status_code is not None else NO_STATUS
        record_external_call(system, operation, status, "ok", time.perf_counter() - started)
