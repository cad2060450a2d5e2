"""The worker's metrics endpoint: the SDK runtime's Prometheus exporter.

It serves the SDK's own series (task slots, poll and schedule-to-start latencies, activity failures),
the cases' metrics recorded from workflow code (`workflows/case_metrics.py`) and the external calls
the activities make (`casebridge/metrics.py`), all from one port.
"""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from casebridge.settings import Settings
from workflows.case_metrics import DECISION_BUCKETS_SECONDS, DECISION_SECONDS


def worker_runtime(settings: Settings) -> Runtime | None:
    """The SDK runtime serving the worker's metrics on `WORKER_METRICS_BIND_ADDRESS` (None: off, the
    SDK's default runtime, which records nothing). Named as `prometheus_client` names them
    (`_total` counters, seconds), so the worker's and the shim's series read alike."""
    if not settings.worker_metrics_bind_address:
        return None
    prometheus = PrometheusConfig(
        bind_address=settings.worker_metrics_bind_address,
        counters_total_suffix=True,
        durations_as_seconds=True,
        histogram_bucket_overrides={DECISION_SECONDS: DECISION_BUCKETS_SECONDS},
    )
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
