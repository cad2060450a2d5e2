"""The B2B monthly statements' schedules: one per store that sells to companies (`b2b: true` in its
configuration) and whose OpenText tenant has Exstream and an ECM layout to file into. Each runs on
the 1st of the month at 02:00 UTC, for the month before (`workflows.monthly_statements`).

A statement takes its brand and language from the store policy's `communications` (read here, from
the configuration directory, and carried in the schedule's input): the activities know the store
registry but not the policies, and a policy edited later reaches the schedule with the next
`casebridge schedules apply`, which updates a schedule whose input changed."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import ScheduleCalendarSpec, ScheduleRange

from activities.statement_readers import STATEMENT_PLATFORMS
from casebridge.schedules import SCHEDULE_ID_PREFIX, ScheduledJob
from casebridge.stores import Store, StoreRegistry
from routing.policy import load_policy
from workflows.monthly_statements import JOB_TYPE, StatementsInput, statements_schedule_id

# The 1st at 02:00 UTC: orders of the last evening of the month have been processed by then.
FIRST_OF_THE_MONTH = ScheduleCalendarSpec(
    day_of_month=[ScheduleRange(1)], hour=[ScheduleRange(2)], comment="the 1st of each month, 02:00 UTC"
)


def plan_statement_schedules(registry: StoreRegistry, config_dir: Path | None = None) -> list[ScheduledJob]:
    """`config_dir` holds the stores' policy files; None: every statement in the default style."""
    jobs: list[ScheduledJob] = []
    for store in registry.stores:
        if not store.b2b:
            continue
        if store.platform not in STATEMENT_PLATFORMS:
            raise ValueError(f"store {store.id} is b2b, but monthly statements cannot read {store.platform} orders")
        if registry.tenant(store.opentext_tenant).exstream is None or not registry.files_documents(store):
            continue  # no Exstream to render with, or no ECM workspace to file into
        brand, language = _communications(store, config_dir)
        jobs.append(
            ScheduledJob(
                id=SCHEDULE_ID_PREFIX + statements_schedule_id(store.platform.value, store.id),
                workflow="MonthlyStatements",
                input=StatementsInput(
                    tenant=store.opentext_tenant,
                    platform=store.platform.value,
                    store=store.id,
                    store_rate_limited=store.activities_per_second is not None,
                    brand=brand,
                    language=language,
                ),
                job_type=JOB_TYPE,
                summary=f"B2B monthly statements of {store.id}",
                calendar=[FIRST_OF_THE_MONTH],
            )
        )
    return jobs


def _communications(store: Store, config_dir: Path | None) -> tuple[str | None, str | None]:
    """The brand and language of the store policy's `communications`; (None, None) without one.
    A policy file that cannot be read fails the planning (`PolicyError`, a ValueError)."""
    if config_dir is None or store.policy_file is None:
        return None, None
    communications = load_policy(config_dir / store.policy_file).communications
    if communications is None:
        return None, None
    return communications.brand, communications.language
