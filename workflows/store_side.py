"""The store side of an order review, per platform: hold, mark for review, release, reject.

`OrderReview` keeps the case's flow (hold, review, apply the decision, withdraw on a store
cancellation) and asks its `OrderSide` to change the store. Each side runs its external steps
through the case's `run_step` (so a refused step parks the case) and registers its undos in the
case's saga under the shared names below, which the workflow discards when a cancellation in the
store made them unnecessary.

`ShopifyOrderSide` holds the Shopify calls exactly as the workflow made them before the split: the
recorded Shopify histories (`tests/replay_histories`) must replay command for command, so its step
names, activity inputs, summaries and their order must not change without `workflow.patched`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.bigcommerce import BigCommerceActivities
    from activities.models import (
        AwaitCancellationRequest,
        BigCommerceNoteRequest,
        BigCommerceOrderRequest,
        BigCommerceOrderState,
        BigCommerceRefundRequest,
        BigCommerceRefundResult,
        BigCommerceStatusRequest,
        CancelOrderRequest,
        CancelOrderResult,
        HoldOrderRequest,
        HoldOrderResult,
        ReleaseHoldsRequest,
        TagOrderRequest,
    )
    from activities.shopify import ShopifyActivities
    from connectors.bigcommerce.contract import STATUS_CANCELLED, STATUS_HOLD
    from routing.facts import RiskLevel

from workflows.case import API_RETRY, API_TIMEOUT
from workflows.messages import CaseStatus

if TYPE_CHECKING:
    from workflows.order_review import OrderReview

# Saga names shared by every side: the workflow discards them by name.
RELEASE_HOLDS = "release holds"
REMOVE_REVIEW_TAG = "remove review tag"


class OrderSide(Protocol):
    async def hold(self) -> None:
        """Stop the order from being fulfilled and mark it as under review."""

    async def approve(self, how: str) -> None:
        """Release the order and mark it approved; ends with the case's APPROVED status."""

    async def reject(self, how: str) -> None:
        """Cancel (and refund per policy) the order; ends with the case's REJECTED status."""

    def caused_cancellation(self) -> bool:
        """True once this case itself cancelled the order: the store's report of it is our own echo."""


def order_side_for(case: OrderReview) -> OrderSide:
    platform = case.input.platform
    if platform == "shopify":
        return ShopifyOrderSide(case)
    if platform == "bigcommerce":
        return BigCommerceOrderSide(case)
    # Refused at the start rather than half-way: the shim only starts cases for these platforms.
    raise ValueError(f"order review does not support platform {platform!r}")


class ShopifyOrderSide:
    """Holds on every open fulfillment order (found again by handle), tags, the async cancel job."""

    def __init__(self, case: OrderReview) -> None:
        self.case = case
        facts = case.input.facts
        # Unique per app and fulfillment order, <= 64 characters: finds our own holds on a retry.
        self.hold_handle = f"casebridge-review-{facts.order_id}"[:64]

    def caused_cancellation(self) -> bool:
        # Shopify's orders/cancelled after our own cancel arrives while the case is APPLYING, which
        # the workflow already ignores; kept as before so Shopify cases behave exactly as recorded.
        return False

    async def hold(self) -> None:
        case = self.case
        i, facts = case.input, case.input.facts
        reason = "HIGH_RISK_OF_FRAUD" if facts.risk_level is RiskLevel.HIGH else "OTHER"
        held = await case.run_step(
            "hold fulfillment orders",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.hold_order,
                HoldOrderRequest(
                    store=i.store,
                    order_gid=self._order_gid(),
                    handle=self.hold_handle,
                    reason=reason,
                    reason_notes=f"Casebridge review: {'; '.join(i.reasons)}"[:255],
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Hold every open fulfillment order",
            ),
            on_skip=HoldOrderResult(holds=[]),
        )
        case.record("holds placed", ", ".join(h.fulfillment_order_id for h in held.holds) or "none")
        case.saga.add(RELEASE_HOLDS, self._release_holds)
        await case.run_step(
            "tag order for review", lambda: self._tag(add=[i.policy.tags.review], remove=[]), on_skip=None
        )
        case.saga.add(REMOVE_REVIEW_TAG, lambda: self._tag(add=[], remove=[i.policy.tags.review]))

    async def approve(self, how: str) -> None:
        case = self.case
        tags = case.input.policy.tags
        await case.run_step("release holds", self._release_holds, on_skip=None)
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step(
            "tag order approved", lambda: self._tag(add=[tags.approved], remove=[tags.review]), on_skip=None
        )
        case.set_status(CaseStatus.APPROVED, f"Approved ({how}); holds released")

    async def reject(self, how: str) -> None:
        case = self.case
        i, tags, reject = case.input, case.input.policy.tags, case.input.policy.reject
        cancel = await case.run_step(
            "cancel order",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.cancel_order,
                CancelOrderRequest(
                    store=i.store,
                    order_gid=self._order_gid(),
                    reason=reject.cancel_reason,
                    refund=reject.refund,
                    restock=reject.restock,
                    notify_customer=reject.notify_customer,
                    staff_note=reject.staff_note,
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Cancel the order",
            ),
            on_skip=CancelOrderResult(job_id=None),
        )
        # The cancel job runs asynchronously in Shopify; wait for it without recording a poll loop.
        await case.run_step(
            "wait for the cancellation",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.await_cancellation,
                AwaitCancellationRequest(store=i.store, order_gid=self._order_gid(), job_id=cancel.job_id),
                start_to_close_timeout=API_TIMEOUT,
                schedule_to_close_timeout=timedelta(minutes=30),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(seconds=1),
                    backoff_coefficient=1.5,
                    maximum_interval=timedelta(seconds=30),
                ),
                summary="Wait for Shopify's cancel job",
            ),
            on_skip=None,
        )
        # A cancelled order's fulfillment orders are closed: the holds are gone with them.
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step(
            "tag order rejected", lambda: self._tag(add=[tags.rejected], remove=[tags.review]), on_skip=None
        )
        refund = "refunded" if reject.refund else "not refunded"
        case.set_status(CaseStatus.REJECTED, f"Rejected ({how}); order cancelled ({reject.cancel_reason}, {refund})")

    async def _release_holds(self) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.release_holds,
            ReleaseHoldsRequest(store=self.case.input.store, order_gid=self._order_gid(), handle=self.hold_handle),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Release this case's holds",
        )

    async def _tag(self, *, add: list[str], remove: list[str]) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.tag_order,
            TagOrderRequest(store=self.case.input.store, order_gid=self._order_gid(), add=add, remove=remove),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Tag order (+{add} -{remove})",
        )

    def _order_gid(self) -> str:
        facts = self.case.input.facts
        return facts.order_gid or f"gid://shopify/Order/{facts.order_id}"


class BigCommerceOrderSide:
    """BigCommerce has no hold, tag or cancel-with-refund call: the hold is status 12 (Manual
    Verification Required), released by restoring the status the order had before; notes go to
    `staff_notes`; a rejection sets status 5 and then refunds the payment once (keyed by the case).

    Every activity runs on the store's task queue (`OrderReviewInput.store_task_queue`), whose
    activity rate the Temporal server enforces: the store's request quota is shared by all apps.
    """

    def __init__(self, case: OrderReview) -> None:
        self.case = case
        self.order_id = int(case.input.facts.order_id)
        # The status before our hold, read once and kept in workflow state (so in the history):
        # a retried hold must not mistake our own status 12 for the order's original status.
        self.previous_status: int | None = None
        self.cancel_sent = False

    def caused_cancellation(self) -> bool:
        # Our own status-5 write comes back as store/order/statusUpdated; if the case parks on a
        # later step (a refused refund), that echo must not end it as "cancelled in the store".
        return self.cancel_sent

    async def hold(self) -> None:
        case = self.case
        await case.run_step("hold order", self._hold, on_skip=None)
        if self.previous_status is not None:
            case.record("order held", f"status {STATUS_HOLD}; restores status {self.previous_status} on release")
            case.saga.add(RELEASE_HOLDS, self._release)
        reasons = "; ".join(case.input.reasons)
        await case.run_step(
            "note review on order", lambda: self._note(f"Casebridge: held for review ({reasons})"), on_skip=None
        )
        # No undo for the note: staff notes are the order's history, not a state to take back.

    async def approve(self, how: str) -> None:
        case = self.case
        await case.run_step("release hold", self._release, on_skip=None)
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step(
            "note order approved", lambda: self._note(f"Casebridge: approved ({how})"), on_skip=None
        )
        restored = f"status {self.previous_status} restored" if self.previous_status is not None else "no hold"
        case.set_status(CaseStatus.APPROVED, f"Approved ({how}); hold released, {restored}")

    async def reject(self, how: str) -> None:
        case = self.case
        reject = case.input.policy.reject

        async def cancel() -> BigCommerceOrderState:
            self.cancel_sent = True
            return await self._set_status(STATUS_CANCELLED, "Cancel the order (status 5)")

        await case.run_step("cancel order", cancel, on_skip=None)
        # Cancelled replaces the hold status: restoring the old status would reopen the order.
        case.saga.discard(RELEASE_HOLDS)
        refunded = "not refunded"
        if reject.refund:
            # Payments are separate from the status on BigCommerce. A refused refund parks the case
            # with the reason (NEEDS_ATTENTION); `retry` refunds at most once thanks to the key.
            result = await case.run_step("refund payment", self._refund, on_skip=None)
            if result is None:
                refunded = "refund skipped by an operator"
            elif result.refund_id is None:
                refunded = "nothing left to refund"
            else:
                refunded = f"refunded {result.amount} {case.input.facts.currency} (refund {result.refund_id})"
            case.record("refund", refunded)
        await case.run_step(
            "note order rejected", lambda: self._note(f"{reject.staff_note} ({how})"), on_skip=None
        )
        case.set_status(CaseStatus.REJECTED, f"Rejected ({how}); order cancelled (status 5), {refunded}")

    # --- activities ------------------------------------------------------------------------

    def _options(self, summary: str) -> dict[str, Any]:
        return {
            "task_queue": self.case.input.store_task_queue,  # None: the workflow's own queue
            "start_to_close_timeout": API_TIMEOUT,
            "retry_policy": API_RETRY,
            "summary": summary,
        }

    async def _hold(self) -> None:
        if self.previous_status is None:
            state: BigCommerceOrderState = await workflow.execute_activity_method(
                BigCommerceActivities.get_order,
                BigCommerceOrderRequest(store=self.case.input.store, order_id=self.order_id),
                **self._options("Read the order's status before the hold"),
            )
            # Already 12 (held by the merchant or another app): restoring 12 leaves their hold alone.
            self.previous_status = state.status_id
        await self._set_status(STATUS_HOLD, "Hold the order (status 12, Manual Verification Required)")

    async def _release(self) -> None:
        if self.previous_status is None:
            return  # the hold was skipped by an operator: nothing of ours to undo
        await self._set_status(self.previous_status, f"Release the hold (back to status {self.previous_status})")

    async def _set_status(self, status_id: int, summary: str) -> BigCommerceOrderState:
        state: BigCommerceOrderState = await workflow.execute_activity_method(
            BigCommerceActivities.set_status,
            BigCommerceStatusRequest(store=self.case.input.store, order_id=self.order_id, status_id=status_id),
            **self._options(summary),
        )
        return state

    async def _note(self, note: str) -> None:
        await workflow.execute_activity_method(
            BigCommerceActivities.append_staff_note,
            BigCommerceNoteRequest(store=self.case.input.store, order_id=self.order_id, note=note),
            **self._options("Append a staff note"),
        )

    async def _refund(self) -> BigCommerceRefundResult:
        result: BigCommerceRefundResult = await workflow.execute_activity_method(
            BigCommerceActivities.refund_order,
            BigCommerceRefundRequest(
                store=self.case.input.store,
                order_id=self.order_id,
                key=self.case.input.case_id,
                reason=f"Rejected in Casebridge order review {self.case.input.case_id}",
            ),
            **self._options("Refund the payment once"),
        )
        return result
