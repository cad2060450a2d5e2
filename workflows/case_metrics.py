"""The cases' metrics, recorded from workflow code on the SDK's meter (`workflow.metric_meter()`).

That meter is replay-safe: a case replayed from its history (after a worker restart, or beyond the
sticky cache) records nothing again, so a count is one per thing that happened, not one per replay;
`prometheus_client` in a workflow would count again at every replay, and is I/O-bound state the
sandbox must not see. The SDK exports these with its own series on the worker's metrics endpoint
(`WORKER_METRICS_BIND_ADDRESS`), labelled with namespace, task queue and workflow type.

A case's status is counted as it enters and leaves each status: summed over every worker, entered
minus left is the number of cases in that status now (a worker restart resets its counters; the
dashboard shows rates beside it, and the search attribute `CaseStatus` stays the exact answer).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

CASES_OPENED = "casebridge_cases_opened"
CASES_CLOSED = "casebridge_cases_closed"
STATUS_ENTERED = "casebridge_case_status_entered"
STATUS_LEFT = "casebridge_case_status_left"
DECISION_SECONDS = "casebridge_case_decision_seconds"
SLA_BREACHES = "casebridge_case_sla_breaches"

# Reviews take minutes to days: the SDK's default buckets (up to 10 s) would put every one in +Inf.
DECISION_BUCKETS_SECONDS = [60, 300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600, 7 * 24 * 3600]


def case_opened(case_type: str, platform: str, status: str) -> None:
    meter = workflow.metric_meter()
    labels = {"case_type": case_type, "platform": platform}
    meter.create_counter(CASES_OPENED, "Cases started, by type and platform").add(1, labels)
    meter.create_counter(STATUS_ENTERED, "Cases entering a status").add(1, {**labels, "status": status})


def status_changed(case_type: str, platform: str, old: str, new: str, *, closed: bool) -> None:
    if old == new:
        return
    meter = workflow.metric_meter()
    labels = {"case_type": case_type, "platform": platform}
    meter.create_counter(STATUS_LEFT, "Cases leaving a status").add(1, {**labels, "status": old})
    meter.create_counter(STATUS_ENTERED, "Cases entering a status").add(1, {**labels, "status": new})
    if closed:
        meter.create_counter(CASES_CLOSED, "Cases ended, by type, platform and outcome (final status)").add(
            1, {**labels, "outcome": new}
        )


def decision_received(case_type: str, team: str, waited: timedelta) -> None:
    """A reviewer's decision (or the one reconciled from OpenText) `waited` after the task opened."""
    workflow.metric_meter().create_histogram_float(
        DECISION_SECONDS, "Time from the review task's opening to its decision", "s"
    ).record(max(waited.total_seconds(), 0.0), {"case_type": case_type, "team": team})


def sla_breached(case_type: str, team: str, milestone: str) -> None:
    """`milestone`: `escalation` (the escalation point passed undecided) or `timeout` (the final one)."""
    workflow.metric_meter().create_counter(SLA_BREACHES, "Reviews past an SLA milestone without a decision").add(
        1, {"case_type": case_type, "team": team, "milestone": milestone}
    )
