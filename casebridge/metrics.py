"""Casebridge's own metrics outside workflows: external API calls (connectors) and webhook deliveries
(shim). The workflow side (cases opened and closed, decision time, SLA breaches) is in
`workflows/case_metrics.py`, on the SDK's replay-safe meter.

Where a metric goes depends on the process, not on the caller:

- in the worker, a connector call runs inside an activity, so it is counted on the activity's SDK
  meter (`activity.metric_meter()`): it lands on the worker's one metrics endpoint (the SDK runtime's
  Prometheus exporter, `WORKER_METRICS_BIND_ADDRESS`) beside the SDK's own series and the workflow
  metrics, labelled with the activity and workflow type;
- in the shim (webhook routing reads orders; no activity there) it is counted with
  `prometheus_client` and served on the shim's own `/metrics`.

Both sides use the same names and labels, so one query covers both.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from temporalio import activity

EXTERNAL_CALLS = "casebridge_external_calls"
EXTERNAL_CALL_SECONDS = "casebridge_external_call_seconds"
WEBHOOK_DELIVERIES = "casebridge_webhook_deliveries"

_EXTERNAL_CALLS_HELP = "Calls to external APIs by system, operation, HTTP status and outcome (ok or the error kind)"
_EXTERNAL_CALL_SECONDS_HELP = "Duration of external API calls, retries within the call included"

_external_calls = Counter(EXTERNAL_CALLS, _EXTERNAL_CALLS_HELP, ["system", "operation", "status", "outcome"])
_external_call_seconds = Histogram(EXTERNAL_CALL_SECONDS, _EXTERNAL_CALL_SECONDS_HELP, ["system", "outcome"])
_webhook_deliveries = Counter(
    WEBHOOK_DELIVERIES,
    "Signed deliveries to the shim (webhooks, callbacks, events) by endpoint, result and refusal reason",
    ["endpoint", "result", "reason"],
)


def record_external_call(system: str, operation: str, status: str, outcome: str, seconds: float) -> None:
    labels = {"system": system, "operation": operation, "status": status, "outcome": outcome}
    if activity.in_activity():
        meter = activity.metric_meter()
        meter.create_counter(EXTERNAL_CALLS, _EXTERNAL_CALLS_HELP).add(1, labels)
        meter.create_histogram_float(EXTERNAL_CALL_SECONDS, _EXTERNAL_CALL_SECONDS_HELP, "s").record(
            seconds, {"system": system, "outcome": outcome}
        )
        return
    _external_calls.labels(**labels).inc()
    _external_call_seconds.labels(system=system, outcome=outcome).observe(seconds)


def record_webhook_delivery(endpoint: str, result: str, reason: str) -> None:
    _webhook_deliveries.labels(endpoint=endpoint, result=result, reason=reason).inc()


def exposition() -> tuple[bytes, str]:
    """This process's `prometheus_client` metrics in the text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
