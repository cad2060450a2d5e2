"""Backfilling the transaction archive: every order a store created in a date range, archived into
its ECM workspace (`activities.transaction_archive`), page by page.

The job continues as new every few pages (and whenever Temporal suggests it) carrying its cursor
and counts, so a range of any size keeps a short history. Progress is in the UI's current details
and the `progress` query. Archiving is idempotent, so the job is safe to rerun for the same range:
orders already archived count as unchanged. An order that cannot be archived (retries exhausted,
or refused) is listed and the job goes on; rerunning the range archives it then.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.transaction_archive import TransactionArchiveActivities
    from activities.transaction_models import ArchivedOrder, ArchiveOrderRequest, OrderKey, OrderPageRequest

from workflows import search_attributes as sa
from workflows.failures import describe_failure
from workflows.retries import API_TIMEOUT

JOB_TYPE = "archive-backfill"
ORDERS_AT_ONCE = 5  # archived in parallel; the store's queue still rate-limits its API calls
MAX_LISTED_FAILURES = 50
# Archiving calls two systems and may meet a slow ECM: retried longer than a case step.
ARCHIVE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=10,
)


class FailedOrder(BaseModel):
    order_id: str
    order_name: str
    reason: str


class BackfillProgress(BaseModel):
    orders: int = 0  # orders archived so far (new or unchanged)
    documents_filed: int = 0  # documents or versions added
    documents_unchanged: int = 0  # already archived with this content
    failed: list[FailedOrder] = Field(default_factory=list)  # the first MAX_LISTED_FAILURES
    failed_count: int = 0
    last_order: OrderKey | None = None  # the newest order done: how far the range is
    runs: int = 1  # this run and the ones it continued


class BackfillInput(BaseModel):
    tenant: str  # the OpenText tenant whose ECM keeps the workspaces
    platform: str
    store: str
    created_from: datetime
    created_to: datetime
    store_task_queue: str | None = None  # the store's rate-limited queue (None: the workflow's own)
    page_size: int = Field(default=50, ge=1, le=250)
    pages_per_run: int = Field(default=10, ge=1)  # then continue as new (a page is ~3 events per order)
    cursor: str | None = None  # where this run starts (None: the range's beginning)
    progress: BackfillProgress = Field(default_factory=BackfillProgress)


class BackfillResult(BaseModel):
    complete: bool  # every order of the range was archived (none failed)
    progress: BackfillProgress


def backfill_id(platform: str, store: str, created_from: datetime, created_to: datetime) -> str:
    span = f"{created_from.astimezone(UTC):%Y-%m-%dT%H%M}..{created_to.astimezone(UTC):%Y-%m-%dT%H%M}"
    return f"{JOB_TYPE}/{platform}/{store}/{span}"


def backfill_search_attributes(platform: str, store: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.CASE_TYPE, JOB_TYPE),
            SearchAttributePair(sa.CASE_PLATFORM, platform),
            SearchAttributePair(sa.CASE_STORE, store),
            SearchAttributePair(sa.CASE_STATUS, "RUNNING"),
        ]
    )


@workflow.defn(name="TransactionArchiveBackfill")
class TransactionArchiveBackfill:
    @workflow.init
    def __init__(self, input: BackfillInput) -> None:
        self.input = input
        self.progress = input.progress.model_copy(deep=True)
        self.cursor = input.cursor

    @workflow.query(description="How far the backfill is: orders archived, documents filed, failures.")
    def status(self) -> BackfillProgress:
        return self.progress

    @workflow.run
    async def run(self, input: BackfillInput) -> BackfillResult:
        self._show("Listing orders")
        for _ in range(input.pages_per_run):
            page = await workflow.execute_activity_method(
                TransactionArchiveActivities.list_orders,
                OrderPageRequest(
                    platform=input.platform,
                    store=input.store,
                    created_from=input.created_from,
                    created_to=input.created_to,
                    cursor=self.cursor,
                    limit=input.page_size,
                ),
                task_queue=input.store_task_queue,
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=ARCHIVE_RETRY,
                summary="List the next page of orders",
            )
            for start in range(0, len(page.orders), ORDERS_AT_ONCE):
                batch = page.orders[start : start + ORDERS_AT_ONCE]
                await asyncio.gather(*(self._archive(order) for order in batch))
                self.progress.last_order = batch[-1]
                self._show("Archiving")
            self.cursor = page.cursor
            if page.cursor is None:
                return self._finish()
            if workflow.info().is_continue_as_new_suggested():
                break
        self.progress.runs += 1
        workflow.continue_as_new(input.model_copy(update={"cursor": self.cursor, "progress": self.progress}))

    async def _archive(self, order: OrderKey) -> None:
        i = self.input
        try:
            archived: ArchivedOrder = await workflow.execute_activity_method(
                TransactionArchiveActivities.archive_order,
                ArchiveOrderRequest(tenant=i.tenant, platform=i.platform, store=i.store, order_id=order.order_id),
                task_queue=i.store_task_queue,
                start_to_close_timeout=API_TIMEOUT * 4,  # several documents, two systems
                retry_policy=ARCHIVE_RETRY,
                summary=f"Archive order {order.order_name}",
            )
        except ActivityError as err:
            self.progress.failed_count += 1
            if len(self.progress.failed) < MAX_LISTED_FAILURES:
                self.progress.failed.append(
                    FailedOrder(order_id=order.order_id, order_name=order.order_name, reason=describe_failure(err))
                )
            return
        self.progress.orders += 1
        self.progress.documents_filed += archived.filed
        self.progress.documents_unchanged += archived.unchanged

    def _finish(self) -> BackfillResult:
        complete = self.progress.failed_count == 0
        status = "COMPLETED" if complete else "COMPLETED_WITH_FAILURES"
        workflow.upsert_search_attributes([sa.CASE_STATUS.value_set(status)])
        self._show("Completed" if complete else "Completed; rerun the range to archive the failed orders")
        return BackfillResult(complete=complete, progress=self.progress)

    def _show(self, state: str) -> None:
        i, p = self.input, self.progress
        lines = [
            f"### Transaction archive backfill: {i.store} ({i.platform})",
            f"Orders created {i.created_from:%Y-%m-%d %H:%M} to {i.created_to:%Y-%m-%d %H:%M} UTC",
            "",
            f"**{state}** (run {p.runs})",
            f"- orders archived: {p.orders}",
            f"- documents filed: {p.documents_filed}, already archived: {p.documents_unchanged}",
        ]
        if p.last_order is not None:
            lines.append(
                f"- last order: {p.last_order.order_name}, created {p.last_order.created_at:%Y-%m-%d %H:%M} UTC"
            )
        if p.failed_count:
            lines.append(f"- **failed: {p.failed_count}** (first: {', '.join(f.order_name for f in p.failed[:5])})")
        workflow.set_current_details("\n".join(lines))
