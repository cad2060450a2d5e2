"""The store side of a fulfillment exception, per platform: hold, release, cancel, cancel lines.

`FulfillmentException` keeps the flow (hold, panel of teams, apply the resolution) and asks its
`FulfillmentSide` to change the store, as the order review does with its `OrderSide`. Steps run
through the case's `run_step` (a refused step parks the case) and register their undo in the saga.
BigCommerce and Adobe Commerce reuse the order-level calls of the order review
(`workflows.store_side.BigCommerceOrder`, `AdobeOrder`).

Each side says which resolutions it can apply (`offers`), so the teams are never offered one the
platform cannot carry out:

- `cancel-lines`: Shopify edits the order (the lines lowered, restocked per policy) and refunds the
  removed units once; BigCommerce refunds the lines' products once (PRODUCT refund items: BigCommerce
  has no way to take a line off an order) and notes it; Adobe Commerce refunds them with a credit
  memo, which needs invoiced units: Magento cancels a whole order, never a single line, so an order
  that is not fully invoiced is not offered `cancel-lines`. Then the hold is released: the rest ships.
  All need the report to name the lines.
- `substitute-item`: Shopify by an order edit (the reported lines lowered, the substitute variant
  added, discounted down to their price when it is dearer), BigCommerce by an order update (the
  substitute added at no more than the price of what it replaces); a cheaper substitute's
  difference is refunded once. Adobe Commerce cannot edit a placed order, so it is not offered there.
- `split-shipment`: only Shopify, where fulfillment orders split (see `ShopifyFulfillmentSide`).
  BigCommerce and Adobe Commerce hold a whole order or nothing; releasing it with a note saying which
  lines wait would not stop those lines from shipping, so it is not offered there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.adobe_commerce import AdobeCommerceActivities
    from activities.bigcommerce import BigCommerceActivities
    from activities.models import (
        AdobeMatchItemsRequest,
        AdobeReturnedItem,
        AdobeReturnRefundRequest,
        BigCommerceMatchLinesRequest,
        BigCommerceReturnedItem,
        BigCommerceReturnRefundRequest,
        CancelOrderResult,
        HoldOrderResult,
        LineQuantity,
        ShopifyCancelLinesRequest,
        ShopifyCancelLinesResult,
        ShopifyLineCancelPlan,
        ShopifyLinesRequest,
        ShopifySplitShipmentRequest,
        SubstituteItemsRequest,
        SubstituteItemsResult,
        Substitution,
    )
    from activities.shopify import ShopifyActivities
    from routing.fulfillment_policy import UNIVERSAL_RESOLUTIONS, ExceptionType, Resolution

from workflows.case import API_RETRY, API_TIMEOUT
from workflows.store_side import AdobeOrder, BigCommerceOrder, ShopifyOrder

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
    def offers(self, resolution: Resolution) -> bool:
        """Whether this platform can apply `resolution` to this case's order."""

    async def hold(self) -> None:
        """Stop the order from shipping while the teams decide; mark it."""

    async def release(self, how: str, *, new_delivery_date: bool) -> None:
        """Let the order ship again; mark it (and its new delivery date)."""

    async def cancel_order(self, how: str) -> None:
        """Cancel the order (refund and restock per the policy)."""

    async def cancel_lines(self, how: str, lines: list[LineQuantity]) -> str:
        """Take `lines` off the order and refund them once, then release; returns what was done."""

    async def split_shipment(self, how: str, lines: list[LineQuantity]) -> None:
        """Let the rest of the order ship and keep `lines` held (only where `offers` says so)."""

    async def substitute_items(self, how: str, substitutions: list[Substitution]) -> str:
        """Replace the reported lines by their substitutes on the order (the customer pays no
        more), then release; returns what was done (only where `offers` says so)."""


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


def describe_lines(lines: list[LineQuantity]) -> str:
    return ", ".join(f"{line.quantity} x {line.sku}" for line in lines)


def _lines_cancelled_note(lines: list[LineQuantity], how: str, refunded: str) -> str:
    what = f"lines cancelled ({describe_lines(lines)}; {refunded}), the rest ships"
    return f"Casebridge: fulfillment exception resolved, {what} ({how})"


def _lines_key(case: FulfillmentException) -> str:
    """Marks the refund of cancelled lines. The run id makes it this case's own: a later exception
    case for the same order (same case id) that cancels lines again must not find this refund."""
    return f"{case.input.case_id}/cancel-lines/{workflow.info().run_id}"


def _substitute_request(
    case: FulfillmentException, order_ref: str, how: str, substitutions: list[Substitution]
) -> SubstituteItemsRequest:
    i = case.input
    return SubstituteItemsRequest(
        store=i.store,
        order_ref=order_ref,
        # Marks the substitution and its refund; per run, as `_lines_key`.
        key=f"{i.case_id}/substitute/{workflow.info().run_id}",
        substitutions=substitutions,
        restock=i.policy.cancel.restock,
        notify_customer=i.policy.platform_emails_customer,
        staff_note=f"Casebridge fulfillment exception: items substituted ({how})"[:255],
        refund_note=f"Substitute cheaper than the ordered item, fulfillment exception {i.case_id}",
    )


def describe_substitution(result: SubstituteItemsResult) -> str:
    swapped = ", ".join(
        f"{line.quantity} x {line.sku} -> {line.substitute_title or line.substitute_sku}" for line in result.lines
    )
    money = ""
    if result.refunded > 0:
        money = f"; difference refunded {result.refunded:.2f} {result.currency}"
    elif result.absorbed > 0:
        money = f"; {result.absorbed:.2f} {result.currency} absorbed (no extra charge)"
    return swapped + money


def _offered_everywhere(case: FulfillmentException, resolution: Resolution, *, line_level: set[Resolution]) -> bool:
    if resolution in UNIVERSAL_RESOLUTIONS:
        return True
    return resolution in line_level and bool(case.input.report.lines)


class _PlatformFulfillmentSide:
    """What BigCommerce and Adobe Commerce share: the order review's order-level calls (hold while
    the teams decide, release, cancel with one refund) through their `OrderActions`."""

    platform = ""

    def __init__(self, case: FulfillmentException, actions: type[BigCommerceOrder] | type[AdobeOrder]) -> None:
        self.case = case
        i = case.input
        self.order = actions(
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

    async def split_shipment(self, how: str, lines: list[LineQuantity]) -> None:
        # Both can only hold a whole order: releasing it would ship the waiting lines too.
        raise ValueError(f"split-shipment is never offered on {self.platform}")  # see `offers`

    async def substitute_items(self, how: str, substitutions: list[Substitution]) -> str:
        raise ValueError(f"substitute-item is never offered on {self.platform}")  # see `offers`

    async def cancel_order(self, how: str) -> None:
        cancel = self.case.input.policy.cancel
        done = await self.order.cancel(
            f"Casebridge: order cancelled on a fulfillment exception ({how})",
            refund=cancel.refund,
            refund_reason=f"Cancelled in Casebridge fulfillment exception {self.case.input.case_id}",
            notify_customer=self.case.input.policy.platform_emails_customer,
        )
        self.case.record("order cancelled", done)


class BigCommerceFulfillmentSide(_PlatformFulfillmentSide):
    """Status 12 while the teams decide (the previous status restored after), staff notes, and
    status 5 plus one refund on `cancel-order`: the calls the order review makes too."""

    platform = "BigCommerce"
    order: BigCommerceOrder

    def __init__(self, case: FulfillmentException) -> None:
        super().__init__(case, BigCommerceOrder)

    def offers(self, resolution: Resolution) -> bool:
        return _offered_everywhere(
            self.case, resolution, line_level={Resolution.CANCEL_LINES, Resolution.SUBSTITUTE_ITEM}
        )

    async def substitute_items(self, how: str, substitutions: list[Substitution]) -> str:
        """One order update while the order is still held (the reported products lowered, the
        substitutes added at no more than their price), the difference of a cheaper substitute
        refunded once, then the status before the hold restored so the order ships."""
        case = self.case
        result = await case.run_store_step(
            "substitute items",
            BigCommerceActivities.substitute_items,
            _substitute_request(case, str(self.order.order_id), how, substitutions),
            summary="Update the order: the substitutes in place of the reported products",
            on_skip=None,
            task_queue=self.order.task_queue,
        )
        done = "substitution skipped by an operator" if result is None else describe_substitution(result)
        case.record("items substituted", done)
        await self.order.release(f"Casebridge: fulfillment exception resolved, items substituted: {done} ({how})")
        return done

    async def cancel_lines(self, how: str, lines: list[LineQuantity]) -> str:
        """Refund the lines' products once while the order is still held (BigCommerce then marks it
        Partially Refunded, 14), then restore the status before the hold so the rest ships."""
        case, i = self.case, self.case.input
        queue = self.order.task_queue  # the store's own queue when it has a request quota
        none_found: list[BigCommerceReturnedItem] = []
        items = await case.run_store_step(
            "find cancelled lines",
            BigCommerceActivities.match_order_lines,
            BigCommerceMatchLinesRequest(store=i.store, order_id=self.order.order_id, lines=lines),
            summary="Find the order products of the cancelled lines",
            on_skip=none_found,
            task_queue=queue,
        )
        refunded = "not refunded"
        if items:
            refund = BigCommerceReturnRefundRequest(
                store=i.store,
                order_id=self.order.order_id,
                key=_lines_key(case),
                reason=f"Lines cancelled in Casebridge fulfillment exception {i.case_id}",
                items=items,
            )
            result = await case.run_store_step(
                "refund cancelled lines",
                BigCommerceActivities.refund_return_items,
                refund,
                summary="Refund the cancelled lines once",
                on_skip=None,
                task_queue=queue,
            )
            refunded = (
                "refund skipped by an operator"
                if result is None
                else f"refunded {result.amount:.2f} {self.order.currency} (refund {result.refund_id})"
            )
        case.record("lines cancelled", f"{describe_lines(lines)}: {refunded}")
        await self.order.release(_lines_cancelled_note(lines, how, refunded))
        return refunded


class AdobeFulfillmentSide(_PlatformFulfillmentSide):
    """`hold` / `unhold` and order comments while the teams decide; on `cancel-order` a credit memo
    for what was invoiced and a cancel for the rest: the calls the order review makes too."""

    platform = "Adobe Commerce"
    order: AdobeOrder

    def __init__(self, case: FulfillmentException) -> None:
        super().__init__(case, AdobeOrder)

    def offers(self, resolution: Resolution) -> bool:
        # Cancelled lines become a credit memo, which only invoiced units can have.
        line_level = {Resolution.CANCEL_LINES} if self.case.input.order.fully_invoiced else set()
        return _offered_everywhere(self.case, resolution, line_level=line_level)

    async def cancel_lines(self, how: str, lines: list[LineQuantity]) -> str:
        """Release the hold (Magento writes no credit memo for a held order), then one credit memo
        for the lines' invoiced units; the memo's comment says why."""
        case, i = self.case, self.case.input
        queue = self.order.task_queue  # the store's own queue when it has a request quota
        none_found: list[AdobeReturnedItem] = []
        items = await case.run_store_step(
            "find cancelled lines",
            AdobeCommerceActivities.match_order_items,
            AdobeMatchItemsRequest(store=i.store, order_id=self.order.order_id, lines=lines),
            summary="Find the order items of the cancelled lines",
            on_skip=none_found,
            task_queue=queue,
        )
        await self.order.release(_lines_cancelled_note(lines, how, "a credit memo refunds them"))
        refunded = "not refunded"
        if items:
            refund = AdobeReturnRefundRequest(
                store=i.store,
                order_id=self.order.order_id,
                key=_lines_key(case),
                comment=f"Casebridge: lines cancelled ({describe_lines(lines)}): {how}",
                items=items,
                notify_customer=i.policy.platform_emails_customer,
            )
            result = await case.run_store_step(
                "credit memo for cancelled lines",
                AdobeCommerceActivities.refund_return_items,
                refund,
                summary="Credit memo for the cancelled lines, once",
                on_skip=None,
                task_queue=queue,
            )
            refunded = (
                "credit memo skipped by an operator"
                if result is None
                else f"refunded {result.amount:.2f} {self.order.currency} (credit memo {result.credit_memo_id})"
            )
        case.record("lines cancelled", f"{describe_lines(lines)}: {refunded}")
        return refunded


class ShopifyFulfillmentSide:
    """A hold on every open fulfillment order with this case's own handle (so the order review's or
    a warehouse app's holds are left alone), tags for the trail, the asynchronous cancel job."""

    def __init__(self, case: FulfillmentException) -> None:
        self.case = case
        order = case.input.order
        self.order_gid = order.order_gid or f"gid://shopify/Order/{order.order_id}"
        self.order = ShopifyOrder(case.input.store, self.order_gid, f"casebridge-exception-{order.order_id}")
        self.handle = self.order.handle
        # Outlives the case (staff release it): a later exception case must not take it for its own.
        self.waiting_handle = f"casebridge-waiting-{order.order_id}"[:64]

    def offers(self, resolution: Resolution) -> bool:
        return _offered_everywhere(
            self.case,
            resolution,
            line_level={Resolution.CANCEL_LINES, Resolution.SPLIT_SHIPMENT, Resolution.SUBSTITUTE_ITEM},
        )

    async def hold(self) -> None:
        case, i = self.case, self.case.input
        held = await case.run_step(
            "hold fulfillment orders",
            lambda: self.order.hold(
                SHOPIFY_HOLD_REASONS[i.report.exception_type],
                f"Casebridge: {i.report.exception_type.value}: {i.report.summary}"[:255],
            ),
            on_skip=HoldOrderResult(holds=[]),
        )
        case.record("holds placed", ", ".join(h.fulfillment_order_id for h in held.holds) or "none")
        case.saga.add(HOLD, self.order.release_holds)
        await case.run_step("tag order", lambda: self.order.tag(add=[i.policy.tags.open], remove=[]), on_skip=None)

    async def release(self, how: str, *, new_delivery_date: bool) -> None:
        tags = self.case.input.policy.tags
        await self._release_resolved(*([tags.new_delivery_date] if new_delivery_date else []))

    async def _release_resolved(self, *tags: str) -> None:
        """The case's holds released (the order ships), the order tagged resolved (and `tags`)."""
        case, policy_tags = self.case, self.case.input.policy.tags
        await case.run_step("release holds", self.order.release_holds, on_skip=None)
        case.saga.discard(HOLD)
        add = [policy_tags.resolved, *tags]
        await case.run_step(
            "tag order resolved", lambda: self.order.tag(add=add, remove=[policy_tags.open]), on_skip=None
        )

    async def cancel_order(self, how: str) -> None:
        case, cancel, tags = self.case, self.case.input.policy.cancel, self.case.input.policy.tags
        job = await case.run_step(
            "cancel order",
            lambda: self.order.cancel(
                reason=cancel.cancel_reason,
                refund=cancel.refund,
                restock=cancel.restock,
                notify_customer=self.case.input.policy.platform_emails_customer,
                staff_note=f"Casebridge fulfillment exception: {how}"[:255],
            ),
            on_skip=CancelOrderResult(job_id=None),
        )
        await case.run_step(
            "wait for the cancellation", lambda: self.order.await_cancellation(job.job_id), on_skip=None
        )
        case.saga.discard(HOLD)  # a cancelled order's fulfillment orders are closed, holds with them
        await case.run_step(
            "tag order resolved", lambda: self.order.tag(add=[tags.resolved], remove=[tags.open]), on_skip=None
        )

    async def cancel_lines(self, how: str, lines: list[LineQuantity]) -> str:
        """Plan (which order lines, what they are lowered to, what the units are worth: kept in the
        history), edit the order and refund the removed units once, then release and tag. The
        order stays held during the edit, so none of the cancelled units ships meanwhile."""
        case, i = self.case, self.case.input
        plan = await case.run_step(
            "plan line cancellation",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.plan_line_cancellation,
                ShopifyLinesRequest(store=i.store, order_gid=self.order_gid, lines=lines),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Find the lines to cancel and their value",
            ),
            on_skip=None,
        )
        refunded = "lines left on the order by an operator"
        if plan is not None and plan.targets:
            result = await case.run_step("cancel lines", lambda: self._cancel_lines(plan, how), on_skip=None)
            if result is None:
                refunded = "order edit skipped by an operator"
            elif result.refund_id is None:
                refunded = "nothing was paid for them"
            else:
                refunded = f"refunded {result.amount:.2f} {plan.currency} (refund {result.refund_id})"
        case.record("lines cancelled", f"{describe_lines(lines)}: {refunded}")
        await self._release_resolved()
        return refunded

    async def split_shipment(self, how: str, lines: list[LineQuantity]) -> None:
        """The reported lines move to a fulfillment order of their own that stays held (with a hold
        of its own, `waiting_handle`, which staff release when the stock is there); the case's
        holds are released, so the rest ships now. Tagged so the waiting orders can be found."""
        case, i = self.case, self.case.input
        split = ShopifySplitShipmentRequest(
            store=i.store,
            order_gid=self.order_gid,
            case_handle=self.handle,
            waiting_handle=self.waiting_handle,
            lines=lines,
            reason=SHOPIFY_HOLD_REASONS[i.report.exception_type],
            reason_notes=f"Casebridge: waiting lines of a split shipment: {describe_lines(lines)} ({how})"[:255],
        )
        result = await case.run_store_step(
            "split shipment",
            ShopifyActivities.split_shipment,
            split,
            summary="Split the reported lines off and keep them held; release the rest",
            on_skip=None,
        )
        if result is not None:
            case.record("shipment split", f"{describe_lines(lines)} held on {', '.join(result.waiting)}")
        # The case's own holds are gone (released by the split, or by an operator who skipped it).
        await self._release_resolved(i.policy.tags.split_shipment)

    async def substitute_items(self, how: str, substitutions: list[Substitution]) -> str:
        """One order edit while the order is still held (so the reported units never ship), the
        difference of a cheaper substitute refunded once, then release and tag."""
        case = self.case
        result = await case.run_store_step(
            "substitute items",
            ShopifyActivities.substitute_items,
            _substitute_request(case, self.order_gid, how, substitutions),
            summary="Edit the order: the substitutes in place of the reported lines",
            on_skip=None,
        )
        done = "substitution skipped by an operator" if result is None else describe_substitution(result)
        case.record("items substituted", done)
        await self._release_resolved()
        return done

    async def _cancel_lines(self, plan: ShopifyLineCancelPlan, how: str) -> ShopifyCancelLinesResult:
        i, cancel = self.case.input, self.case.input.policy.cancel
        result: ShopifyCancelLinesResult = await workflow.execute_activity_method(
            ShopifyActivities.cancel_lines,
            ShopifyCancelLinesRequest(
                store=i.store,
                order_gid=self.order_gid,
                key=_lines_key(self.case),
                targets=plan.targets,
                refund_amount=plan.refund_amount,
                restock=cancel.restock,
                notify_customer=i.policy.platform_emails_customer,
                staff_note=f"Casebridge fulfillment exception: lines cancelled ({how})"[:255],
                refund_note=f"Lines cancelled in Casebridge fulfillment exception {i.case_id}",
            ),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Edit the order (lower the lines) and refund them once",
        )
        return result
