"""B2B monthly statements of one store (`activities.statements`): on the 1st of each month a Temporal
Schedule starts this job for the month before; an operator may start it for a named month too.

The job submits the month's company orders to Exstream's statement batch, waits for the batch with a
durable timer between looks (no busy loop, no long-running activity), then files each company's
statement into its account workspace. It is safe to run again for a month: companies whose
statement is filed already are not sent again, and filing the same document again adds nothing.

The month comes from the input, or else from the schedule's `TemporalScheduledStartTime` (so a
schedule's backfill of a past slot states that slot's previous month), or else the start time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.statement_models import (
        FileStatementsRequest,
        StatementBatchRequest,
        StatementJobRequest,
        StatementJobState,
        month_before,
    )
    from activities.statements import StatementActivities
    from casebridge.stores import store_queue_name

from workflows import search_attributes as sa
from workflows.retries import API_RETRY, API_TIMEOUT

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

JOB_TYPE = "monthly-statements"
# Set by the Temporal scheduler on the runs it starts.
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
# Reading a month of orders and each company's contact, or filing every company's statement, is
# many calls: the activity reports each step (heartbeat), so a stuck one is retried early.
LONG_STEP_TIMEOUT = timedelta(minutes=30)
LONG_STEP_HEARTBEAT = timedelta(minutes=2)
LONG_STEP_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=8,
)


class StatementsInput(BaseModel):
    tenant: str  # the OpenText tenant: Exstream renders, its Content Server keeps the workspaces
    platform: str
    store: str
    store_rate_limited: bool = False  # the store's activities run on its own rate-limited queue
    month: str | None = None  # YYYY-MM; None: the month before the scheduled (or actual) start
    # The store policy's `communications` brand and language, as the planner read them; None: the
    # default statement style (`activities.statements.statement_style`).
    brand: str | None = None
    language: str | None = None
    poll_every: timedelta = timedelta(seconds=30)  # how often the batch job is looked at
    max_wait: timedelta = timedelta(hours=12)  # a batch not finished by then fails the run


class StatementsProgress(BaseModel):
    month: str = ""
    state: str = "collecting"  # collecting, rendering, filing, completed, nothing-to-send, failed
    job_id: str | None = None
    companies: int = 0  # companies sent a statement by this run
    orders: int = 0
    already_filed: int = 0  # companies left out: their statement of the month is filed already
    without_recipient: list[str] = Field(default_factory=list)  # company ids with no main contact e-mail
    filed: int = 0
    unchanged: int = 0
    batch_errors: int = 0


class StatementsResult(BaseModel):
    complete: bool  # every company with orders has its statement filed (now or before)
    progress: StatementsProgress


def statements_schedule_id(platform: str, store: str) -> str:
    """The id of the store's schedule (without `casebridge/`), and of the runs it starts (+ the slot)."""
    return f"{JOB_TYPE}/{platform}/{store}"


def statements_run_id(platform: str, store: str, month: str) -> str:
    """The id of a run started by hand for a month: one at a time per store and month."""
    return f"{statements_schedule_id(platform, store)}/{month}"


def statements_search_attributes(platform: str, store: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.CASE_TYPE, JOB_TYPE),
            SearchAttributePair(sa.CASE_PLATFORM, platform),
            SearchAttributePair(sa.CASE_STORE, store),
        ]
    )


def statement_month(month: str | None, scheduled: datetime | None, started: datetime) -> str:
    return month or month_before(scheduled or started)


@workflow.defn(name="MonthlyStatements")
class MonthlyStatements:
    @workflow.init
    def __init__(self, input: StatementsInput) -> None:
        self.input = input
        info = workflow.info()
        month = statement_month(input.month, info.typed_search_attributes.get(SCHEDULED_START), info.start_time)
        self.progress = StatementsProgress(month=month)

    @workflow.query(description="The month, where the run is, and what it sent and filed.")
    def status(self) -> StatementsProgress:
        return self.progress

    @workflow.run
    async def run(self, input: StatementsInput) -> StatementsResult:
        p = self.progress
        workflow.upsert_search_attributes(
            [
                sa.CASE_PLATFORM.value_set(input.platform),
                sa.CASE_STORE.value_set(input.store),
                sa.CASE_REF.value_set(p.month),
                sa.CASE_STATUS.value_set("RUNNING"),
            ]
        )
        self._show()
        submitted = await self._long_step(
            StatementActivities.submit,
            StatementBatchRequest(
                tenant=input.tenant,
                platform=input.platform,
                store=input.store,
                month=p.month,
                brand=input.brand,
                language=input.language,
            ),
            f"Collect the company orders of {p.month} and submit the statements",
        )
        p.job_id, p.companies, p.orders = submitted.job_id, len(submitted.companies), submitted.orders
        p.already_filed, p.without_recipient = len(submitted.already_filed), submitted.without_recipient
        if submitted.job_id is None:
            return self._finish("nothing-to-send")

        p.state = "rendering"
        self._show()
        job = await self._wait_for(submitted.job_id)
        if job.state != "COMPLETED":
            p.batch_errors = job.errors
            self._finish("failed")
            raise ApplicationError(
                f"Exstream statement batch {submitted.job_id} ended {job.state}: "
                f"{job.first_error or 'no reason given'}",
                type="StatementBatchFailed",
                non_retryable=True,
            )

        p.state = "filing"
        self._show()
        filed = await self._long_step(
            StatementActivities.file,
            FileStatementsRequest(
                tenant=input.tenant,
                platform=input.platform,
                store=input.store,
                month=p.month,
                brand=input.brand,
                language=input.language,
                job_id=submitted.job_id,
                companies=submitted.companies,
            ),
            f"File {len(submitted.companies)} statements of {p.month} in the account workspaces",
        )
        p.filed, p.unchanged = filed.filed, filed.unchanged
        return self._finish("completed")

    async def _long_step(
        self,
        activity: Callable[[StatementActivities, RequestT], Awaitable[ResultT]],
        request: RequestT,
        summary: str,
    ) -> ResultT:
        """One of the job's two long activities, on the store's rate-limited queue when it has one."""
        i = self.input
        store_queue = (
            store_queue_name(workflow.info().task_queue, i.platform, i.store) if i.store_rate_limited else None
        )
        return await workflow.execute_activity_method(
            activity,
            request,
            task_queue=store_queue,
            start_to_close_timeout=LONG_STEP_TIMEOUT,
            heartbeat_timeout=LONG_STEP_HEARTBEAT,
            retry_policy=LONG_STEP_RETRY,
            summary=summary,
        )

    async def _wait_for(self, job_id: str) -> StatementJobState:
        """Look at the batch job every `poll_every` (a durable timer in between) until it finishes."""
        deadline = workflow.now() + self.input.max_wait
        while True:
            job: StatementJobState = await workflow.execute_activity_method(
                StatementActivities.job_state,
                StatementJobRequest(tenant=self.input.tenant, job_id=job_id),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Is the statement batch done?",
            )
            if job.finished:
                return job
            if workflow.now() >= deadline:
                self._finish("failed")
                raise ApplicationError(
                    f"Exstream statement batch {job_id} still {job.state} after {self.input.max_wait}",
                    type="StatementBatchTimedOut",
                    non_retryable=True,
                )
            await workflow.sleep(self.input.poll_every, summary="Wait for the statement batch")

    def _finish(self, state: str) -> StatementsResult:
        p = self.progress
        p.state = state
        complete = state in ("completed", "nothing-to-send") and not p.without_recipient
        status = {"failed": "FAILED"}.get(state, "COMPLETED" if complete else "COMPLETED_WITH_FAILURES")
        workflow.upsert_search_attributes([sa.CASE_STATUS.value_set(status)])
        self._show()
        return StatementsResult(complete=complete, progress=p)

    def _show(self) -> None:
        i, p = self.input, self.progress
        lines = [
            f"### Monthly statements {p.month}: {i.store} ({i.platform})",
            "",
            f"**{p.state}**",
            f"- companies sent a statement: {p.companies} ({p.orders} orders)",
            f"- already filed before this run: {p.already_filed}",
            f"- filed: {p.filed}, unchanged: {p.unchanged}",
        ]
        if p.job_id:
            lines.append(f"- Exstream batch job: {p.job_id}")
        if p.without_recipient:
            lines.append(f"- **no main contact e-mail**, not sent: companies {', '.join(p.without_recipient[:10])}")
        if p.batch_errors:
            lines.append(f"- **batch records refused: {p.batch_errors}**")
        workflow.set_current_details("\n".join(lines))
