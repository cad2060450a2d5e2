"""The store side of a fulfillment exception, per platform: hold, release, cancel.

`FulfillmentException` keeps the flow (hold, panel of teams, apply the resolution) and asks its
`FulfillmentSide` to change the store, as the order review does with its `OrderSide`. Steps run
through the case's `run_step` (a refused step parks the case) and register their undo in the saga.
BigCommerce and Adobe Commerce reuse the order-level calls of the order review
(`workflows.store_side.BigCommerceOrder`, `AdobeOrder`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        AwaitCancellationRequest,
        CancelOrderRequest,
        CancelOrderResult,
        HoldOrderRequest,
        HoldOrderResult,
        ReleaseHoldsRequest,
        TagOrderRequest,
    )
    from activities.shopify import ShopifyActivities
    from routing.fulfillment_policy import ExceptionType

from workflows.case import API_RETRY, API_TIMEOUT
from workflows.store_side import AdobeOrder, BigCommerceOrder

if TYPE_CHECKING:
    from workflows.fulfillment_exception import FulfillmentException

HOLD = "release exception hold"  # the saga name of the hold's undo

# Shopify's FulfillmentHoldReason for each exception type (what other apps and staff see).
SHOPIFY_HOLD_REASONS = {
    ExceptionType.INVENTORY_SHORTAGE: "INVENTORY_OUT_OF_STOCK",
    ExceptionType.BACKORDER: "INVENTORY_OUT_OF_STOCK",
    ExceptionType.ADDRESS_VALIDATION: "INCORRECT_ADDRESS",
    ExceptionType.PAYMENT_EXCEPTION: "AWAITING_PAYMENT",
    ExceptionType.CARRIER_DELAY: "UNKNOWN_DELIVERY_DATE",
    ExceptionType.PRICING_DISCREPANCY: "OTHER",
}


class FulfillmentSide(Protocol):
    async def hold(self) -> None:
        """Stop the order from shipping while the teams decide; mark it."""

    async def release(self, how: str, *, new_delivery_date: bool) -> None:
        """Let the order ship again; mark it (and its new delivery date)."""

    async def cancel_order(self, how: str) -> None:
        """Cancel the order (refund and restock per the policy)."""


def fulfillment_side_for(case: FulfillmentException) -> FulfillmentSide:
    platform = case.input.platform
    if platform == "shopify":
        return ShopifyFulfillmentSide(case)
    if platform == "bigcommerce":
        return BigCommerceFulfillmentSide(case)
    if platform == "adobe-commerce":
        return AdobeFulfillmentSide(case)
    # Refused at the start rather than half-way: the shim only starts cases for these platforms.
    raise ValueError(f"fulfillment exceptions do not support platform {platform!r}")


def _exception_note(case: FulfillmentException) -> str:
    report = case.input.report
    return f"Casebridge: fulfillment exception ({report.exception_type.value}): {report.summary}"


def _resolved_note(how: str, *, new_delivery_date: bool) -> str:
    what = "ships with a new delivery date" if new_delivery_date else "ships as ordered"
    return f"Casebridge: fulfillment exception resolved, {what} ({how})"


class BigCommerceFulfillmentSide:
    """Status 12 while the teams decide (the previous status restored after), staff notes, and
    status 5 plus one refund on `cancel-order`: the calls the order review makes too."""

    def __init__(self, case: FulfillmentException) -> None:
        self.case = case
        i = case.input
        self.order = BigCommerceOrder(
            case,
            store=i.store,
            order_id=int(i.order.order_id),
            key=i.case_id,
            currency=i.order.currency or "",
            task_queue=i.store_task_queue,
        )

    async def hold(self) -> None:
        await self.order.hold(_exception_note(self.case))

    async def release(self, how: str, *, new_delivery_date: bool) -> None:
        await self.order.release(_resolved_note(how, new_delivery_date=new_delivery_date))

    async def cancel_order(self, how: str) -> None:
        cancel = self.case.input.policy.cancel
        refunded = await self.order.cancel(
            f"Casebridge: order cancelled on a fulfillment exception ({how})",
            refund=cancel.refund,
            refund_reason=f"Cancelled in Casebridge fulfillment exception {self.case.input.case_id}",
        )
        self.case.record("order cancelled", f"status 5, {refunded}")


class AdobeFulfillmentSide:
    """`hold` / `unhold` and order comments while the teams decide; on `cancel-order` a credit memo
    for what was invoiced and a cancel for the rest: the calls the order review makes too."""

    def __init__(self, case: FulfillmentException) -> None:
        self.case = case
        i = case.input
        self.order = AdobeOrder(
            case,
            store=i.store,
            order_id=int(i.order.order_id),
            key=i.case_id,
            currency=i.order.currency or "",
            task_queue=i.store_task_queue,
        )

    async def hold(self) -> None:
        await self.order.hold(_exception_note(self.case))

    async def release(self, how: str, *, new_delivery_date: bool) -> None:
        await self.order.release(_resolved_note(how, new_delivery_date=new_delivery_date))

    async def cancel_order(self, how: str) -> None:
        cancel = self.case.input.policy.cancel
        done = await self.order.cancel(
            f"Casebridge: order cancelled on a fulfillment exception ({how})",
            refund=cancel.refund,
            refund_comment=f"Cancelled in Casebridge fulfillment exception {self.case.input.case_id}",
            notify_customer=cancel.notify_customer,
        )
        self.case.record("order cancelled", done)


class ShopifyFulfillmentSide:
    """A hold on every open fulfillment order with this case's own handle (so the order review's or
    a warehouse app's holds are left alone), tags for the trail, the asynchronous cancel job."""

    def __init__(self, case: FulfillmentException) -> None:
        self.case = case
        order = case.input.order
        self.order_gid = order.order_gid or f"gid://shopify/Order/{order.order_id}"
        self.handle = f"casebridge-exception-{order.order_id}"[:64]

    async def hold(self) -> None:
        case, i = self.case, self.case.input
        held = await case.run_step(
            "hold fulfillment orders",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.hold_order,
                HoldOrderRequest(
                    store=i.store,
                    order_gid=self.order_gid,
                    handle=self.handle,
                    reason=SHOPIFY_HOLD_REASONS[i.report.exception_type],
                    reason_notes=f"Casebridge: {i.report.exception_type.value}: {i.report.summary}"[:255],
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Hold every open fulfillment order",
            ),
            on_skip=HoldOrderResult(holds=[]),
        )
        case.record("holds placed", ", ".join(h.fulfillment_order_id for h in held.holds) or "none")
        case.saga.add(HOLD, self._release_holds)
        await case.run_step("tag order", lambda: self._tag(add=[i.policy.tags.open], remove=[]), on_skip=None)

    async def release(self, how: str, *, new_delivery_date: bool) -> None:
        case, tags = self.case, self.case.input.policy.tags
        await case.run_step("release holds", self._release_holds, on_skip=None)
        case.saga.discard(HOLD)
        add = [tags.resolved] + ([tags.new_delivery_date] if new_delivery_date else [])
        await case.run_step("tag order resolved", lambda: self._tag(add=add, remove=[tags.open]), on_skip=None)

    async def cancel_order(self, how: str) -> None:
        case, i, cancel = self.case, self.case.input, self.case.input.policy.cancel
        job = await case.run_step(
            "cancel order",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.cancel_order,
                CancelOrderRequest(
                    store=i.store,
                    order_gid=self.order_gid,
                    reason=cancel.cancel_reason,
                    refund=cancel.refund,
                    restock=cancel.restock,
                    notify_customer=cancel.notify_customer,
                    staff_note=f"Casebridge fulfillment exception: {how}"[:255],
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Cancel the order",
            ),
            on_skip=CancelOrderResult(job_id=None),
        )
        await case.run_step(
            "wait for the cancellation",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.await_cancellation,
                AwaitCancellationRequest(store=i.store, order_gid=self.order_gid, job_id=job.job_id),
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
        case.saga.discard(HOLD)  # a cancelled order's fulfillment orders are closed, holds with them
        tags = i.policy.tags
        await case.run_step(
            "tag order resolved", lambda: self._tag(add=[tags.resolved], remove=[tags.open]), on_skip=None
        )

    async def _release_holds(self) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.release_holds,
            ReleaseHoldsRequest(store=self.case.input.store, order_gid=self.order_gid, handle=self.handle),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Release this case's holds",
        )

    async def _tag(self, *, add: list[str], remove: list[str]) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.tag_order,
            TagOrderRequest(store=self.case.input.store, order_gid=self.order_gid, add=add, remove=remove),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Tag order (+{add} -{remove})",
        )
