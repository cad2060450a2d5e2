"""Options of external API activities, the same for every case and building block."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# Transient faults are retried a few times with back-off; after that (or at once for a rejection)
# the case parks for an operator rather than retrying forever.
API_TIMEOUT = timedelta(seconds=30)
API_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=60),
    maximum_attempts=8,
)
