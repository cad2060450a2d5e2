"""Order editing (`orderEditBegin`, `orderEditSetQuantity`, `orderEditAddVariant`,
`orderEditAddLineItemDiscount`, `orderEditCommit`) as Shopify runs it.

`orderEditBegin` opens a calculated order: a draft of the order's changes. Changes are staged on
it and nothing touches the order until `orderEditCommit` applies them all at once; a committed
calculated order takes no further changes. A calculated line item shares its number with the line
item it stands for (`gid://shopify/CalculatedLineItem/<line item id>`), as on Shopify.

A lowered quantity takes the removed units off the order (`currentQuantity`, `refundableQuantity`)
and off its open fulfillment orders; `restock` puts them back in stock. Shopify does not refund on
commit: a paid order then owes the buyer the difference, which the merchant refunds separately
(`refundCreate` with transactions only): the order's total drops by the removed units' value.

`orderEditAddVariant` stages a new line of a sellable variant (active product, enough stock) at the
variant's price; the calculated line item's number is the one the line item gets on commit. A
variant already on the order is refused unless `allowDuplicates` is true (Shopify's default false).
`orderEditAddLineItemDiscount` discounts only lines added in the same edit, as Shopify requires, by
a fixed amount or a percentage. On commit the added lines join the order (and its first open
fulfillment order), their units leave stock, and the order's total grows by their discounted value.

ASSUMPTION: the user-error messages are the sandbox's own wording (Shopify answers plain
`UserError`s, field + message). ASSUMPTION: a fixed-amount line discount is taken off each unit
(Shopify's manual line-item discounts are allocated per unit), never below zero. NOT SIMULATED:
raising a quantity (needs payment collection) answers a GraphQL error saying so rather than
pretending; added lines carry no tax lines (the sandbox has no tax engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from graphql import GraphQLError

from sandbox.effects import EffectKind
from sandbox.shopify import rest_payloads
from sandbox.shopify.gid import gid
from sandbox.shopify.ops_base import Outcome, safe_gid
from sandbox.shopify.refunds import Refunds
from sandbox.shopify.state import (
    ZERO,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    Order,
    UserError,
    money,
    utcnow,
)
from sandbox.shopify.state_catalog import ProductVariant

_OPEN_FO_STATUSES = ("OPEN", "ON_HOLD", "SCHEDULED")


@dataclass
class StagedQuantity:
    quantity: int
    restock: bool


@dataclass
class StagedDiscount:
    """A manual discount on a line added in this edit (`orderEditAddLineItemDiscount`)."""

    TYPENAME: ClassVar[str] = "CalculatedManualDiscountApplication"
    id: int
    description: str | None
    fixed_per_unit: Decimal | None  # fixedValue
    percentage: float | None  # percentValue

    @property
    def gid(self) -> str:
        return gid("CalculatedManualDiscountApplication", self.id)


@dataclass
class CalculatedOrder:
    TYPENAME: ClassVar[str] = "CalculatedOrder"
    id: int
    order: Order
    staged: dict[int, StagedQuantity] = field(default_factory=dict)  # line item id -> new quantity
    # Lines added in this edit: line items not yet on the order (their ids are the ones they keep).
    added: list[LineItem] = field(default_factory=list)
    discounts: dict[int, StagedDiscount] = field(default_factory=dict)  # added line id -> its discount
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

    @property
    def staged_discount(self) -> StagedDiscount | None:
        return self.calculated.discounts.get(self.line.id)


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

    def add_order_edit_variant(
        self, calculated_gid: str, variant_gid: str, quantity: int, *, allow_duplicates: bool
    ) -> Outcome[CalculatedLineItem]:
        calculated = self._open_calculated(calculated_gid)
        if isinstance(calculated, UserError):
            return Outcome(errors=[calculated])
        parsed = safe_gid(variant_gid)
        number = parsed.is_a("ProductVariant") if parsed else None
        variant = self.shop.variants.get(number) if number is not None else None
        if variant is None:
            return Outcome(errors=[UserError("The variant does not exist", ["variantId"])])
        if quantity < 1:
            return Outcome(errors=[UserError("Quantity must be greater than 0", ["quantity"])])
        if variant.product.status != "ACTIVE":
            return Outcome(errors=[UserError("The variant is not available for sale", ["variantId"])])
        staged_units = sum(li.quantity for li in calculated.added if li.variant_id == variant.id)
        if variant.inventory_quantity < staged_units + quantity:
            return Outcome(
                errors=[UserError(f"Only {variant.inventory_quantity} of the variant are in stock", ["quantity"])]
            )
        on_order = any(li.variant_id == variant.id and li.current_quantity > 0 for li in calculated.order.line_items)
        if (on_order or staged_units) and not allow_duplicates:
            return Outcome(errors=[UserError("The variant is already on the order", ["variantId"])])
        line = _line_of(variant, quantity, self.shop.next_id("LineItem"), calculated.order.currency)
        calculated.added.append(line)
        return Outcome(CalculatedLineItem(calculated, line))

    def add_order_edit_line_discount(
        self, calculated_gid: str, line_gid: str, discount: dict[str, object]
    ) -> Outcome[CalculatedLineItem]:
        calculated = self._open_calculated(calculated_gid)
        if isinstance(calculated, UserError):
            return Outcome(errors=[calculated])
        parsed = safe_gid(line_gid)
        number = parsed.is_a("CalculatedLineItem") if parsed else None
        line = next((li for li in calculated.added if li.id == number), None)
        if line is None:
            on_order = any(li.id == number for li in calculated.order.line_items)
            message = "Discounts can only be added to line items added in this edit" if on_order else None
            return Outcome(errors=[UserError(message or "The line item does not exist", ["lineItemId"])])
        if line.id in calculated.discounts:
            return Outcome(errors=[UserError("The line item already has a discount", ["lineItemId"])])
        fixed, percentage = discount.get("fixedValue"), discount.get("percentValue")
        if (fixed is None) == (percentage is None):
            return Outcome(errors=[UserError("Provide either a fixed value or a percent value", ["discount"])])
        per_unit: Decimal | None = None
        if isinstance(fixed, dict):
            if fixed.get("currencyCode") != calculated.order.currency:
                return Outcome(
                    errors=[UserError(f"Currency must be {calculated.order.currency}", ["discount", "fixedValue"])]
                )
            per_unit = money(Decimal(str(fixed["amount"])))
            if per_unit <= 0:
                return Outcome(errors=[UserError("Discount must be greater than 0", ["discount", "fixedValue"])])
            line.discount = min(money(per_unit * line.quantity), line.original_total)
        else:
            share = float(str(percentage))
            if not 0 < share <= 100:
                return Outcome(
                    errors=[UserError("Percent value must be between 0 and 100", ["discount", "percentValue"])]
                )
            line.discount = money(line.original_total * Decimal(str(share)) / 100)
        description = discount.get("description")
        calculated.discounts[line.id] = StagedDiscount(
            self.shop.next_id("CalculatedManualDiscountApplication"),
            str(description) if description is not None else None,
            per_unit,
            float(str(percentage)) if percentage is not None else None,
        )
        return Outcome(CalculatedLineItem(calculated, line))

    def _open_calculated(self, calculated_gid: str) -> CalculatedOrder | UserError:
        calculated = self.calculated_order_by_gid(calculated_gid)
        if calculated is None:
            return UserError("The calculated order does not exist", ["id"])
        if calculated.committed:
            return UserError("The calculated order has already been committed", ["id"])
        return calculated

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
            line.removed_by_edit += removed
            if staged.restock and line.variant_id in self.shop.variants:
                self.shop.variants[line.variant_id].inventory_quantity += removed
            self._release_unshippable_units(order, line)
        for line in calculated.added:
            self._add_line(order, line)
        calculated.committed = True
        calculated.notify_customer = notify_customer
        calculated.staff_note = staff_note
        calculated.committed_at = utcnow()
        order.updated_at = calculated.committed_at
        if calculated.staged or calculated.added:
            self.effects(order.id, EffectKind.ORDER_EDITED, calculated.id)
            event = self.webhooks.new_event_id()
            self.webhooks.emit(self.shop, "ORDERS_UPDATED", rest_payloads.order_payload(order), event_id=event)
        return Outcome(order)

    def _add_line(self, order: Order, line: LineItem) -> None:
        """An added line joins the order and its first open fulfillment order; its units leave stock."""
        order.line_items.append(line)
        if line.variant_id in self.shop.variants:
            self.shop.variants[line.variant_id].inventory_quantity -= line.quantity
        item = FulfillmentOrderLineItem(
            self.shop.next_id("FulfillmentOrderLineItem"), line, line.quantity, line.quantity
        )
        fo = next((f for f in order.fulfillment_orders if f.status in _OPEN_FO_STATUSES), None)
        if fo is None:
            fo = FulfillmentOrder(id=self.shop.next_id("FulfillmentOrder"), order=order, line_items=[])
            order.fulfillment_orders.append(fo)
            self.shop.fulfillment_orders[fo.id] = fo
        fo.line_items.append(item)
        fo.updated_at = utcnow()


def _line_of(variant: ProductVariant, quantity: int, line_id: int, currency: str) -> LineItem:
    return LineItem(
        id=line_id,
        title=variant.product.title,
        quantity=quantity,
        price=variant.price,
        currency=currency,
        sku=variant.sku,
        variant_id=variant.id,
        product_id=variant.product.id,
        variant_title=None if variant.title == "Default Title" else variant.title,
        vendor=variant.product.vendor or None,
        taxable=variant.taxable,
        discount=ZERO,
    )
