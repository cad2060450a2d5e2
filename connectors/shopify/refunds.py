"""Refunds: compute with `order.suggestedRefund`, then `refundCreate`; `refund_once` makes the pair
repeat-safe with the case's key in the refund's note (2025-01 has no idempotency key)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from opentelemetry import trace
from pydantic import Field

from connectors.errors import ConflictError, NotFoundError
from connectors.shopify import documents_aftersales as docs
from connectors.shopify.assumptions import DEFAULT_RESTOCK_TYPE, note_has_marker, refund_note
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, MoneyBag, Node, Page, Record

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)

RestockType = Literal["NO_RESTOCK", "CANCEL", "RETURN", "LEGACY_RESTOCK"]


class RefundLine(InputModel):
    """One order line to refund (`RefundLineItemInput`): CANCEL for unshipped, RETURN for shipped units."""

    line_item_id: str
    quantity: int = Field(ge=1)
    restock_type: RestockType = DEFAULT_RESTOCK_TYPE
    location_id: str | None = None


class RefundTransaction(InputModel):
    """Money back to the buyer (`OrderTransactionInput`), drawn on a SALE/CAPTURE of the order."""

    order_id: str
    parent_id: str
    amount: Decimal = Field(gt=0)
    gateway: str
    kind: Literal["REFUND"] = "REFUND"


class TransactionRef(Record):
    id: str
    kind: str | None = None
    gateway: str | None = None


class OrderTransaction(Record):
    id: str
    kind: str
    status: str
    gateway: str
    amount_set: MoneyBag
    parent_transaction: Node | None = None


class RefundLineItem(Record):
    id: str | None = None
    quantity: int
    restock_type: str
    restocked: bool = False
    line_item: Node
    subtotal_set: MoneyBag | None = None
    total_tax_set: MoneyBag | None = None


class Refund(Record):
    id: str
    note: str | None = None
    created_at: datetime | None = None
    total_refunded_set: MoneyBag
    refund_line_items: Page[RefundLineItem] = Field(default_factory=Page[RefundLineItem])
    transactions: Page[OrderTransaction] = Field(default_factory=Page[OrderTransaction])

    @property
    def amount(self) -> Decimal:
        return self.total_refunded_set.shop_money.amount


class SuggestedTransaction(Record):
    kind: str
    gateway: str | None = None
    amount_set: MoneyBag
    parent_transaction: TransactionRef | None = None


class ShippingRefund(Record):
    amount_set: MoneyBag
    maximum_refundable_set: MoneyBag


class SuggestedRefund(Record):
    amount_set: MoneyBag
    subtotal_set: MoneyBag
    total_tax_set: MoneyBag
    maximum_refundable_set: MoneyBag
    shipping: ShippingRefund
    refund_line_items: list[RefundLineItem] = Field(default_factory=list)
    suggested_transactions: list[SuggestedTransaction] = Field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return self.amount_set.shop_money.amount


class OrderRefunds(Record):
    id: str
    display_financial_status: str | None = None
    total_refunded_set: MoneyBag
    refunds: list[Refund] = Field(default_factory=list)


@dataclass(frozen=True)
class RefundResult:
    refund: Refund
    created: bool  # False: an earlier attempt had already made it (found by its key)


def _shipping_input(refund_shipping: bool, shipping_amount: Decimal | None) -> dict[str, Any] | None:
    if refund_shipping:
        return {"fullRefund": True}
    if shipping_amount is not None and shipping_amount > 0:
        return {"amount": str(shipping_amount)}
    return None


class RefundOperations(AdminBase):
    async def order_refunds(self, order_gid: str) -> OrderRefunds:
        data = await self.client.execute(docs.ORDER_REFUNDS, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return OrderRefunds.model_validate(data["order"])

    async def suggest_refund(
        self,
        order_gid: str,
        lines: Sequence[RefundLine] = (),
        *,
        refund_shipping: bool = False,
        shipping_amount: Decimal | None = None,
        full: bool = False,
    ) -> SuggestedRefund:
        """What Shopify would refund for these lines (or everything, with `full`), and from which payments."""
        variables: dict[str, Any] = {
            "id": order_gid,
            "refundLineItems": [line.as_input() for line in lines],
            "refundShipping": refund_shipping,
            "suggestFullRefund": full,
            "shippingAmount": str(shipping_amount) if shipping_amount is not None else None,
        }
        data = await self.client.execute(docs.SUGGESTED_REFUND, variables, operation="order.suggestedRefund")
        order = data.get("order")
        if order is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order.suggestedRefund")
        return SuggestedRefund.model_validate(order["suggestedRefund"])

    async def create_refund(
        self,
        order_gid: str,
        *,
        lines: Sequence[RefundLine] = (),
        transactions: Sequence[RefundTransaction] = (),
        refund_shipping: bool = False,
        shipping_amount: Decimal | None = None,
        note: str | None = None,
        notify: bool = False,
    ) -> Refund:
        """`refundCreate` as given. Not repeat-safe on its own: see `refund_once`."""
        refund_input: dict[str, Any] = {
            "orderId": order_gid,
            "refundLineItems": [line.as_input() for line in lines],
            "transactions": [tx.as_input() for tx in transactions],
            "notify": notify,
        }
        if note:
            refund_input["note"] = note
        shipping = _shipping_input(refund_shipping, shipping_amount)
        if shipping is not None:
            refund_input["shipping"] = shipping
        payload = await self._mutate(docs.CREATE_REFUND, {"input": refund_input}, operation="refundCreate")
        return Refund.model_validate(self._required(payload, "refund", "refundCreate"))

    async def refund_once(
        self,
        order_gid: str,
        key: str,
        *,
        lines: Sequence[RefundLine] = (),
        refund_shipping: bool = False,
        shipping_amount: Decimal | None = None,
        full: bool = False,
        note: str = "",
        notify: bool = False,
    ) -> RefundResult:
        """Refund at most once per `key`: an earlier refund whose note carries the key is returned
        instead of refunding again. Amounts and parent transactions come from `suggestedRefund`, so
        the refund never asks for more than Shopify calculates is refundable. `full` refunds every
        remaining unit (NO_RESTOCK) and the shipping; `lines` are then ignored. When nothing is left
        to refund, `ConflictError`."""
        with tracer.start_as_current_span("shopify refund_once", attributes={"shopify.order": order_gid}):
            existing = await self.order_refunds(order_gid)
            for refund in existing.refunds:
                if note_has_marker(refund.note, key):
                    log.info("refund for key %s already exists on %s: %s", key, order_gid, refund.id)
                    return RefundResult(refund, created=False)
            suggestion = await self.suggest_refund(
                order_gid, lines, refund_shipping=refund_shipping, shipping_amount=shipping_amount, full=full
            )
            transactions = [
                RefundTransaction(
                    order_id=order_gid,
                    parent_id=t.parent_transaction.id,
                    amount=t.amount_set.shop_money.amount,
                    gateway=t.gateway or t.parent_transaction.gateway or "",
                )
                for t in suggestion.suggested_transactions
                if t.parent_transaction is not None and t.amount_set.shop_money.amount > 0
            ]
            if full:
                lines = [
                    RefundLine(line_item_id=item.line_item.id, quantity=item.quantity)
                    for item in suggestion.refund_line_items
                ]
            shipping_left = suggestion.shipping.maximum_refundable_set.shop_money.amount
            wants_shipping = (refund_shipping or full) and shipping_left > 0
            if not lines and not transactions and not wants_shipping and not shipping_amount:
                raise ConflictError(f"nothing left to refund on {order_gid}", system=SYSTEM, operation="refundCreate")
            refund = await self.create_refund(
                order_gid,
                lines=lines,
                transactions=transactions,
                refund_shipping=wants_shipping,
                shipping_amount=None if wants_shipping else shipping_amount,
                note=refund_note(note, key),
                notify=notify,
            )
            return RefundResult(refund, created=True)
