"""`fulfillmentCreateV2`: ship some or all remaining units of one order's fulfillment orders.

A fully shipped fulfillment order is CLOSED, a partly shipped one IN_PROGRESS; fulfillment orders
on hold (or closed, cancelled) cannot be fulfilled. The order's fulfillment status follows from the
line items' fulfilled quantities. Announced with `fulfillments/create`, `orders/fulfilled` or
`orders/partially_fulfilled`, and `orders/updated`.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from sandbox.shopify import rest_payloads
from sandbox.shopify.ops_base import OperationsBase, Outcome, safe_gid
from sandbox.shopify.state import FulfillmentOrder, FulfillmentOrderLineItem, Order, UserError, utcnow
from sandbox.shopify.state_aftersales import Fulfillment, FulfillmentLineItem, TrackingInfo

_FULFILLABLE = ("OPEN", "IN_PROGRESS")


class Fulfillments(OperationsBase):
    def create_fulfillment(self, data: dict[str, Any]) -> Outcome[Fulfillment]:
        errors: list[UserError] = []
        groups: list[dict[str, Any]] = data.get("lineItemsByFulfillmentOrder") or []
        if not groups:
            return Outcome(errors=[UserError("Line items by fulfillment order can't be blank", ["fulfillment"])])
        planned: list[tuple[FulfillmentOrder, FulfillmentOrderLineItem, int]] = []
        order: Order | None = None
        for index, group in enumerate(groups):
            path = ["fulfillment", "lineItemsByFulfillmentOrder", str(index)]
            parsed = safe_gid(group["fulfillmentOrderId"])
            number = parsed.is_a("FulfillmentOrder") if parsed else None
            fo = self.shop.fulfillment_orders.get(number) if number is not None else None
            if fo is None:
                errors.append(UserError("Fulfillment order does not exist.", [*path, "fulfillmentOrderId"]))
                continue
            if order is not None and fo.order is not order:
                errors.append(
                    UserError("All fulfillment orders must belong to the same order.", [*path, "fulfillmentOrderId"])
                )
                continue
            order = fo.order
            if fo.status not in _FULFILLABLE or order.cancelled_at is not None:
                errors.append(
                    UserError(
                        f"Fulfillment order {fo.gid} has an unfulfillable status= {fo.status.lower()}.",
                        [*path, "fulfillmentOrderId"],
                    )
                )
                continue
            planned += self._plan_items(fo, group.get("fulfillmentOrderLineItems"), path, errors)
        if not errors and not planned:
            errors.append(UserError("There is nothing left to fulfill.", ["fulfillment"]))
        if errors or order is None:
            return Outcome(errors=errors)

        now = utcnow()
        lines: list[FulfillmentLineItem] = []
        touched: dict[int, FulfillmentOrder] = {}
        for fo, item, quantity in planned:
            item.remaining_quantity -= quantity
            item.line_item.fulfilled_quantity += quantity
            lines.append(
                FulfillmentLineItem(self.shop.next_id("FulfillmentLineItem"), item.line_item, quantity, item.id)
            )
            touched[fo.id] = fo
        for fo in touched.values():
            fo.status = "CLOSED" if all(li.remaining_quantity == 0 for li in fo.line_items) else "IN_PROGRESS"
            fo.updated_at = now
        fulfillment = Fulfillment(
            id=self.shop.next_id("Fulfillment"),
            order=order,
            name=f"{order.name}.{len(order.fulfillments) + 1}",
            line_items=lines,
            fulfillment_order_ids=list(touched),
            tracking=_tracking(data.get("trackingInfo")),
            notify_customer=bool(data.get("notifyCustomer")),
            created_at=now,
            updated_at=now,
        )
        order.fulfillments.append(fulfillment)
        self.shop.fulfillments[fulfillment.id] = fulfillment
        order.updated_at = now

        event = self.webhooks.new_event_id()
        self.webhooks.emit(
            self.shop, "FULFILLMENTS_CREATE", rest_payloads.fulfillment_payload(fulfillment), event_id=event
        )
        payload = rest_payloads.order_payload(order)
        topic = "ORDERS_FULFILLED" if order.display_fulfillment_status == "FULFILLED" else "ORDERS_PARTIALLY_FULFILLED"
        self.webhooks.emit(self.shop, topic, payload, event_id=event)
        self.webhooks.emit(self.shop, "ORDERS_UPDATED", payload, event_id=event)
        return Outcome(fulfillment)

    def fulfill_order(self, order: Order) -> Outcome[Fulfillment]:
        """Ship everything still open on an order (the sandbox admin route's shortcut)."""
        groups = [{"fulfillmentOrderId": fo.gid} for fo in order.fulfillment_orders if fo.status in _FULFILLABLE]
        return self.create_fulfillment({"lineItemsByFulfillmentOrder": groups})

    @staticmethod
    def _plan_items(
        fo: FulfillmentOrder, raw: list[dict[str, Any]] | None, path: list[str], errors: list[UserError]
    ) -> list[tuple[FulfillmentOrder, FulfillmentOrderLineItem, int]]:
        """(fulfillment order, its line item, quantity) to ship; all remaining units when `raw` is None."""
        if raw is None:
            return [(fo, item, item.remaining_quantity) for item in fo.line_items if item.remaining_quantity > 0]
        by_id = {item.id: item for item in fo.line_items}
        wanted: dict[int, int] = {}
        for index, entry in enumerate(raw):
            item_path = [*path, "fulfillmentOrderLineItems", str(index)]
            parsed = safe_gid(entry["id"])
            number = parsed.is_a("FulfillmentOrderLineItem") if parsed else None
            item = by_id.get(number) if number is not None else None
            if item is None:
                errors.append(UserError("Fulfillment order line item does not exist.", [*item_path, "id"]))
                continue
            quantity = int(entry["quantity"])
            total = wanted.get(item.id, 0) + quantity
            if quantity <= 0:
                errors.append(UserError("Quantity must be greater than 0.", [*item_path, "quantity"]))
            elif total > item.remaining_quantity:
                errors.append(
                    UserError(
                        f"Quantity {quantity} exceeds the {item.remaining_quantity} remaining to fulfill.",
                        [*item_path, "quantity"],
                    )
                )
            else:
                wanted[item.id] = total
        return [(fo, by_id[item_id], quantity) for item_id, quantity in wanted.items()]


def _tracking(raw: dict[str, Any] | None) -> list[TrackingInfo]:
    """`trackingInfo` as one entry per number (or one entry with just the carrier)."""
    if not raw:
        return []
    numbers = list(raw.get("numbers") or ([raw["number"]] if raw.get("number") else []))
    urls = list(raw.get("urls") or ([raw["url"]] if raw.get("url") else []))
    pairs = list(zip_longest(numbers, urls)) or [(None, None)]
    return [TrackingInfo(raw.get("company"), number, url) for number, url in pairs]
