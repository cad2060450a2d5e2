"""Adobe Commerce activities: order state changes, comments and credit memos, each safe to retry.

Hold, unhold and cancel accept "already in the target state" (the connector re-reads the order);
comments and credit memos carry the caller's key as a marker and are looked up before writing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal

from temporalio import activity

from activities.adobe_replacement import AdobeReplacementOrders
from activities.errors import translate_errors
from activities.models import (
    AdobeCommentRequest,
    AdobeOrderRequest,
    AdobeOrderState,
    AdobeRefundRequest,
    AdobeRefundResult,
    AdobeRmaRequest,
    AdobeRmaState,
    AmountRefundRequest,
    AmountRefundResult,
    ItemPrices,
    ItemPricesRequest,
    LinesRefundRequest,
    LinesRefundResult,
    LinesToCancelRequest,
    OrderLineUnits,
    ReplacementOrderRequest,
    ReplacementOrderResult,
)
from casebridge.connections import Connections
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.models import Order, RefundItem, RefundOutcome, RmaItemStatus
from connectors.adobe_commerce.sales import AdobeSales
from connectors.errors import ConflictError, ContractError


def _state(order: Order) -> AdobeOrderState:
    return AdobeOrderState(
        order_id=order.entity_id,
        increment_id=order.increment_id,
        state=order.state,
        status=order.status,
        total_paid=order.total_paid or Decimal(0),
        total_refunded=order.total_refunded or Decimal(0),
        cancellable=any(i.qty_ordered - i.qty_invoiced - i.qty_canceled > 0 for i in order.items),
    )


def _currency(order: Order, operation: str) -> str:
    if not order.order_currency_code:
        raise ContractError(
            f"order {order.increment_id} has no order_currency_code", system=SYSTEM, operation=operation
        )
    return order.order_currency_code


class AdobeCommerceActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    def _sales(self, store: str) -> AdobeSales:
        return self._connections.adobe_commerce(store).sales

    @activity.defn(name="adobe.get_order")
    @translate_errors
    async def get_order(self, request: AdobeOrderRequest) -> AdobeOrderState:
        return _state(await self._sales(request.store).get_order(request.order_id))

    @activity.defn(name="adobe.hold_order")
    @translate_errors
    async def hold_order(self, request: AdobeOrderRequest) -> AdobeOrderState:
        return await self._transition(request, AdobeSales.hold_order)

    @activity.defn(name="adobe.unhold_order")
    @translate_errors
    async def unhold_order(self, request: AdobeOrderRequest) -> AdobeOrderState:
        return await self._transition(request, AdobeSales.unhold_order)

    @activity.defn(name="adobe.cancel_order")
    @translate_errors
    async def cancel_order(self, request: AdobeOrderRequest) -> AdobeOrderState:
        """Cancel what is not invoiced; a held or fully invoiced order is refused (ConflictError)."""
        return await self._transition(request, AdobeSales.cancel_order)

    async def _transition(
        self, request: AdobeOrderRequest, action: Callable[[AdobeSales, int], Awaitable[bool]]
    ) -> AdobeOrderState:
        """Make the state change ("already there" counts as done), then report the order's state."""
        sales = self._sales(request.store)
        await action(sales, request.order_id)
        return _state(await sales.get_order(request.order_id))

    @activity.defn(name="adobe.add_comment_once")
    @translate_errors
    async def add_comment_once(self, request: AdobeCommentRequest) -> bool:
        return await self._sales(request.store).add_order_comment_once(
            request.order_id, request.comment, key=request.key, notify_customer=request.notify_customer
        )

    @activity.defn(name="adobe.refund_once")
    @translate_errors
    async def refund_once(self, request: AdobeRefundRequest) -> AdobeRefundResult:
        outcome = await self._sales(request.store).refund_once(
            request.order_id, key=request.key, comment=request.comment, notify=request.notify_customer
        )
        return _refund_result(outcome)

    # -- returns (RMA) ---------------------------------------------------------------------------

    @activity.defn(name="adobe.authorize_return")
    @translate_errors
    async def authorize_return(self, request: AdobeRmaRequest) -> AdobeRmaState:
        """Authorise every item for its requested quantity; items already authorised stay as they are."""
        returns = self._connections.adobe_commerce(request.store).returns
        rma = await returns.set_item_status(request.rma_id, RmaItemStatus.AUTHORIZED)
        return AdobeRmaState(rma_id=rma.entity_id, status=rma.status)

    @activity.defn(name="adobe.deny_return")
    @translate_errors
    async def deny_return(self, request: AdobeRmaRequest) -> AdobeRmaState:
        """Deny every item (Magento then closes the RMA); a retry finds them denied and changes nothing."""
        returns = self._connections.adobe_commerce(request.store).returns
        rma = await returns.set_item_status(request.rma_id, RmaItemStatus.DENIED)
        return AdobeRmaState(rma_id=rma.entity_id, status=rma.status)

    @activity.defn(name="adobe.refund_lines")
    @translate_errors
    async def refund_lines(self, request: LinesRefundRequest) -> LinesRefundResult:
        """An offline credit memo for the order items only (no shipping), at most once per `key`
        (the marker in its comment)."""
        outcome = await self._sales(request.store).refund_items_once(
            int(request.order_ref),
            [RefundItem(order_item_id=int(line.line_ref), qty=Decimal(line.quantity)) for line in request.lines],
            key=request.key,
            comment=request.note,
            notify=request.notify_customer,
        )
        memo = _refund_result(outcome)
        return LinesRefundResult(
            refund_id=None if memo.credit_memo_id is None else str(memo.credit_memo_id),
            amount=memo.amount,
            created=memo.created,
        )

    @activity.defn(name="adobe.create_replacement_order")
    @translate_errors
    async def create_replacement_order(self, request: ReplacementOrderRequest) -> ReplacementOrderResult:
        """A free replacement (or exchange) order for the returned lines, once per `key`: a guest
        cart of the integration's own with the store's 100%-off coupon, placed with payment `free`.
        The quote is recorded on the original order first, so a retry finds the order it placed
        (`created=False`). No `coupon_code` is a ConflictError. Design: `activities.adobe_replacement`."""
        return await AdobeReplacementOrders(self._connections.adobe_commerce(request.store)).create(request)

    # -- exchanges: the price of what is sent, and a cheaper exchange's difference paid back ---------

    @activity.defn(name="adobe.item_prices")
    @translate_errors
    async def item_prices(self, request: ItemPricesRequest) -> ItemPrices:
        """The order's currency and today's catalog unit price of each SKU (a special price of the
        order's store that applies now wins when lower); SKUs the catalog does not know are left out.
        Catalog prices are in the base currency: an order paid in another one is a ConflictError."""
        adobe = self._connections.adobe_commerce(request.store)
        order = await adobe.sales.get_order(int(request.order_ref))
        currency = _currency(order, "item_prices")
        if order.base_currency_code and order.base_currency_code != currency:
            raise ConflictError(
                f"order {order.increment_id} is in {currency}, the catalog's prices in {order.base_currency_code}",
                system=SYSTEM,
                operation="item_prices",
            )
        now = datetime.now(UTC).replace(tzinfo=None)  # Magento writes special price dates naive (UTC)
        prices = await adobe.catalog.unit_prices(request.skus, store_id=order.store_id or 0, at=now)
        return ItemPrices(currency=currency, prices=prices)

    @activity.defn(name="adobe.refund_amount")
    @translate_errors
    async def refund_amount(self, request: AmountRefundRequest) -> AmountRefundResult:
        """Pay `amount` back once per `key`: an offline adjustment-only credit memo (no item, no
        shipping) marked with the key, looked up before writing (`created=False` when found). More
        than is left to refund on the invoiced order is refused (RejectedError, non-retryable)."""
        sales = self._sales(request.store)
        order = await sales.get_order(int(request.order_ref))
        outcome = await sales.refund_adjustment_once(
            order, request.amount, key=request.key, comment=request.reason, notify=request.notify_customer
        )
        memo = outcome.credit_memo
        if memo is None:
            raise ContractError(f"no credit memo for key {request.key}", system=SYSTEM, operation="refund_amount")
        return AmountRefundResult(
            refund_id=str(memo.entity_id),
            amount=memo.grand_total or Decimal(0),
            currency=_currency(order, "refund_amount"),
            created=outcome.created,
        )

    # -- fulfillment exceptions: cancel lines -----------------------------------------------------

    @activity.defn(name="adobe.find_lines_to_cancel")
    @translate_errors
    async def find_lines_to_cancel(self, request: LinesToCancelRequest) -> list[OrderLineUnits]:
        """The order items the reported SKUs are, among units invoiced and neither shipped nor
        refunded: Magento cancels no single line, so a cancelled line is a credit memo for invoiced
        units. Refused (ConflictError) when fewer such units are on the order than reported."""
        order = await self._sales(request.store).get_order(int(request.order_ref))
        open_units = {i.item_id: int(i.qty_invoiced - i.qty_refunded - i.qty_shipped) for i in order.items}
        items: dict[int, int] = {}
        for line in request.lines:
            left = line.quantity
            for item in order.items:
                if item.sku != line.sku or left <= 0:
                    continue
                taken = min(max(open_units[item.item_id], 0), left)
                open_units[item.item_id] -= taken
                items[item.item_id] = items.get(item.item_id, 0) + taken
                left -= taken
            if left > 0:
                raise ConflictError(
                    f"{line.quantity} x {line.sku}: only {line.quantity - left} invoiced and unshipped on the order",
                    system="adobe-commerce",
                    operation="get_order",
                )
        return [OrderLineUnits(line_ref=str(item_id), quantity=q) for item_id, q in items.items() if q > 0]


def _refund_result(outcome: RefundOutcome) -> AdobeRefundResult:
    memo = outcome.credit_memo
    if memo is None:
        return AdobeRefundResult(credit_memo_id=None)
    return AdobeRefundResult(
        credit_memo_id=memo.entity_id, amount=memo.grand_total or Decimal(0), created=outcome.created
    )
