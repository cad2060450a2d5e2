"""Order edits: lower a line's quantity (`orderEditBegin` → `orderEditSetQuantity` →
`orderEditCommit`) and refund what the buyer is then owed.

Shopify refunds nothing on commit: a paid order owes the buyer the removed units' value, paid back
with a money-only `refundCreate` (`refund_owed_once`). Neither call has an idempotency key, so both
are made repeat-safe by reading first: an edit is asked as *target* quantities and lines already at
(or below) their target are left alone, so a commit whose answer was lost is not applied twice;
the refund carries the caller's key in its note, like `refund_once`.

`substitute_lines` is one edit that lowers lines and adds variants in their place (with a per-unit
discount where the substitute is dearer). Adding is not a target state, so its repeat-safety is the
caller's: the plan it keeps in the order's custom attributes (`set_custom_attributes`) says what the
order looks like once the edit is through.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pydantic import Field

from connectors.errors import ConflictError, NotFoundError
from connectors.shopify import documents_order_edits as docs
from connectors.shopify.assumptions import note_has_marker, refund_note
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import MoneyBag, Node, Record
from connectors.shopify.refunds import OrderTransaction, RefundOperations, RefundResult, RefundTransaction

log = logging.getLogger(__name__)


class OrderLine(Record):
    id: str
    sku: str | None = None
    name: str = ""
    quantity: int
    current_quantity: int
    unfulfilled_quantity: int
    refundable_quantity: int = 0


class _LinePage(Record):
    nodes: list[OrderLine] = Field(default_factory=list)


class OrderLines(Record):
    id: str
    cancelled_at: datetime | None = None
    line_items: _LinePage = Field(default_factory=_LinePage)

    @property
    def lines(self) -> list[OrderLine]:
        return self.line_items.nodes


class Attribute(Record):
    key: str
    value: str | None = None


class PricedOrderLine(OrderLine):
    title: str = ""
    variant: Node | None = None  # None: a custom line, or the variant was deleted
    discounted_unit_price_after_all_discounts_set: MoneyBag


class _PricedLinePage(Record):
    nodes: list[PricedOrderLine] = Field(default_factory=list)


class SubstitutionLines(Record):
    """An order's lines as a substitution reads them (`ORDER_SUBSTITUTION_LINES`)."""

    id: str
    cancelled_at: datetime | None = None
    currency_code: str
    custom_attributes: list[Attribute] = Field(default_factory=list)
    line_items: _PricedLinePage = Field(default_factory=_PricedLinePage)

    @property
    def lines(self) -> list[PricedOrderLine]:
        return self.line_items.nodes


@dataclass(frozen=True)
class AddedVariant:
    """A variant an edit adds; `discount_per_unit` > 0 takes that much off each unit."""

    variant_id: str
    quantity: int
    discount_per_unit: Decimal = Decimal(0)
    discount_description: str | None = None


def calculated_line_id(line_item_gid: str) -> str:
    """A calculated line item shares its number with the line item it stands for."""
    return "gid://shopify/CalculatedLineItem/" + line_item_gid.rsplit("/", 1)[-1]


class OrderEditOperations(RefundOperations, AdminBase):
    async def order_lines(self, order_gid: str) -> OrderLines:
        data = await self.client.execute(docs.ORDER_LINES, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return OrderLines.model_validate(data["order"])

    async def set_line_quantities(
        self,
        order_gid: str,
        targets: Mapping[str, int],
        *,
        restock: bool,
        notify_customer: bool,
        staff_note: str | None,
    ) -> bool:
        """Lower each line (by line item gid) to its target quantity in one committed edit.

        Lines already at or below their target are left alone (an earlier attempt's commit got
        through, or someone else lowered them); False when nothing was left to change.
        """
        current = {line.id: line.current_quantity for line in (await self.order_lines(order_gid)).lines}
        missing = sorted(set(targets) - set(current))
        if missing:
            raise NotFoundError(f"line items {missing} not on {order_gid}", system=SYSTEM, operation="orderEditBegin")
        changes = {line_id: target for line_id, target in targets.items() if current[line_id] > target}
        if not changes:
            return False
        begun = await self._mutate(docs.ORDER_EDIT_BEGIN, {"id": order_gid}, operation="orderEditBegin")
        calculated_id = str(self._required(begun, "calculatedOrder", "orderEditBegin")["id"])
        for line_id, target in changes.items():
            await self._mutate(
                docs.ORDER_EDIT_SET_QUANTITY,
                {
                    "id": calculated_id,
                    "lineItemId": calculated_line_id(line_id),
                    "quantity": target,
                    "restock": restock,
                },
                operation="orderEditSetQuantity",
            )
        variables = {"id": calculated_id, "notifyCustomer": notify_customer, "staffNote": staff_note}
        await self._mutate(docs.ORDER_EDIT_COMMIT, variables, operation="orderEditCommit")
        return True

    async def substitution_lines(self, order_gid: str) -> SubstitutionLines:
        data = await self.client.execute(docs.ORDER_SUBSTITUTION_LINES, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return SubstitutionLines.model_validate(data["order"])

    async def set_custom_attributes(self, order_gid: str, attributes: Sequence[Attribute]) -> None:
        """Replace the order's custom attributes (Shopify replaces the whole list: pass them all)."""
        entries = [{"key": a.key, "value": a.value or ""} for a in attributes]
        variables = {"input": {"id": order_gid, "customAttributes": entries}}
        await self._mutate(docs.ORDER_SET_CUSTOM_ATTRIBUTES, variables, operation="orderUpdate")

    async def substitute_lines(
        self,
        order_gid: str,
        lowered: Mapping[str, int],
        added: Sequence[AddedVariant],
        *,
        currency: str,
        restock: bool,
        notify_customer: bool,
        staff_note: str | None,
    ) -> None:
        """One committed edit: each line (by line item gid) lowered to its quantity, each variant
        added (`allowDuplicates`: the customer may have ordered the substitute too) and discounted."""
        begun = await self._mutate(docs.ORDER_EDIT_BEGIN, {"id": order_gid}, operation="orderEditBegin")
        calculated_id = str(self._required(begun, "calculatedOrder", "orderEditBegin")["id"])
        for line_id, target in lowered.items():
            variables = {
                "id": calculated_id,
                "lineItemId": calculated_line_id(line_id),
                "quantity": target,
                "restock": restock,
            }
            await self._mutate(docs.ORDER_EDIT_SET_QUANTITY, variables, operation="orderEditSetQuantity")
        for add in added:
            variables = {
                "id": calculated_id,
                "variantId": add.variant_id,
                "quantity": add.quantity,
                "allowDuplicates": True,
            }
            payload = await self._mutate(docs.ORDER_EDIT_ADD_VARIANT, variables, operation="orderEditAddVariant")
            line = self._required(payload, "calculatedLineItem", "orderEditAddVariant")
            if add.discount_per_unit > 0:
                discount = {
                    "fixedValue": {"amount": str(add.discount_per_unit), "currencyCode": currency},
                    "description": add.discount_description,
                }
                await self._mutate(
                    docs.ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT,
                    {"id": calculated_id, "lineItemId": line["id"], "discount": discount},
                    operation="orderEditAddLineItemDiscount",
                )
        variables = {"id": calculated_id, "notifyCustomer": notify_customer, "staffNote": staff_note}
        await self._mutate(docs.ORDER_EDIT_COMMIT, variables, operation="orderEditCommit")

    async def refund_owed_once(
        self, order_gid: str, key: str, amount: Decimal, *, note: str = "", notify: bool = False
    ) -> RefundResult:
        """Pay `amount` back (money only, no lines) at most once per `key`, drawn on the order's
        successful payments (what is left of each); `ConflictError` when less than that is left."""
        existing = await self.order_refunds(order_gid)
        for refund in existing.refunds:
            if note_has_marker(refund.note, key):
                log.info("refund for key %s already exists on %s: %s", key, order_gid, refund.id)
                return RefundResult(refund, created=False)
        transactions: list[RefundTransaction] = []
        left = amount
        for payment, available in await self._refundable_payments(order_gid):
            if left <= 0:
                break
            share = min(available, left)
            transactions.append(
                RefundTransaction(order_id=order_gid, parent_id=payment.id, amount=share, gateway=payment.gateway)
            )
            left -= share
        if left > 0:
            raise ConflictError(
                f"only {amount - left} of {amount} left to refund on {order_gid}",
                system=SYSTEM,
                operation="refundCreate",
            )
        refund = await self.create_refund(
            order_gid, transactions=transactions, note=refund_note(note, key), notify=notify
        )
        return RefundResult(refund, created=True)

    async def _refundable_payments(self, order_gid: str) -> list[tuple[OrderTransaction, Decimal]]:
        """Successful sales and captures with what is left of each after the refunds drawn on it."""
        data = await self.client.execute(docs.ORDER_PAYMENTS, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        transactions = [OrderTransaction.model_validate(t) for t in data["order"]["transactions"]]
        refunded: dict[str, Decimal] = {}
        for tx in transactions:
            if tx.kind == "REFUND" and tx.status == "SUCCESS" and tx.parent_transaction is not None:
                parent = tx.parent_transaction.id
                refunded[parent] = refunded.get(parent, Decimal(0)) + tx.amount_set.shop_money.amount
        payments = []
        for tx in transactions:
            if tx.kind in ("SALE", "CAPTURE") and tx.status == "SUCCESS":
                left = tx.amount_set.shop_money.amount - refunded.get(tx.id, Decimal(0))
                if left > 0:
                    payments.append((tx, left))
        return payments
