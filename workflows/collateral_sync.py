"""Approved collateral to the storefronts (`activities.collateral`, `activities.collateral_publishing`):
one run per schedule slot and OpenText tenant reads the ECM's change feed since the previous run,
publishes each approved document on its product and withdraws each withdrawn one, then completes.

The cursor is the run's result: a Temporal Schedule hands each run the previous completed run's
result (`workflow.get_last_completion_result`), so nothing else keeps state and a failed run leaves
the cursor where the last good one put it. A run started by hand may carry a cursor in its input.

Each run starts reading `INDEX_LAG` before the newest change already handled, because a search index
may show a change late (ASSUMPTION: Content Server's index lags minutes at most); the changes handled
in that window are listed in the cursor (with the state acted on) and not applied twice. Publishing
is idempotent anyway. A backlog (the first run reads every document the ECM holds) is read in pages
of changes, `READS_PER_RUN` per run; the next runs go on from there.
Changes are applied one at a time: Adobe Commerce keeps a product's documents in one attribute,
written read-modify-write, so two at once on one product could lose one.

A change the platform refuses (a product it does not know) is listed in the result and the details
and not tried again; re-approving the document in the ECM after fixing the cause publishes it. One
that failed only for a while (retries exhausted) is carried to the next run and tried again there,
before anything newer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.collateral import CollateralFeed
    from activities.collateral_models import (
        ChangesRequest,
        CollateralChange,
        Handled,
        PublishOutcome,
        PublishRequest,
        ReviewStatus,
    )
    from activities.collateral_publishing import CollateralPublishing

from workflows import search_attributes as sa
from workflows.failures import describe_failure
from workflows.retries import API_TIMEOUT

JOB_TYPE = "collateral-sync"
# Before the first run: every document the ECM holds (approved collateral filed before Casebridge
# ran is published too).
BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)
INDEX_LAG = timedelta(minutes=2)
READS_PER_RUN = 20  # pages of changes; what is left waits for the next slot
MAX_LISTED_FAILURES = 20
MAX_CARRIED = 100  # changes carried to the next run after a passing failure
# The next slot comes in minutes: give up on a change sooner than a case would.
COLLATERAL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=30),
    maximum_attempts=5,
)


class CollateralCursor(BaseModel):
    """Where the next run reads from."""

    since: datetime = BEGINNING  # the newest modify time handled
    handled: dict[int, Handled] = Field(default_factory=dict)  # modified within INDEX_LAG of `since`
    carried: list[CollateralChange] = Field(default_factory=list)  # to try again first


class SyncProgress(BaseModel):
    published: int = 0
    withdrawn: int = 0
    not_published: int = 0  # withdrawn in the ECM, and not on the product anyway
    skipped: int = 0  # changed documents that are no approved or withdrawn collateral
    failed: int = 0  # refused by the platform (or unplaceable): not tried again
    carried: int = 0  # failed for a while: tried again next run
    failures: list[str] = Field(default_factory=list)  # the first MAX_LISTED_FAILURES, with reasons


class CollateralSyncInput(BaseModel):
    tenant: str
    cursor: CollateralCursor | None = None  # None: the previous scheduled run's, or the beginning


class CollateralSyncResult(BaseModel):
    cursor: CollateralCursor
    progress: SyncProgress


def sync_search_attributes() -> TypedSearchAttributes:
    return TypedSearchAttributes([SearchAttributePair(sa.CASE_TYPE, JOB_TYPE)])


@workflow.defn(name="CollateralSync")
class CollateralSync:
    @workflow.init
    def __init__(self, input: CollateralSyncInput) -> None:
        self.input = input
        self.progress = SyncProgress()

    @workflow.query(description="Documents published, withdrawn and failed in this run.")
    def status(self) -> SyncProgress:
        return self.progress

    @workflow.run
    async def run(self, input: CollateralSyncInput) -> CollateralSyncResult:
        cursor = input.cursor or self._previous_cursor() or CollateralCursor()
        since, handled = cursor.since, dict(cursor.handled)
        carried: list[CollateralChange] = []
        # What failed for a while last run goes first: anything newer about it is read after.
        for change in cursor.carried:
            if not await self._apply(input.tenant, change) and len(carried) < MAX_CARRIED:
                carried.append(change)
        for read in range(READS_PER_RUN):
            self._show(input.tenant, since, "Reading changes")
            page = await workflow.execute_activity_method(
                CollateralFeed.collateral_changes,
                ChangesRequest(
                    tenant=input.tenant,
                    # Only the run's first read looks back: the reads after it go on where it stopped.
                    since=since - INDEX_LAG if read == 0 else since,
                    base_task_queue=workflow.info().task_queue,
                    handled=handled,
                ),
                start_to_close_timeout=API_TIMEOUT * 4,  # a page looks up workspaces and categories
                retry_policy=COLLATERAL_RETRY,
                summary="Read the ECM's changed documents",
            )
            self.progress.skipped += len(page.passed)
            handled.update(page.passed)
            for unplaced in page.unplaced:
                self._failed(unplaced.reason)
                handled[unplaced.node_id] = unplaced.handled
            for change in page.changes:
                if not await self._apply(input.tenant, change) and len(carried) < MAX_CARRIED:
                    carried.append(change)
                handled[change.node_id] = change.handled()
            if page.read_to is not None:
                since = max(since, page.read_to)
            handled = {node: done for node, done in handled.items() if done.modified_at >= since - INDEX_LAG}
            if not page.more:
                break
        self.progress.carried = len(carried)
        self._show(input.tenant, since, "Done")
        return CollateralSyncResult(
            cursor=CollateralCursor(since=since, handled=handled, carried=carried), progress=self.progress
        )

    async def _apply(self, tenant: str, change: CollateralChange) -> bool:
        """Publish or withdraw one document; False when it failed only for a while (try again)."""
        approved = change.status == ReviewStatus.APPROVED
        what = f"document {change.node_id} ({change.product.platform} product {change.product.product_id})"
        try:
            outcome: PublishOutcome = await workflow.execute_activity_method(
                CollateralPublishing.publish if approved else CollateralPublishing.withdraw,
                PublishRequest(tenant=tenant, change=change),
                task_queue=change.product.task_queue,
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=COLLATERAL_RETRY,
                summary=f"{'Publish' if approved else 'Withdraw'} {what}",
            )
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.non_retryable:
                self._failed(f"{what}: {describe_failure(err)}")
                return True
            return False
        if outcome.action == "published":
            self.progress.published += 1
        elif outcome.action == "withdrawn":
            self.progress.withdrawn += 1
        else:
            self.progress.not_published += 1
        return True

    def _failed(self, reason: str) -> None:
        self.progress.failed += 1
        if len(self.progress.failures) < MAX_LISTED_FAILURES:
            self.progress.failures.append(reason)

    @staticmethod
    def _previous_cursor() -> CollateralCursor | None:
        if not workflow.has_last_completion_result():
            return None
        previous = workflow.get_last_completion_result(type_hint=CollateralSyncResult)
        return previous.cursor if isinstance(previous, CollateralSyncResult) else None

    def _show(self, tenant: str, since: datetime, state: str) -> None:
        p = self.progress
        lines = [
            f"### Collateral of OpenText tenant {tenant} to the storefronts",
            f"**{state}**: changes since {since:%Y-%m-%d %H:%M:%S} UTC",
            f"- published: {p.published}, withdrawn: {p.withdrawn} (not on the product: {p.not_published})",
            f"- other changed documents: {p.skipped}",
        ]
        if p.carried:
            lines.append(f"- failed for a while, tried again next run: {p.carried}")
        if p.failed:
            lines.append(f"- **failed: {p.failed}** (latest: {p.failures[-1]})")
        workflow.set_current_details("\n".join(lines))
