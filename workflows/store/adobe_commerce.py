"""Adobe Commerce: `hold` / `unhold` (only a hold this case placed is released), the trail in order
comments, a cancellation that refunds what was invoiced with a credit memo and cancels what was not
(Magento cancels neither a held order nor an invoiced part of one), returns as RMAs, and free orders
through a cart of the integration's own made free by the store's coupon.

Whether the order was already on hold is read once before the hold and kept in workflow state, so a
retried hold never mistakes its own hold for the merchant's. Comments and credit memos carry a key
of the case as a marker: a retried write finds the first one instead of writing twice."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.adobe_commerce import AdobeCommerceActivities
    from activities.models import (
        AdobeCommentRequest,
        AdobeOrderRequest,
        AdobeOrderState,
        AdobeRefundRequest,
        AdobeRmaRequest,
        OrderLineUnits,
    )

from workflows.store import base


class AdobeCommerceStore(base.Store):
    activities = AdobeCommerceActivities  # what the worker registers for this platform
    capabilities = base.ORDER_LEVEL

    refund_document = "credit memo"

    def setup(self) -> None:
        self.order_id = int(self.order.order_id)
        self.held_before: bool | None = None  # None until read; True: someone else's hold, left alone
        self.notes = 0  # numbers the comment markers: one key per comment of this case

    def supports(self, capability: base.Capability) -> bool:
        if capability is base.Capability.CANCEL_LINES:
            # Magento cancels no single line: cancelled lines are a credit memo, which only
            # invoiced units can have.
            return bool(self.order.fully_invoiced)
        if capability is base.Capability.FREE_ORDERS:
            # REST cannot set an item's price: a free order needs the store's 100%-off coupon.
            return self.order.free_order_coupon is not None
        return super().supports(capability)

    # --- HOLD ------------------------------------------------------------------------------

    async def hold(self, reason: base.HoldReason, note: str, *, purpose: str) -> base.Held:
        await self.case.run_step("hold order", self._hold, on_skip=None)
        if self.held_before is False:
            return self.hold_placed("order held", "Adobe Commerce hold; released on approval")
        if self.held_before:
            self.case.record("order already on hold", "held outside Casebridge; that hold is left in place")
            return base.Held(placed=False, detail="already on hold outside Casebridge; left in place")
        return base.Held(placed=False, detail="hold skipped by an operator")

    async def _hold(self) -> None:
        if self.held_before is None:
            self.held_before = (await self._read()).state == "holded"
        if not self.held_before:
            await self.call(AdobeCommerceActivities.hold_order, self._request(), "Hold the order")

    async def undo_hold(self) -> None:
        if not self.holding:
            return  # not held by this case (skipped, or the merchant's own hold): leave it
        await self.call(AdobeCommerceActivities.unhold_order, self._request(), "Release the hold")

    def _request(self) -> AdobeOrderRequest:
        return AdobeOrderRequest(store=self.order.store, order_id=self.order_id)

    async def _read(self) -> AdobeOrderState:
        return await self.call(AdobeCommerceActivities.get_order, self._request(), "Read the order")

    # --- NOTES -----------------------------------------------------------------------------

    async def note(self, text: str, *, notify_customer: bool = False) -> None:
        self.notes += 1  # numbered before the step: a retried step writes under the same key
        request = AdobeCommentRequest(
            store=self.order.store,
            order_id=self.order_id,
            comment=text,
            key=f"{self.order.key}#{self.notes}",
            notify_customer=notify_customer,
        )
        await self.step("comment on order", AdobeCommerceActivities.add_comment_once, request, "Add an order comment")

    # --- CANCEL and REFUNDS ----------------------------------------------------------------

    async def cancel(self, request: base.CancelRequest) -> base.Cancellation:
        """Release our hold (neither cancel nor a credit memo is possible while held), refund what was
        paid with one credit memo (Magento gives none for a cancelled order), cancel the rest."""
        await self.release_hold()
        order = await self.case.run_step("read order", self._read, on_skip=None)
        owed = order is not None and order.total_paid > order.total_refunded
        refund: base.Refund | None = None
        skipped = False
        if request.refund and owed:
            memo = AdobeRefundRequest(
                store=self.order.store,
                order_id=self.order_id,
                key=self.order.key,
                comment=request.refund_reason,
                notify_customer=request.notify_customer,
            )
            result = await self.step(
                "refund invoiced amount",
                AdobeCommerceActivities.refund_once,
                memo,
                "Refund the invoiced amount once (credit memo)",
            )
            skipped = result is None
            if result is not None:
                refund = self.refund_made(result.credit_memo_id, result.amount, result.created)
            order = await self.case.run_step("read order", self._read, on_skip=None)
        cancelled = order is None or order.cancellable
        if cancelled:

            async def cancel() -> AdobeOrderState:
                self.cancel_sent = True
                return await self.call(AdobeCommerceActivities.cancel_order, self._request(), "Cancel the order")

            await self.case.run_step("cancel order", cancel, on_skip=None)
        return base.Cancellation(
            refund=refund, refund_skipped=skipped, refund_withheld=owed and not request.refund, cancelled=cancelled
        )

    # --- RETURNS ---------------------------------------------------------------------------

    async def approve_return(self, ret: base.ReturnRef, note: str, *, notify_customer: bool) -> str | None:
        """Authorise every item of the RMA for its requested quantity, and comment on the order."""
        rma = AdobeRmaRequest(store=self.order.store, rma_id=int(ret.return_id))
        state = await self.step("authorize return", AdobeCommerceActivities.authorize_return, rma, "Authorise the RMA")
        await self.note(note, notify_customer=notify_customer)
        return None if state is None else state.status

    async def decline_return(self, ret: base.ReturnRef, note: str, *, reason: str, notify_customer: bool) -> str | None:
        """Deny the RMA's items (Magento then closes it), and comment on the order."""
        rma = AdobeRmaRequest(store=self.order.store, rma_id=int(ret.return_id))
        state = await self.step("deny return", AdobeCommerceActivities.deny_return, rma, "Deny the RMA's items")
        await self.note(note, notify_customer=notify_customer)
        return None if state is None else state.status

    # --- line edits ------------------------------------------------------------------------

    async def _cancel_found_lines(
        self, found: list[OrderLineUnits], edit: base.LineEdit, *, key: str
    ) -> base.LinesCancelled:
        """A credit memo for the lines' invoiced units, once; the hold is released first (Magento
        writes no credit memo for a held order)."""
        await self.release_hold()
        return await super()._cancel_found_lines(found, edit, key=key)
