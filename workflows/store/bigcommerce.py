"""BigCommerce has no hold, tag, returns or cancel-with-refund call: the hold is status 12 (Manual
Verification Required), released by restoring the status the order had before; the trail is staff
notes; cancelling sets status 5 and then refunds the payment once (keyed by the case); returns live
in the form or RMA app that reported them, so approving one is a note and its refund is a refund of
the returned products by quantity, marked with the case id."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bigcommerce import CANCELLED_STATUS, HOLD_STATUS, BigCommerceActivities
    from activities.models import (
        BigCommerceNoteRequest,
        BigCommerceOrderRequest,
        BigCommerceRefundRequest,
        BigCommerceStatusRequest,
    )

from workflows.store import base


class BigCommerceStore(base.Store):
    activities = BigCommerceActivities  # what the worker registers for this platform
    capabilities = base.ORDER_LEVEL | {base.Capability.SUBSTITUTE_LINES}

    def setup(self) -> None:
        self.order_id = int(self.order.order_id)
        # The status before our hold, read once and kept in workflow state (so in the history): a
        # retried hold must not mistake our own status 12 for the order's original status.
        self.previous_status: int | None = None

    # --- HOLD ------------------------------------------------------------------------------

    async def hold(self, reason: base.HoldReason, note: str, *, purpose: str) -> base.Held:
        await self.case.run_step("hold order", self._hold, on_skip=None)
        if self.previous_status is None:
            return base.Held(placed=False, detail="hold skipped by an operator")
        return self.hold_placed(
            "order held", f"status {HOLD_STATUS}; restores status {self.previous_status} on release"
        )

    async def _hold(self) -> None:
        if self.previous_status is None:
            state = await self.call(
                BigCommerceActivities.get_order, self._request(), "Read the order's status before the hold"
            )
            # Already 12 (held by the merchant or another app): restoring 12 leaves their hold alone.
            self.previous_status = state.status_id
        await self._set_status(HOLD_STATUS, f"Hold the order (status {HOLD_STATUS}, Manual Verification Required)")

    async def undo_hold(self) -> None:
        if self.previous_status is None or not self.holding:
            return  # nothing of ours to undo
        await self._set_status(self.previous_status, f"Release the hold (back to status {self.previous_status})")

    async def _set_status(self, status_id: int, summary: str) -> None:
        request = BigCommerceStatusRequest(store=self.order.store, order_id=self.order_id, status_id=status_id)
        await self.call(BigCommerceActivities.set_status, request, summary)

    def _request(self) -> BigCommerceOrderRequest:
        return BigCommerceOrderRequest(store=self.order.store, order_id=self.order_id)

    # --- NOTES -----------------------------------------------------------------------------

    async def note(self, text: str, *, notify_customer: bool = False) -> None:
        """A staff note (BigCommerce sends the customer nothing for it). No undo: staff notes are
        the order's history, not a state to take back."""
        request = BigCommerceNoteRequest(store=self.order.store, order_id=self.order_id, note=text)
        await self.step("note on order", BigCommerceActivities.append_staff_note, request, "Append a staff note")

    # --- CANCEL and REFUNDS ----------------------------------------------------------------

    async def cancel(self, request: base.CancelRequest) -> base.Cancellation:
        """Status 5, then (per the request) the payment back once. BigCommerce sends the customer no
        message of its own for either."""

        async def cancel() -> None:
            self.cancel_sent = True
            await self._set_status(CANCELLED_STATUS, f"Cancel the order (status {CANCELLED_STATUS})")

        await self.case.run_step("cancel order", cancel, on_skip=None)
        self.forget_hold()  # cancelled replaces the hold status: restoring the old one would reopen it
        if not request.refund:
            return base.Cancellation(refund=None, refund_withheld=True)
        # Payments are separate from the status on BigCommerce. A refused refund parks the case;
        # `retry` refunds at most once thanks to the key.
        refund = BigCommerceRefundRequest(
            store=self.order.store, order_id=self.order_id, key=self.order.key, reason=request.refund_reason
        )
        result = await self.step(
            "refund payment", BigCommerceActivities.refund_order, refund, "Refund the payment once"
        )
        if result is None:
            return base.Cancellation(refund=None, refund_skipped=True)
        return base.Cancellation(refund=self.refund_made(result.refund_id, result.amount, result.created))

    # --- RETURNS ---------------------------------------------------------------------------

    async def approve_return(self, ret: base.ReturnRef, note: str, *, notify_customer: bool) -> str | None:
        await self.note(note)
        return "noted"

    async def decline_return(self, ret: base.ReturnRef, note: str, *, reason: str, notify_customer: bool) -> str | None:
        await self.note(note)
        return "noted"
