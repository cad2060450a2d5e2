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

from collections.abc import Awaitable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.adobe_commerce import AdobeCommerceActivities
    from activities.bigcommerce import BigCommerceActivities
    from activities.models import (
        AdobeCommentRequest,
        AdobeOrderRequest,
        AdobeOrderState,
        AdobeRefundRequest,
        AdobeRefundResult,
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

from workflows.case import API_RETRY, API_TIMEOUT, CaseWorkflow, store_call
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
    i = case.input
    if platform in ("bigcommerce", "adobe-commerce"):
        actions = BigCommerceOrder if platform == "bigcommerce" else AdobeOrder
        order = actions(
            case,
            store=i.store,
            order_id=int(i.facts.order_id),
            key=i.case_id,
            currency=i.facts.currency,
            task_queue=i.store_task_queue,
        )
        return PlatformOrderSide(case, order)
    # Refused at the start rather than half-way: the shim only starts cases for these platforms.
    raise ValueError(f"order review does not support platform {platform!r}")


class ShopifyOrder:
    """The Shopify calls every case type makes on an order: holds on every open fulfillment order
    under a handle of the case's own (so a retry finds them and other holds are left alone), tags,
    and the asynchronous cancel job. Each returns the activity's awaitable for the case's `run_step`."""

    def __init__(self, store: str, order_gid: str, handle: str) -> None:
        self.store, self.order_gid = store, order_gid
        # Unique per app and fulfillment order, <= 64 characters.
        self.handle = handle[:64]

    def hold(self, reason: str, reason_notes: str) -> Awaitable[HoldOrderResult]:
        return workflow.execute_activity_method(
            ShopifyActivities.hold_order,
            HoldOrderRequest(
                store=self.store, order_gid=self.order_gid, handle=self.handle, reason=reason, reason_notes=reason_notes
            ),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Hold every open fulfillment order",
        )

    async def release_holds(self) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.release_holds,
            ReleaseHoldsRequest(store=self.store, order_gid=self.order_gid, handle=self.handle),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Release this case's holds",
        )

    async def tag(self, *, add: list[str], remove: list[str]) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.tag_order,
            TagOrderRequest(store=self.store, order_gid=self.order_gid, add=add, remove=remove),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Tag order (+{add} -{remove})",
        )

    def cancel(
        self, *, reason: str, refund: bool, restock: bool, notify_customer: bool, staff_note: str
    ) -> Awaitable[CancelOrderResult]:
        return workflow.execute_activity_method(
            ShopifyActivities.cancel_order,
            CancelOrderRequest(
                store=self.store,
                order_gid=self.order_gid,
                reason=reason,
                refund=refund,
                restock=restock,
                notify_customer=notify_customer,
                staff_note=staff_note,
            ),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Cancel the order",
        )

    def await_cancellation(self, job_id: str | None) -> Awaitable[None]:
        """The cancel job runs asynchronously in Shopify; wait for it without recording a poll loop."""
        return workflow.execute_activity_method(
            ShopifyActivities.await_cancellation,
            AwaitCancellationRequest(store=self.store, order_gid=self.order_gid, job_id=job_id),
            start_to_close_timeout=API_TIMEOUT,
            schedule_to_close_timeout=timedelta(minutes=30),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=1),
                backoff_coefficient=1.5,
                maximum_interval=timedelta(seconds=30),
            ),
            summary="Wait for Shopify's cancel job",
        )


class ShopifyOrderSide:
    """Order review on Shopify: `ShopifyOrder`'s holds (handle `casebridge-review-{order}`), the
    review tags, the cancel job with refund and restock per the policy."""

    def __init__(self, case: OrderReview) -> None:
        self.case = case
        facts = case.input.facts
        self.order = ShopifyOrder(
            case.input.store,
            facts.order_gid or f"gid://shopify/Order/{facts.order_id}",
            f"casebridge-review-{facts.order_id}",
        )

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
            lambda: self.order.hold(reason, f"Casebridge review: {'; '.join(i.reasons)}"[:255]),
            on_skip=HoldOrderResult(holds=[]),
        )
        case.record("holds placed", ", ".join(h.fulfillment_order_id for h in held.holds) or "none")
        case.saga.add(RELEASE_HOLDS, self.order.release_holds)
        await case.run_step(
            "tag order for review", lambda: self.order.tag(add=[i.policy.tags.review], remove=[]), on_skip=None
        )
        case.saga.add(REMOVE_REVIEW_TAG, lambda: self.order.tag(add=[], remove=[i.policy.tags.review]))

    async def approve(self, how: str) -> None:
        case = self.case
        tags = case.input.policy.tags
        await case.run_step("release holds", self.order.release_holds, on_skip=None)
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step(
            "tag order approved", lambda: self.order.tag(add=[tags.approved], remove=[tags.review]), on_skip=None
        )
        case.set_status(CaseStatus.APPROVED, f"Approved ({how}); holds released")

    async def reject(self, how: str) -> None:
        case = self.case
        tags, reject = case.input.policy.tags, case.input.policy.reject
        cancel = await case.run_step(
            "cancel order",
            lambda: self.order.cancel(
                reason=reject.cancel_reason,
                refund=reject.refund,
                restock=reject.restock,
                notify_customer=reject.notify_customer,
                staff_note=reject.staff_note,
            ),
            on_skip=CancelOrderResult(job_id=None),
        )
        await case.run_step(
            "wait for the cancellation", lambda: self.order.await_cancellation(cancel.job_id), on_skip=None
        )
        # A cancelled order's fulfillment orders are closed: the holds are gone with them.
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step(
            "tag order rejected", lambda: self.order.tag(add=[tags.rejected], remove=[tags.review]), on_skip=None
        )
        refund = "refunded" if reject.refund else "not refunded"
        case.set_status(CaseStatus.REJECTED, f"Rejected ({how}); order cancelled ({reject.cancel_reason}, {refund})")


class OrderActions(Protocol):
    """The order-level calls a case makes on a platform without Shopify's holds: `BigCommerceOrder`
    and `AdobeOrder`. Each returns what it did, in words for the case's detail."""

    cancel_sent: bool

    async def hold(self, note: str) -> None: ...

    async def release(self, note: str) -> str: ...

    async def cancel(self, note: str, *, refund: bool, refund_reason: str, notify_customer: bool) -> str: ...


class PlatformOrderSide:
    """Order review on BigCommerce or Adobe Commerce: the platform's `OrderActions`, with the
    review's notes and statuses."""

    def __init__(self, case: OrderReview, order: OrderActions) -> None:
        self.case, self.order = case, order

    def caused_cancellation(self) -> bool:
        # Our own cancellation comes back as a store event; if the case parks on a later step (a
        # refused refund), that echo must not end it as "cancelled in the store".
        return self.order.cancel_sent

    async def hold(self) -> None:
        await self.order.hold(f"Casebridge: held for review ({'; '.join(self.case.input.reasons)})")

    async def approve(self, how: str) -> None:
        released = await self.order.release(f"Casebridge: approved ({how})")
        self.case.set_status(CaseStatus.APPROVED, f"Approved ({how}); {released}")

    async def reject(self, how: str) -> None:
        i, reject = self.case.input, self.case.input.policy.reject
        done = await self.order.cancel(
            f"{reject.staff_note} ({how})",
            refund=reject.refund,
            refund_reason=f"Rejected in Casebridge order review {i.case_id}",
            notify_customer=reject.notify_customer,
        )
        self.case.set_status(CaseStatus.REJECTED, f"Rejected ({how}); {done}")


class BigCommerceOrder:
    """BigCommerce has no hold, tag or cancel-with-refund call: the hold is status 12 (Manual
    Verification Required), released by restoring the status the order had before; notes go to
    `staff_notes`; cancelling sets status 5 and then refunds the payment once (keyed by the case).
    Every case type that holds or cancels a BigCommerce order uses this.

    Every activity runs on the store's task queue (`task_queue`), whose activity rate the Temporal
    server enforces: the store's request quota is shared by all apps.
    """

    def __init__(
        self, case: CaseWorkflow, *, store: str, order_id: int, key: str, currency: str, task_queue: str | None
    ) -> None:
        self.case, self.store, self.order_id, self.key = case, store, order_id, key
        self.currency, self.task_queue = currency, task_queue
        # The status before our hold, read once and kept in workflow state (so in the history):
        # a retried hold must not mistake our own status 12 for the order's original status.
        self.previous_status: int | None = None
        self.cancel_sent = False

    async def hold(self, note: str) -> None:
        case = self.case
        await case.run_step("hold order", self._hold, on_skip=None)
        if self.previous_status is not None:
            case.record("order held", f"status {STATUS_HOLD}; restores status {self.previous_status} on release")
            case.saga.add(RELEASE_HOLDS, self._release)
        await case.run_step("note on order", lambda: self._note(note), on_skip=None)
        # No undo for the note: staff notes are the order's history, not a state to take back.

    async def release(self, note: str) -> str:
        """Restore the status before the hold; returns what was restored, for the case's detail."""
        case = self.case
        await case.run_step("release hold", self._release, on_skip=None)
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step("note on order", lambda: self._note(note), on_skip=None)
        if self.previous_status is None:
            return "no hold of ours to release"
        return f"hold released, status {self.previous_status} restored"

    async def cancel(self, note: str, *, refund: bool, refund_reason: str, notify_customer: bool = False) -> str:
        """Status 5, then (per `refund`) the payment back once; returns what was done. BigCommerce
        sends the customer no message of its own for either (`notify_customer` has no effect)."""
        case = self.case

        async def cancel() -> BigCommerceOrderState:
            self.cancel_sent = True
            return await self._set_status(STATUS_CANCELLED, "Cancel the order (status 5)")

        await case.run_step("cancel order", cancel, on_skip=None)
        # Cancelled replaces the hold status: restoring the old status would reopen the order.
        case.saga.discard(RELEASE_HOLDS)
        refunded = "not refunded"
        if refund:
            # Payments are separate from the status on BigCommerce. A refused refund parks the case
            # with the reason (NEEDS_ATTENTION); `retry` refunds at most once thanks to the key.
            result = await case.run_step("refund payment", lambda: self._refund(refund_reason), on_skip=None)
            if result is None:
                refunded = "refund skipped by an operator"
            elif result.refund_id is None:
                refunded = "nothing left to refund"
            else:
                refunded = f"refunded {result.amount:.2f} {self.currency} (refund {result.refund_id})"
            case.record("refund", refunded)
        await case.run_step("note on order", lambda: self._note(note), on_skip=None)
        return f"order cancelled (status 5), {refunded}"

    # --- activities ------------------------------------------------------------------------

    def _options(self, summary: str) -> dict[str, Any]:
        return store_call(summary, self.task_queue)

    async def _hold(self) -> None:
        if self.previous_status is None:
            state: BigCommerceOrderState = await workflow.execute_activity_method(
                BigCommerceActivities.get_order,
                BigCommerceOrderRequest(store=self.store, order_id=self.order_id),
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
            BigCommerceStatusRequest(store=self.store, order_id=self.order_id, status_id=status_id),
            **self._options(summary),
        )
        return state

    async def _note(self, note: str) -> None:
        await workflow.execute_activity_method(
            BigCommerceActivities.append_staff_note,
            BigCommerceNoteRequest(store=self.store, order_id=self.order_id, note=note),
            **self._options("Append a staff note"),
        )

    async def _refund(self, reason: str) -> BigCommerceRefundResult:
        result: BigCommerceRefundResult = await workflow.execute_activity_method(
            BigCommerceActivities.refund_order,
            BigCommerceRefundRequest(store=self.store, order_id=self.order_id, key=self.key, reason=reason),
            **self._options("Refund the payment once"),
        )
        return result


class AdobeOrder:
    """Adobe Commerce: `hold` / `unhold` (only a hold this case placed is released), the trail in
    order comments, and a cancellation that refunds what was invoiced with a credit memo and cancels
    what was not (Magento cancels neither a held order nor an invoiced part of one). Every case type
    that holds or cancels an Adobe Commerce order uses this.

    Whether the order was already on hold is read once before the hold and kept in workflow state,
    so a retried hold never mistakes its own hold for the merchant's. Comments and the credit memo
    carry the case id as a marker: a retried write finds the first one instead of writing twice.
    """

    def __init__(
        self, case: CaseWorkflow, *, store: str, order_id: int, key: str, currency: str, task_queue: str | None
    ) -> None:
        self.case, self.store, self.order_id, self.key = case, store, order_id, key
        self.currency, self.task_queue = currency, task_queue
        self.held_before: bool | None = None  # None until read; True: someone else's hold, left alone
        self.cancel_sent = False
        self.comments = 0  # numbers the comment markers (one key per comment of this case)

    async def hold(self, comment: str) -> None:
        case = self.case
        await case.run_step("hold order", self._hold, on_skip=None)
        if self.held_before is False:
            case.record("order held", "Adobe Commerce hold; released on approval")
            case.saga.add(RELEASE_HOLDS, self._release)
        elif self.held_before:
            case.record("order already on hold", "held outside Casebridge; that hold is left in place")
        await case.run_step("comment on order", lambda: self._comment(comment), on_skip=None)

    async def release(self, comment: str) -> str:
        case = self.case
        await case.run_step("release hold", self._release, on_skip=None)
        case.saga.discard(RELEASE_HOLDS)
        await case.run_step("comment on order", lambda: self._comment(comment), on_skip=None)
        return "hold released" if self.held_before is False else "no hold of ours to release"

    async def cancel(self, comment: str, *, refund: bool, refund_reason: str, notify_customer: bool) -> str:
        """Refund what was paid (per `refund`), cancel what was not invoiced; returns what was done."""
        case = self.case
        # Neither cancel nor a credit memo is possible while the order is held.
        await case.run_step("release hold before cancelling", self._release, on_skip=None)
        case.saga.discard(RELEASE_HOLDS)
        order = await case.run_step("read order", self._read, on_skip=None)
        done: list[str] = []
        if refund and order is not None and order.total_paid > order.total_refunded:
            # Refund first: Magento gives no credit memo for a cancelled order.
            result = await case.run_step(
                "refund invoiced amount", lambda: self._refund(refund_reason, notify_customer), on_skip=None
            )
            if result is None:
                done.append("refund skipped by an operator")
            elif result.credit_memo_id is None:
                done.append("nothing left to refund")
            else:
                done.append(f"refunded {result.amount:.2f} {self.currency} (credit memo {result.credit_memo_id})")
            case.record("refund", done[-1])
            order = await case.run_step("read order", self._read, on_skip=None)
        elif order is not None and order.total_paid > order.total_refunded:
            done.append("invoiced amount not refunded (policy)")
        if order is None or order.cancellable:

            async def cancel() -> AdobeOrderState:
                self.cancel_sent = True
                return await self._call(AdobeCommerceActivities.cancel_order, "Cancel the order")

            await case.run_step("cancel order", cancel, on_skip=None)
            done.insert(0, "order cancelled")
        await case.run_step("comment on order", lambda: self._comment(comment, notify=notify_customer), on_skip=None)
        return ", ".join(done) or "nothing to cancel"

    # --- activities ------------------------------------------------------------------------

    def _request(self) -> AdobeOrderRequest:
        return AdobeOrderRequest(store=self.store, order_id=self.order_id)

    async def _call(self, activity: Any, summary: str) -> AdobeOrderState:
        state: AdobeOrderState = await workflow.execute_activity_method(
            activity,
            self._request(),
            task_queue=self.task_queue,
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=summary,
        )
        return state

    async def _read(self) -> AdobeOrderState:
        return await self._call(AdobeCommerceActivities.get_order, "Read the order")

    async def _hold(self) -> None:
        if self.held_before is None:
            before = await self._read()
            self.held_before = before.state == "holded"
        if not self.held_before:
            await self._call(AdobeCommerceActivities.hold_order, "Hold the order")

    async def _release(self) -> None:
        if self.held_before is not False:
            return  # not held by this case (skipped, or the merchant's own hold): leave it
        await self._call(AdobeCommerceActivities.unhold_order, "Release the hold")

    async def _comment(self, text: str, *, notify: bool = False) -> None:
        self.comments += 1
        await workflow.execute_activity_method(
            AdobeCommerceActivities.add_comment_once,
            AdobeCommentRequest(
                store=self.store,
                order_id=self.order_id,
                comment=text,
                key=f"{self.key}#{self.comments}",
                notify_customer=notify,
            ),
            task_queue=self.task_queue,
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Add an order comment",
        )

    async def _refund(self, comment: str, notify: bool) -> AdobeRefundResult:
        result: AdobeRefundResult = await workflow.execute_activity_method(
            AdobeCommerceActivities.refund_once,
            AdobeRefundRequest(
                store=self.store, order_id=self.order_id, key=self.key, comment=comment, notify_customer=notify
            ),
            task_queue=self.task_queue,
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Refund the invoiced amount once (credit memo)",
        )
        return result
