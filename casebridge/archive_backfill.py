"""`casebridge archive backfill`: start (or find) the transaction archive's backfill of one store's
orders created in a date range, and optionally wait for it, printing its progress."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from casebridge.settings import Settings
from casebridge.stores import RegistryLookupError, Store, StoreRegistry, store_task_queue
from workflows.archive_backfill import (
    BackfillInput,
    BackfillProgress,
    BackfillResult,
    TransactionArchiveBackfill,
    backfill_id,
    backfill_search_attributes,
)


@dataclass(frozen=True)
class StartedBackfill:
    handle: WorkflowHandle[TransactionArchiveBackfill, BackfillResult]
    already_running: bool


def day_start(text: str) -> datetime:
    """A `YYYY-MM-DD` day (UTC midnight) or a full ISO timestamp (UTC when it names no zone)."""
    try:
        moment = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    except ValueError:
        moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def backfill_input(
    registry: StoreRegistry,
    settings: Settings,
    store: Store,
    created_from: datetime,
    created_to: datetime,
    page_size: int,
) -> BackfillInput:
    if created_to <= created_from:
        raise ValueError(
            f"the range is empty: --to {created_to.isoformat()} is not after --from {created_from.isoformat()}"
        )
    if not registry.files_documents(store):
        raise RegistryLookupError(
            f"store {store.id} files no documents: set its ecm_ext_system_id and its tenant's content_server.layout"
        )
    return BackfillInput(
        tenant=store.opentext_tenant,
        platform=store.platform.value,
        store=store.id,
        created_from=created_from,
        created_to=created_to,
        store_task_queue=None if store.activities_per_second is None else store_task_queue(settings.task_queue, store),
        page_size=page_size,
    )


async def start_backfill(client: Client, settings: Settings, job: BackfillInput) -> StartedBackfill:
    """Start the job, or find it running for the same store and range (never two at once). A
    finished one is started again: a rerun archives only what is missing or changed."""
    workflow_id = backfill_id(job.platform, job.store, job.created_from, job.created_to)
    running = client.get_workflow_handle_for(TransactionArchiveBackfill.run, workflow_id)
    try:
        if (await running.describe()).status is WorkflowExecutionStatus.RUNNING:
            return StartedBackfill(handle=running, already_running=True)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
    handle = await client.start_workflow(
        TransactionArchiveBackfill.run,
        job,
        id=workflow_id,
        task_queue=settings.task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        search_attributes=backfill_search_attributes(job.platform, job.store),
        static_summary=f"Archive backfill {job.store}, {job.created_from:%Y-%m-%d} to {job.created_to:%Y-%m-%d}",
    )
    return StartedBackfill(handle=handle, already_running=False)


async def wait_for(client: Client, workflow_id: str, every: float = 5.0) -> BackfillResult:
    """The job's result, printing its progress every `every` seconds while it runs (across the
    runs it continues into: a handle without a run id follows the latest)."""
    latest = client.get_workflow_handle_for(TransactionArchiveBackfill.run, workflow_id)
    result = asyncio.ensure_future(latest.result())
    while True:
        done, _ = await asyncio.wait([result], timeout=every)
        if done:
            return result.result()
        try:
            print(progress_line(await latest.query(TransactionArchiveBackfill.status)), flush=True)
        except RPCError:
            pass  # between two runs: asked again at the next tick


def progress_line(progress: BackfillProgress) -> str:
    where = f", last {progress.last_order.order_name}" if progress.last_order else ""
    failed = f", {progress.failed_count} failed" if progress.failed_count else ""
    return (
        f"{progress.orders} orders archived ({progress.documents_filed} documents filed, "
        f"{progress.documents_unchanged} already archived){failed}{where}"
    )
