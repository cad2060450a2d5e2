"""Shopify: holds on every open fulfillment order under a handle of the case's own (so a retry finds
them and other apps' holds are left alone), tags for the trail, the asynchronous cancel job,
returns through the Returns API, order edits for lines and draft orders for free orders."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        AwaitCancellationRequest,
        CancelOrderRequest,
        DeclineReturnRequest,
        HoldOrderRequest,
        HoldOrderResult,
        LineQuantity,
        ReleaseHoldsRequest,
        ReturnStatusRequest,
        ShopifyCancelLinesRequest,
        ShopifyLineCancelPlan,
        ShopifySplitShipmentRequest,
        TagOrderRequest,
    )
    from activities.shopify import ShopifyActivities

from workflows.saga import Undo
from workflows.store import base

# The cancel job runs asynchronously in Shopify: its activity is retried until the job is done,
# so the polling happens in the server rather than as events in the case's history.
CANCEL_JOB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=1.5, maximum_interval=timedelta(seconds=30)
)


class ShopifyStore(base.Store):
    activities = ShopifyActivities  # what the worker registers for this platform
    capabilities = frozenset(base.Capability) - {base.Capability.NOTES}
    release_step = "release holds"  # every open fulfillment order's

    def setup(self) -> None:
        self.order_gid = self.order.order_gid or f"gid://shopify/Order/{self.order.order_id}"
        self.handle: str | None = None  # the case's hold handle, once it held the order

    # --- HOLD ------------------------------------------------------------------------------

    async def hold(self, reason: base.HoldReason, note: str, *, purpose: str) -> base.Held:
        # Unique per app and fulfillment order, <= 64 characters.
        self.handle = f"casebridge-{purpose}-{self.order.order_id}"[:64]
        request = HoldOrderRequest(
            store=self.order.store, order_gid=self.order_gid, handle=self.handle, reason=reason, reason_notes=note[:255]
        )
        held = await self.step(
            "hold fulfillment orders", ShopifyActivities.hold_order, request, "Hold every open fulfillment order"
        ) or HoldOrderResult(holds=[])
        # Registered even when nothing was held: the release finds our holds by handle, if any.
        return self.hold_placed("holds placed", ", ".join(h.fulfillment_order_id for h in held.holds) or "none")

    @property
    def order_ref(self) -> str:
        return self.order_gid

    async def undo_hold(self) -> None:
        assert self.handle is not None
        request = ReleaseHoldsRequest(store=self.order.store, order_gid=self.order_gid, handle=self.handle)
        await self.call(ShopifyActivities.release_holds, request, "Release this case's holds")

    # --- TAGS ------------------------------------------------------------------------------

    async def tag(self, *, add: list[str], remove: list[str], undoable: bool = False) -> None:
        step = "tag order " + " ".join([*(f"+{t}" for t in add), *(f"-{t}" for t in remove)])
        await self.case.run_step(step, lambda: self._tag(add, remove), on_skip=None)
        if undoable and add:
            self.case.saga.add(Undo.REMOVE_TAGS, lambda: self._tag([], add))

    async def _tag(self, add: list[str], remove: list[str]) -> None:
        request = TagOrderRequest(store=self.order.store, order_gid=self.order_gid, add=add, remove=remove)
        await self.call(ShopifyActivities.tag_order, request, f"Tag order (+{add} -{remove})")

    # --- CANCEL and REFUNDS ----------------------------------------------------------------

    async def cancel(self, request: base.CancelRequest) -> base.Cancellation:
        """Shopify's cancel job refunds (per the request) and restocks; the step waits for it."""
        self.cancel_sent = True
        cancel = CancelOrderRequest(
            store=self.order.store,
            order_gid=self.order_gid,
            reason=request.reason,
            refund=request.refund,
            restock=request.restock,
            notify_customer=request.notify_customer,
            staff_note=request.note[:255],
        )
        job = await self.step("cancel order", ShopifyActivities.cancel_order, cancel, "Cancel the order")
        wait = AwaitCancellationRequest(
            store=self.order.store, order_gid=self.order_gid, job_id=job.job_id if job else None
        )
        await self.step(
            "wait for the cancellation",
            ShopifyActivities.await_cancellation,
            wait,
            "Wait for Shopify's cancel job",
            schedule_to_close_timeout=timedelta(minutes=30),
            retry_policy=CANCEL_JOB_RETRY,
        )
        self.forget_hold()  # a cancelled order's fulfillment orders are closed: the holds went with them
        return base.Cancellation(refund=None, refunded_by_platform=request.refund)

    # --- RETURNS ---------------------------------------------------------------------------

    async def approve_return(self, ret: base.ReturnRef, note: str, *, notify_customer: bool) -> str | None:
        request = ReturnStatusRequest(
            store=self.order.store, return_gid=ret.return_gid, notify_customer=notify_customer
        )
        result = await self.step(
            "approve return", ShopifyActivities.approve_return, request, f"Approve return {ret.name}"
        )
        return None if result is None else result.status

    async def decline_return(self, ret: base.ReturnRef, note: str, *, reason: str, notify_customer: bool) -> str | None:
        request = DeclineReturnRequest(
            store=self.order.store,
            return_gid=ret.return_gid,
            reason=reason,
            note=note[:255],
            notify_customer=notify_customer,
        )
        result = await self.step(
            "decline return", ShopifyActivities.decline_return, request, f"Decline return {ret.name}"
        )
        return None if result is None else result.status

    # --- line edits ------------------------------------------------------------------------

    async def _cancel_found_lines(
        self, plan: ShopifyLineCancelPlan, edit: base.LineEdit, *, key: str
    ) -> base.LinesCancelled:
        """The plan (which order lines, what they are lowered to, what the units are worth) is kept
        in the history; then one order edit and one refund of the removed units, while held."""
        if not plan.targets:
            return base.LinesCancelled(refund=None, nothing_to_cancel=True)
        cancel = ShopifyCancelLinesRequest(
            store=self.order.store,
            order_gid=self.order_gid,
            key=key,
            targets=plan.targets,
            refund_amount=plan.refund_amount,
            restock=edit.restock,
            notify_customer=edit.notify_customer,
            staff_note=edit.staff_note[:255],
            refund_note=edit.refund_note,
        )
        result = await self.step(
            "cancel lines",
            ShopifyActivities.cancel_lines,
            cancel,
            "Edit the order (lower the lines) and refund them once",
        )
        if result is None:
            return base.LinesCancelled(refund=None, skipped=True)
        refund = base.Refund(
            refund_id=result.refund_id, amount=result.amount, currency=plan.currency, created=result.edited
        )
        return base.LinesCancelled(refund=refund)

    async def split_shipment(self, lines: list[LineQuantity], reason: base.HoldReason, note: str) -> list[str] | None:
        """The lines move to a fulfillment order of their own, held under a handle that outlives the
        case (staff release it when the stock is there); the case's holds are released."""
        assert self.handle is not None, "split-shipment needs the case's hold"
        request = ShopifySplitShipmentRequest(
            store=self.order.store,
            order_gid=self.order_gid,
            case_handle=self.handle,
            waiting_handle=f"casebridge-waiting-{self.order.order_id}"[:64],
            lines=lines,
            reason=reason,
            reason_notes=note[:255],
        )
        result = await self.step(
            "split shipment",
            ShopifyActivities.split_shipment,
            request,
            "Split the reported lines off and keep them held; release the rest",
        )
        return None if result is None else result.waiting
