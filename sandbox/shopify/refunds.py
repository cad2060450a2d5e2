"""`order.suggestedRefund` and `refundCreate`, with Shopify's money rules.

A refund line is worth the units' discounted price plus their tax; shipping is refunded up to what
is left of it. Money only moves through the refund's transactions, each a REFUND against a
successful SALE/CAPTURE of the order (at most what is left of that parent), and never more in total
than the order's net payment - the one refusal a case must be ready for. Restock types are checked
against fulfilment: CANCEL only for unshipped units, RETURN only for shipped ones. Afterwards the
financial status is PARTIALLY_REFUNDED or REFUNDED and `refunds/create` is sent.

ASSUMPTION: the user-error messages are the sandbox's own wording; Shopify's `refundCreate`
returns plain `UserError`s (field + message, no code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from sandbox.effects import EffectKind
from sandbox.shopify import rest_payloads
from sandbox.shopify.ops_base import OperationsBase, Outcome, safe_gid
from sandbox.shopify.state import ZERO, LineItem, Order, Transaction, UserError, money
from sandbox.shopify.state_aftersales import RESTOCKING_TYPES, Refund, RefundLineItem

_PAYMENT_KINDS = ("SALE", "CAPTURE")
# (order line, quantity, restock type, location number) of one refund line
PlannedLine = tuple[LineItem, int, str, int | None]
_OPEN_FO_STATUSES = ("OPEN", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")


@dataclass
class SuggestedTransaction:
    parent: Transaction
    amount: Decimal


@dataclass
class SuggestedRefund:
    """What `order.suggestedRefund` answers; nothing is stored."""

    currency: str
    line_items: list[RefundLineItem]
    shipping_amount: Decimal
    shipping_tax: Decimal
    maximum_shipping: Decimal
    maximum_refundable: Decimal
    transactions: list[SuggestedTransaction] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return money(sum((li.subtotal for li in self.line_items), ZERO))

    @property
    def total_tax(self) -> Decimal:
        return money(sum((li.total_tax for li in self.line_items), ZERO) + self.shipping_tax)

    @property
    def cart_discount(self) -> Decimal:
        total = ZERO
        for item in self.line_items:
            line = item.line_item
            total += line.discount * item.quantity / line.quantity if line.quantity else ZERO
        return money(total)

    @property
    def amount(self) -> Decimal:
        return sum((t.amount for t in self.transactions), ZERO)


def line_value(line: LineItem, quantity: int, taxes_included: bool) -> tuple[Decimal, Decimal]:
    """(subtotal, tax) of `quantity` units; with taxes included the tax is part of the subtotal."""
    subtotal = money(line.discounted_unit_price * quantity)
    tax = money(line.unit_tax * quantity)
    return subtotal, (ZERO if taxes_included else tax)


def parent_remaining(order: Order, parent: Transaction) -> Decimal:
    refunded = sum((t.amount for t in order.transactions if t.kind == "REFUND" and t.parent_id == parent.id), ZERO)
    return money(parent.amount - refunded)


def refundable_parents(order: Order) -> list[Transaction]:
    return [
        t
        for t in order.transactions
        if t.kind in _PAYMENT_KINDS and t.status == "SUCCESS" and parent_remaining(order, t) > 0
    ]


def shipping_left(order: Order) -> Decimal:
    return money(max(order.total_shipping - order.refunded_shipping, ZERO))


def _shipping_tax(order: Order, amount: Decimal) -> Decimal:
    if order.taxes_included or order.total_shipping <= 0:
        return ZERO
    tax = sum((t.price for s in order.shipping_lines for t in s.tax_lines), ZERO)
    return money(tax * amount / order.total_shipping)


def _returned_units(order: Order, line: LineItem) -> int:
    return sum(
        item.quantity
        for refund in order.refunds
        for item in refund.line_items
        if item.line_item is line and item.restock_type == "RETURN"
    )


class Refunds(OperationsBase):
    # ---------------------------------------------------------------- suggestedRefund

    def suggest_refund(self, order: Order, args: dict[str, Any]) -> SuggestedRefund:
        """`Order.suggestedRefund`: full refund, or the given lines (clamped to what is refundable)."""
        by_id = {li.id: li for li in order.line_items}
        wanted: dict[int, tuple[int, str]] = {}
        if args.get("suggestFullRefund"):
            wanted = {li.id: (li.current_quantity, "NO_RESTOCK") for li in order.line_items if li.current_quantity > 0}
        for raw in args.get("refundLineItems") or []:
            parsed = safe_gid(raw["lineItemId"])
            number = parsed.is_a("LineItem") if parsed else None
            if number is None or number not in by_id:
                raise GraphQLError(
                    f"Line item {raw['lineItemId']} does not belong to the order", extensions={"code": "BAD_REQUEST"}
                )
            quantity = min(max(int(raw["quantity"]), 0), by_id[number].current_quantity)
            wanted[number] = (quantity, raw.get("restockType") or "NO_RESTOCK")
        lines = []
        for line_id, (quantity, restock) in wanted.items():
            if quantity <= 0:
                continue
            subtotal, tax = line_value(by_id[line_id], quantity, order.taxes_included)
            lines.append(RefundLineItem(None, by_id[line_id], quantity, restock, subtotal, tax))
        maximum_shipping = shipping_left(order)
        if args.get("suggestFullRefund") or args.get("refundShipping"):
            shipping = maximum_shipping
        else:
            shipping = min(money(args.get("shippingAmount") or ZERO), maximum_shipping)
        suggestion = SuggestedRefund(
            currency=order.currency,
            line_items=lines,
            shipping_amount=shipping,
            shipping_tax=_shipping_tax(order, shipping),
            maximum_shipping=maximum_shipping,
            maximum_refundable=order.net_payment,
        )
        wanted_amount = min(suggestion.subtotal + suggestion.total_tax + shipping, order.net_payment)
        for parent in refundable_parents(order):
            if wanted_amount <= 0:
                break
            share = min(parent_remaining(order, parent), wanted_amount)
            suggestion.transactions.append(SuggestedTransaction(parent, share))
            wanted_amount -= share
        return suggestion

    # ---------------------------------------------------------------- refundCreate

    def create_refund(self, data: dict[str, Any]) -> Outcome[Refund]:
        order = self.order_by_gid(data["orderId"])
        if order is None:
            return Outcome(errors=[UserError("Order does not exist", ["orderId"])])
        errors: list[UserError] = []
        if data.get("currency") and data["currency"] != order.currency:
            errors.append(UserError(f"Currency must be the order currency ({order.currency})", ["currency"]))
        lines = self._plan_refund_lines(order, data.get("refundLineItems") or [], errors)
        shipping = self._plan_shipping(order, data.get("shipping"), errors)
        transactions = self._plan_transactions(order, data, errors)
        if not errors and not lines and shipping <= 0 and not transactions:
            errors.append(UserError("A refund needs line items, shipping or transactions", ["refundLineItems"]))
        if errors:
            return Outcome(errors=errors)

        return Outcome(
            self.record_refund(
                order, lines, shipping, transactions, note=data.get("note"), notify=bool(data.get("notify"))
            )
        )

    def refund_everything(self, order: Order, *, restock: bool, note: str | None) -> Refund | None:
        """What `orderCancel(refund: true)` does: every remaining unit, the shipping and all money
        still held, as one refund (unshipped units restocked as CANCEL, shipped ones as RETURN)."""
        lines: list[PlannedLine] = []
        for line in order.line_items:
            unshipped = min(line.unfulfilled_quantity, line.current_quantity)
            shipped = line.current_quantity - unshipped
            for quantity, kind in ((unshipped, "CANCEL"), (shipped, "RETURN")):
                if quantity > 0:
                    lines.append((line, quantity, kind if restock else "NO_RESTOCK", None))
        transactions = [
            Transaction(
                id=0,
                kind="REFUND",
                status="SUCCESS",
                amount=parent_remaining(order, parent),
                currency=order.currency,
                gateway=parent.gateway,
                parent_id=parent.id,
                order_id=order.id,
                test=parent.test,
            )
            for parent in refundable_parents(order)
        ]
        if not lines and not transactions:
            return None
        return self.record_refund(order, lines, shipping_left(order), transactions, note=note, notify=False)

    def record_refund(
        self,
        order: Order,
        lines: list[PlannedLine],
        shipping: Decimal,
        transactions: list[Transaction],
        *,
        note: str | None,
        notify: bool,
    ) -> Refund:
        """Apply a checked refund: quantities, stock, transactions, totals, status, webhooks."""
        shop = self.shop
        refund = Refund(
            id=shop.next_id("Refund"),
            order=order,
            note=note,
            line_items=[],
            transactions=transactions,
            shipping_amount=shipping,
            shipping_tax=_shipping_tax(order, shipping),
            shipping_adjustment_id=shop.next_id("OrderAdjustment") if shipping > 0 else None,
            notify=notify,
        )
        for line, quantity, restock, location_id in lines:
            subtotal, tax = line_value(line, quantity, order.taxes_included)
            refund.line_items.append(
                RefundLineItem(shop.next_id("RefundLineItem"), line, quantity, restock, subtotal, tax, location_id)
            )
            line.refunded_quantity += quantity
            line.current_quantity -= quantity
            if restock in RESTOCKING_TYPES and line.variant_id in shop.variants:
                shop.variants[line.variant_id].inventory_quantity += quantity
            self._release_unshippable_units(order, line)
        for tx in transactions:
            tx.id = shop.next_id("OrderTransaction")
            order.transactions.append(tx)
        refunded = refund.total_refunded
        order.total_refunded = money(order.total_refunded + refunded)
        order.refunded_shipping = money(order.refunded_shipping + shipping)
        if refunded > 0:
            order.financial_status = "REFUNDED" if order.net_payment <= 0 else "PARTIALLY_REFUNDED"
        order.refunds.append(refund)
        shop.refunds[refund.id] = refund
        order.updated_at = refund.created_at

        self.effects(order.id, EffectKind.REFUND_CREATED, refund.id, amount=str(refunded))
        event = self.webhooks.new_event_id()
        self.webhooks.emit(shop, "REFUNDS_CREATE", rest_payloads.refund_payload(refund), event_id=event)
        self.webhooks.emit(shop, "ORDERS_UPDATED", rest_payloads.order_payload(order), event_id=event)
        return refund

    def _plan_refund_lines(self, order: Order, raw: list[dict[str, Any]], errors: list[UserError]) -> list[PlannedLine]:
        by_id = {li.id: li for li in order.line_items}
        planned: list[PlannedLine] = []
        asked: dict[int, int] = {}
        cancelled: dict[int, int] = {}
        returned: dict[int, int] = {}
        for index, entry in enumerate(raw):
            path = ["refundLineItems", str(index)]
            parsed = safe_gid(entry["lineItemId"])
            number = parsed.is_a("LineItem") if parsed else None
            line = by_id.get(number) if number is not None else None
            if line is None:
                errors.append(UserError("Line item does not exist on this order", [*path, "lineItemId"]))
                continue
            quantity = int(entry["quantity"])
            restock = entry.get("restockType") or "NO_RESTOCK"
            location = safe_gid(entry["locationId"]) if entry.get("locationId") else None
            if entry.get("locationId") and (location is None or location.is_a("Location") is None):
                errors.append(UserError("Location does not exist", [*path, "locationId"]))
            if quantity < 1:
                errors.append(UserError("Quantity must be greater than or equal to 1", [*path, "quantity"]))
                continue
            asked[line.id] = asked.get(line.id, 0) + quantity
            if asked[line.id] > line.current_quantity:
                errors.append(
                    UserError(
                        f"Cannot refund more items than were purchased: {line.current_quantity} refundable",
                        [*path, "quantity"],
                    )
                )
                continue
            if restock == "CANCEL":
                cancelled[line.id] = cancelled.get(line.id, 0) + quantity
                if cancelled[line.id] > line.unfulfilled_quantity:
                    errors.append(
                        UserError("Only unfulfilled items can be restocked with CANCEL", [*path, "restockType"])
                    )
                    continue
            if restock == "RETURN":
                returned[line.id] = returned.get(line.id, 0) + quantity
                if returned[line.id] > line.fulfilled_quantity - _returned_units(order, line):
                    errors.append(
                        UserError("Only fulfilled items can be restocked with RETURN", [*path, "restockType"])
                    )
                    continue
            planned.append((line, quantity, restock, location.numeric if location else None))
        return planned

    @staticmethod
    def _plan_shipping(order: Order, raw: dict[str, Any] | None, errors: list[UserError]) -> Decimal:
        if not raw:
            return ZERO
        left = shipping_left(order)
        if raw.get("fullRefund"):
            return left
        wanted = money(raw.get("amount") or ZERO)
        if wanted < 0:
            errors.append(
                UserError("Shipping refund amount must be greater than or equal to 0", ["shipping", "amount"])
            )
        elif wanted > left:
            errors.append(
                UserError(f"Shipping refund amount exceeds the refundable shipping of {left}", ["shipping", "amount"])
            )
        return wanted

    @staticmethod
    def _plan_transactions(order: Order, data: dict[str, Any], errors: list[UserError]) -> list[Transaction]:
        planned: list[Transaction] = []
        by_parent: dict[int, Decimal] = {}
        total = ZERO
        for index, raw in enumerate(data.get("transactions") or []):
            path = ["transactions", str(index)]
            amount = money(raw["amount"])
            if raw["orderId"] != data["orderId"]:
                errors.append(UserError("Transaction must belong to the refunded order", [*path, "orderId"]))
                continue
            if raw["kind"] != "REFUND":
                errors.append(UserError("Kind must be REFUND", [*path, "kind"]))
                continue
            if amount <= 0:
                errors.append(UserError("Amount must be greater than 0", [*path, "amount"]))
                continue
            parent = _parent(order, raw.get("parentId"))
            if parent is None:
                errors.append(UserError("Parent transaction does not exist on this order", [*path, "parentId"]))
                continue
            if raw["gateway"] != parent.gateway:
                errors.append(UserError(f"Gateway must be the parent's gateway ({parent.gateway})", [*path, "gateway"]))
                continue
            by_parent[parent.id] = by_parent.get(parent.id, ZERO) + amount
            left = parent_remaining(order, parent)
            if by_parent[parent.id] > left:
                errors.append(
                    UserError(f"Amount exceeds the {left} left to refund on the parent transaction", [*path, "amount"])
                )
                continue
            total += amount
            planned.append(
                Transaction(
                    id=0,
                    kind="REFUND",
                    status="SUCCESS",
                    amount=amount,
                    currency=order.currency,
                    gateway=parent.gateway,
                    parent_id=parent.id,
                    order_id=order.id,
                    test=parent.test,
                )
            )
        if total > order.net_payment:
            errors.append(
                UserError(
                    f"Refund amount {total} exceeds the maximum refundable amount of {order.net_payment}",
                    ["transactions"],
                )
            )
        return planned

    def _release_unshippable_units(self, order: Order, line: LineItem) -> None:
        """Refunded units are no longer to be shipped: trim the open fulfillment orders to match."""
        holders = [
            (fo, item)
            for fo in order.fulfillment_orders
            if fo.status in _OPEN_FO_STATUSES
            for item in fo.line_items
            if item.line_item is line and item.remaining_quantity > 0
        ]
        excess = sum(item.remaining_quantity for _, item in holders) - line.unfulfilled_quantity
        for fo, item in reversed(holders):
            if excess <= 0:
                break
            taken = min(item.remaining_quantity, excess)
            item.remaining_quantity -= taken
            excess -= taken
            if all(li.remaining_quantity == 0 for li in fo.line_items) and fo.status in ("OPEN", "IN_PROGRESS"):
                fo.status = "CLOSED"


def _parent(order: Order, raw_id: str | None) -> Transaction | None:
    """The SALE/CAPTURE a refund draws on; without `parentId`, the only one that has money left."""
    if raw_id is None:
        candidates = refundable_parents(order)
        return candidates[0] if len(candidates) == 1 else None
    parsed = safe_gid(raw_id)
    number = parsed.is_a("OrderTransaction") if parsed else None
    return next(
        (t for t in order.transactions if t.id == number and t.kind in _PAYMENT_KINDS and t.status == "SUCCESS"),
        None,
    )
