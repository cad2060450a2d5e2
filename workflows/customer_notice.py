"""Telling the customer what was decided: a letter rendered and sent by OpenText Exstream.

A notice is a courtesy: when Exstream refuses or cannot be reached after a few attempts, the case
records it (the operator sees it in the audit trail) and goes on; it never parks a case whose store
changes are already done.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.exstream import ExstreamActivities
    from activities.models import CustomerNoticeRequest

from workflows.case import AnyCase
from workflows.failures import describe_failure
from workflows.retries import API_TIMEOUT

# Few attempts: on-demand generation has no idempotency key, so every retry may send another copy.
NOTICE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=3)


async def notify_customer(case: AnyCase, *, tenant: str, communication: str, driver: dict[str, Any]) -> bool:
    """Send the notice; True when Exstream rendered it."""
    try:
        result = await workflow.execute_activity_method(
            ExstreamActivities.send_customer_notice,
            CustomerNoticeRequest(tenant=tenant, communication=communication, driver=driver),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=NOTICE_RETRY,
            summary=f"Send '{communication}' to the customer",
        )
    except ActivityError as err:
        case.record("customer notice failed", f"{communication}: {describe_failure(err)}")
        return False
    case.record("customer notified", f"{communication} ({', '.join(result.outputs)})")
    return True
