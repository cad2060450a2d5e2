"""Returns (2025-01): what can be returned, `returnRequest` → REQUESTED, `returnApproveRequest` →
OPEN, `returnDeclineRequest` → DECLINED (with the reason), each announced by its webhook.

Units are counted per fulfillment line item: what was shipped, minus what active returns
(REQUESTED, OPEN, CLOSED) already hold, and never more than the order line still has (refunded
units cannot come back). Errors are `ReturnUserError`s with Shopify's codes; ASSUMPTION: the
messages are the sandbox's wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.effects import EffectKind
from sandbox.shopify import rest_resources
from sandbox.shopify.ops_base import OperationsBase, Outcome, money_input, safe_gid
from sandbox.shopify.state import Order, UserError, utcnow
from sandbox.shopify.state_aftersales import (
    ACTIVE_RETURN_STATUSES,
    Fulfillment,
    FulfillmentLineItem,
    Return,
    ReturnLineItem,
)


@dataclass
class Returnable:
    fulfillment: Fulfillment
    items: list[tuple[FulfillmentLineItem, int]]  # (fulfillment line item, returnable quantity)


def returnable_quantity(order: Order, item: FulfillmentLineItem) -> int:
    held = sum(
        rli.quantity
        for ret in order.returns
        if ret.status in ACTIVE_RETURN_STATUSES
        for rli in ret.line_items
        if rli.fulfillment_line_item is item
    )
    return max(min(item.quantity - held, item.line_item.current_quantity), 0)


def returnable_fulfillments(order: Order) -> list[Returnable]:
    out: list[Returnable] = []
    for fulfillment in order.fulfillments:
        items = [(item, returnable_quantity(order, item)) for item in fulfillment.line_items]
        items = [(item, quantity) for item, quantity in items if quantity > 0]
        if items and fulfillment.status == "SUCCESS":
            out.append(Returnable(fulfillment, items))
    return out


class Returns(OperationsBase):
    def return_by_gid(self, value: str) -> Return | None:
        parsed = safe_gid(value)
        number = parsed.is_a("Return") if parsed else None
        return self.shop.returns.get(number) if number is not None else None

    def request_return(self, data: dict[str, Any]) -> Outcome[Return]:
        order = self.order_by_gid(data["orderId"])
        if order is None:
            return Outcome(errors=[UserError("Order does not exist.", ["input", "orderId"], "NOT_FOUND")])
        errors: list[UserError] = []
        raw_items: list[dict[str, Any]] = data["returnLineItems"]
        if not raw_items:
            errors.append(UserError("Return line items can't be blank.", ["input", "returnLineItems"], "BLANK"))
        items_by_id = {item.id: item for f in order.fulfillments for item in f.line_items}
        asked: dict[int, int] = {}
        planned: list[tuple[FulfillmentLineItem, dict[str, Any]]] = []
        for index, raw in enumerate(raw_items):
            path = ["input", "returnLineItems", str(index)]
            parsed = safe_gid(raw["fulfillmentLineItemId"])
            number = parsed.is_a("FulfillmentLineItem") if parsed else None
            item = items_by_id.get(number) if number is not None else None
            if item is None:
                errors.append(
                    UserError("Fulfillment line item does not exist.", [*path, "fulfillmentLineItemId"], "NOT_FOUND")
                )
                continue
            quantity = int(raw["quantity"])
            asked[item.id] = asked.get(item.id, 0) + quantity
            if quantity < 1:
                errors.append(UserError("Quantity must be greater than 0.", [*path, "quantity"], "GREATER_THAN"))
            elif asked[item.id] > returnable_quantity(order, item):
                errors.append(
                    UserError(
                        f"Quantity must be less than or equal to the returnable quantity "
                        f"({returnable_quantity(order, item)}).",
                        [*path, "quantity"],
                        "LESS_THAN_OR_EQUAL_TO",
                    )
                )
            else:
                planned.append((item, raw))
        fee = money_input({"shopMoney": data["returnShippingFee"]["amount"]}) if data.get("returnShippingFee") else None
        if fee is not None and fee[1] != order.currency:
            errors.append(
                UserError(
                    f"Return shipping fee must be in the order currency ({order.currency}).",
                    ["input", "returnShippingFee", "amount", "currencyCode"],
                    "INVALID",
                )
            )
        if errors:
            return Outcome(errors=errors)

        now = utcnow()
        ret = Return(
            id=self.shop.next_id("Return"),
            order=order,
            name=f"{order.name}-R{len(order.returns) + 1}",
            line_items=[
                ReturnLineItem(
                    self.shop.next_id("ReturnLineItem"),
                    item,
                    int(raw["quantity"]),
                    raw["returnReason"],
                    raw.get("customerNote"),
                )
                for item, raw in planned
            ],
            created_at=now,
            updated_at=now,
        )
        order.returns.append(ret)
        self.shop.returns[ret.id] = ret
        order.updated_at = now
        self.webhooks.emit(self.shop, "RETURNS_REQUEST", rest_resources.return_payload(ret))
        return Outcome(ret)

    def approve_return(self, data: dict[str, Any]) -> Outcome[Return]:
        ret, errors = self._requested(data["id"], "approved")
        if ret is None:
            return Outcome(errors=errors)
        ret.status = "OPEN"
        ret.updated_at = utcnow()
        self.effects(ret.order.id, EffectKind.RETURN_APPROVED, ret.id)
        self.webhooks.emit(self.shop, "RETURNS_APPROVE", rest_resources.return_payload(ret))
        return Outcome(ret)

    def decline_return(self, data: dict[str, Any]) -> Outcome[Return]:
        ret, errors = self._requested(data["id"], "declined")
        if ret is None:
            return Outcome(errors=errors)
        ret.status = "DECLINED"
        ret.decline_reason = data["declineReason"]
        ret.decline_note = data.get("declineNote")
        ret.updated_at = utcnow()
        self.effects(ret.order.id, EffectKind.RETURN_DECLINED, ret.id, reason=ret.decline_reason)
        self.webhooks.emit(self.shop, "RETURNS_DECLINE", rest_resources.return_payload(ret))
        return Outcome(ret)

    def _requested(self, return_gid: str, verb: str) -> tuple[Return | None, list[UserError]]:
        """The return, if it exists and still waits for the merchant's decision."""
        ret = self.return_by_gid(return_gid)
        if ret is None:
            return None, [UserError("Return does not exist.", ["input", "id"], "NOT_FOUND")]
        if ret.status != "REQUESTED":
            message = f"Return is {ret.status.lower()}; only a requested return can be {verb}."
            return None, [UserError(message, ["input", "id"], "INVALID_STATE")]
        return ret, []
