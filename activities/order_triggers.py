"""The checks an order's documents case makes before a behavioural letter (post-purchase follow-up,
replenishment reminder), read from the platform at the moment the letter is due: the workflow sees
yes or no and a reason, never the order's contents or the customer.

Which of the policy's replenishment SKUs an order holds is read once, when the case first sees the
order; whether the customer ordered one again is read when the reminder is due, from the customer's
orders placed since (`activities.reorders`, on every platform).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from temporalio import activity

from activities.errors import translate_errors
from activities.reorders import TooManyLaterOrders, ordered_again
from activities.transaction_models import OrderTransactions
from activities.transaction_readers import read_order_transactions
from casebridge.connections import Connections
from routing.documents import DocumentKind

# The platforms' order statuses (each part of the reader's `status`) for an order that is over:
# Shopify's financial status (REFUNDED, VOIDED), BigCommerce's status (Cancelled, Refunded), Adobe
# Commerce's (canceled, closed = fully credited).
ENDED_STATUSES = frozenset({"refunded", "voided", "cancelled", "canceled", "closed"})


class OrderTriggerRequest(BaseModel):
    platform: str
    store: str
    order_id: str


class OrderSkusRequest(OrderTriggerRequest):
    skus: list[str]  # the policy's replenishment SKUs


class ReorderCheckRequest(OrderTriggerRequest):
    sku: str
    until: datetime  # when the reminder is due (the workflow's clock): later orders up to then


class TriggerCheck(BaseModel):
    """Whether the letter is to be sent; when not, why (for the case's audit trail)."""

    send: bool
    reason: str = ""


class OrderSkus(BaseModel):
    placed_at: datetime
    skus: list[str] = Field(default_factory=list)  # those of the request's SKUs the order holds


def order_ended(order: OrderTransactions) -> str | None:
    """Why the order no longer deserves a follow-up (cancelled, fully refunded), or None."""
    parts = {" ".join(part.replace("_", " ").lower().split()) for part in order.status.split("/")}
    ended = sorted(parts & ENDED_STATUSES)  # whole statuses: "partially refunded" is not over
    if ended:
        return f"the order is {ended[0]}"
    refunded = sum((d.amount or Decimal(0) for d in order.documents if d.kind is DocumentKind.CREDIT_MEMO), Decimal(0))
    if order.total > 0 and refunded >= order.total:
        return "the order was fully refunded"
    return None


class OrderTriggerActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="triggers.order_skus")
    @translate_errors
    async def order_skus(self, request: OrderSkusRequest) -> OrderSkus:
        order = await self._order(request)
        held = {line.sku for line in order.lines if line.sku}
        return OrderSkus(placed_at=order.created_at, skus=[sku for sku in request.skus if sku in held])

    @activity.defn(name="triggers.follow_up_check")
    @translate_errors
    async def follow_up_check(self, request: OrderTriggerRequest) -> TriggerCheck:
        """A follow-up is sent unless the order was cancelled or fully refunded meanwhile."""
        ended = order_ended(await self._order(request))
        return TriggerCheck(send=False, reason=ended) if ended else TriggerCheck(send=True)

    @activity.defn(name="triggers.reorder_check")
    @translate_errors
    async def reorder_check(self, request: ReorderCheckRequest) -> TriggerCheck:
        """A reminder is sent unless the order ended, or the customer ordered the SKU again in an
        order placed after this one (and not cancelled). A guest's later orders cannot be told
        apart from anyone's: no reminder for a guest's order."""
        order = await self._order(request)
        ended = order_ended(order)
        if ended:
            return TriggerCheck(send=False, reason=ended)
        if order.customer_ref is None:
            return TriggerCheck(send=False, reason="a guest's order: later orders cannot be checked")
        try:
            again = await ordered_again(
                self._connections, request.platform, request.store, order, request.sku, request.until
            )
        except TooManyLaterOrders:
            return TriggerCheck(send=False, reason="too many later orders to check")
        if again is not None:
            return TriggerCheck(send=False, reason=f"ordered again with {again}")
        return TriggerCheck(send=True)

    async def _order(self, request: OrderTriggerRequest) -> OrderTransactions:
        return await read_order_transactions(self._connections, request.platform, request.store, request.order_id)
