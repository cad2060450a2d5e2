"""The B2B monthly statements' schedules: one per store that sells to companies (`b2b: true` in its
configuration) and whose OpenText tenant has Exstream and an ECM layout to file into. Each runs on
the 1st of the month at 02:00 UTC, for the month before (`workflows.monthly_statements`)."""

from __future__ import annotations

from temporalio.client import ScheduleCalendarSpec, ScheduleRange

from activities.statement_readers import STATEMENT_PLATFORMS
from casebridge.schedules import SCHEDULE_ID_PREFIX, ScheduledJob
from casebridge.stores import StoreRegistry
from workflows.monthly_statements import JOB_TYPE, StatementsInput, statements_schedule_id

# The 1st at 02:00 UTC: orders of the last evening of the month have been processed by then.
FIRST_OF_THE_MONTH = ScheduleCalendarSpec(
    day_of_month=[ScheduleRange(1)], hour=[ScheduleRange(2)], comment="the 1st of each month, 02:00 UTC"
)


def plan_statement_schedules(registry: StoreRegistry) -> list[ScheduledJob]:
    jobs: list[ScheduledJob] = []
    for store in registry.stores:
        if not store.b2b:
            continue
        if store.platform not in STATEMENT_PLATFORMS:
            raise ValueError(
                f"store {store.id} is b2b, but monthly statements read B2B orders from Shopify stores only"
            )
        if registry.tenant(store.opentext_tenant).exstream is None or not registry.files_documents(store):
            continue  # no Exstream to render with, or no ECM workspace to file into
        jobs.append(
            ScheduledJob(
                id=SCHEDULE_ID_PREFIX + statements_schedule_id(store.platform.value, store.id),
                workflow="MonthlyStatements",
                input=StatementsInput(
                    tenant=store.opentext_tenant,
                    platform=store.platform.value,
                    store=store.id,
                    store_rate_limited=store.activities_per_second is not None,
                ),
                job_type=JOB_TYPE,
                summary=f"B2B monthly statements of {store.id}",
                calendar=[FIRST_OF_THE_MONTH],
            )
        )
    return jobs
