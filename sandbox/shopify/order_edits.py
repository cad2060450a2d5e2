"""Order editing (`orderEditBegin`, `orderEditSetQuantity`, `orderEditCommit`) as Shopify runs it.

`orderEditBegin` opens a calculated order: a draft of the order's changes. Changes are staged on
it and nothing touches the order until `orderEditCommit` applies them all at once; a committed
calculated order takes no further changes. A calculated line item shares its number with the line
item it stands for (`gid://shopify/CalculatedLineItem/<line item id>`), as on Shopify.

A lowered quantity takes the removed units off the order (`currentQuantity`, `refundableQuantity`)
and off its open fulfillment orders; `restock` puts them back in stock. Shopify does not refund on
commit: a paid order then owes the buyer the difference, which the merchant refunds separately
(`refundCreate` with transactions only).

ASSUMPTION: the user-error messages are the sandbox's own wording (Shopify answers plain
`UserError`s, field + message). NOT SIMULATED: raising a quantity or adding items (they need
payment collection); both answer a GraphQL error saying so rather than pretending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from graphql import GraphQLError

from sandbox.shopify import rest_payloads
from sandbox.shopify.gid import gid
from sandbox.shopify.ops_base import Outcome, safe_gid
from sandbox.shopify.refunds import Refunds
from sandbox.shopify.state import LineItem, Order, UserError, utcnow


@dataclass
class StagedQuantity:
    quantity: int
    restock: bool


@dataclass
class CalculatedOrder:
    TYPENAME: ClassVar[str] = "CalculatedOrder"
    id: int
    order: Order
    staged: dict[int, StagedQuantity] = field(default_factory=dict)  # line item id -> new quantity
    committed: bool = False
    notify_customer: bool = False
    staff_note: str | None = None
    committed_at: datetime | None = None

    @property
    def gid(self) -> str:
        return gid("CalculatedOrder", self.id)

    def quantity_of(self, line: LineItem) -> int:
        staged = self.staged.get(line.id)
        return staged.quantity if staged is not None else line.current_quantity


@dataclass
class CalculatedLineItem:
    """A line item as the calculated order sees it (staged quantity included)."""

    TYPENAME: ClassVar[str] = "CalculatedLineItem"
    calculated: CalculatedOrder
    line: LineItem

    @property
    def id(self) -> int:
        return self.line.id

    @property
    def gid(self) -> str:
        return gid("CalculatedLineItem", self.line.id)

    @property
    def quantity(self) -> int:
        return self.calculated.quantity_of(self.line)

    @property
    def editable_quantity(self) -> int:
        return max(self.quantity - self.line.fulfilled_quantity, 0)

    @property
    def editable_quantity_before_changes(self) -> int:
        return max(self.line.current_quantity - self.line.fulfilled_quantity, 0)

    @property
    def restocking(self) -> bool:
        staged = self.calculated.staged.get(self.line.id)
        return staged is not None and staged.restock


class OrderEdits(Refunds):
    def calculated_order_by_gid(self, value: str) -> CalculatedOrder | None:
        parsed = safe_gid(value)
        number = parsed.is_a("CalculatedOrder") if parsed else None
        return self.shop.calculated_orders.get(number) if number is not None else None

    def begin_order_edit(self, order_gid: str) -> Outcome[CalculatedOrder]:
        parsed = safe_gid(order_gid)
        number = parsed.is_a("Order") if parsed else None
        order = self.shop.orders.get(number) if number is not None else None
        if order is None:
            return Outcome(errors=[UserError("The order does not exist", ["id"])])
        if order.cancelled_at is not None:
            return Outcome(errors=[UserError("A cancelled order cannot be edited", ["id"])])
        calculated = CalculatedOrder(id=self.shop.next_id("CalculatedOrder"), order=order)
        self.shop.calculated_orders[calculated.id] = calculated
        return Outcome(calculated)

    def set_order_edit_quantity(
        self, calculated_gid: str, line_gid: str, quantity: int, *, restock: bool
    ) -> Outcome[CalculatedLineItem]:
        calculated = self.calculated_order_by_gid(calculated_gid)
        if calculated is None:
            return Outcome(errors=[UserError("The calculated order does not exist", ["id"])])
        if calculated.committed:
            return Outcome(errors=[UserError("The calculated order has already been committed", ["id"])])
        parsed = safe_gid(line_gid)
        number = parsed.is_a("CalculatedLineItem") if parsed else None
        line = next((li for li in calculated.order.line_items if li.id == number), None)
        if line is None:
            return Outcome(errors=[UserError("The line item does not exist on this order", ["lineItemId"])])
        if quantity < 0:
            return Outcome(errors=[UserError("Quantity must be greater than or equal to 0", ["quantity"])])
        if quantity < line.fulfilled_quantity:
            return Outcome(
                errors=[
                    UserError(
                        f"Quantity cannot be less than the {line.fulfilled_quantity} already fulfilled", ["quantity"]
                    )
                ]
            )
        if quantity > line.current_quantity:
            raise GraphQLError(
                "Raising a line's quantity is not simulated by the Casebridge sandbox",
                extensions={"code": "NOT_SIMULATED"},
            )
        if quantity == line.current_quantity:
            calculated.staged.pop(line.id, None)
        else:
            calculated.staged[line.id] = StagedQuantity(quantity, restock)
        return Outcome(CalculatedLineItem(calculated, line))

    def commit_order_edit(
        self, calculated_gid: str, *, notify_customer: bool, staff_note: str | None
    ) -> Outcome[Order]:
        calculated = self.calculated_order_by_gid(calculated_gid)
        if calculated is None:
            return Outcome(errors=[UserError("The calculated order does not exist", ["id"])])
        if calculated.committed:
            return Outcome(errors=[UserError("The calculated order has already been committed", ["id"])])
        order = calculated.order
        if order.cancelled_at is not None:
            return Outcome(errors=[UserError("A cancelled order cannot be edited", ["id"])])
        if staff_note is not None and len(staff_note) > 255:
            return Outcome(errors=[UserError("Staff note is too long (maximum is 255 characters)", ["staffNote"])])
        by_id = {li.id: li for li in order.line_items}
        for line_id, staged in calculated.staged.items():
            line = by_id[line_id]
            removed = line.current_quantity - staged.quantity
            line.current_quantity = staged.quantity
            if staged.restock and line.variant_id in self.shop.variants:
                self.shop.variants[line.variant_id].inventory_quantity += removed
            self._release_unshippable_units(order, line)
        calculated.committed = True
        calculated.notify_customer = notify_customer
        calculated.staff_note = staff_note
        calculated.committed_at = utcnow()
        order.updated_at = calculated.committed_at
        if calculated.staged:
            event = self.webhooks.new_event_id()
            self.webhooks.emit(self.shop, "ORDERS_UPDATED", rest_payloads.order_payload(order), event_id=event)
        return Outcome(order)
