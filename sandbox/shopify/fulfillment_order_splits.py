"""`fulfillmentOrderSplit`: move some units of a fulfillment order into a new fulfillment order.

As Shopify documents it, the line items and quantities given are split *out*: they move to a new
fulfillment order (`remainingFulfillmentOrder`), the rest stays on the original (`fulfillmentOrder`).
Every split of one call is checked before any is applied. NOT SIMULATED: the
`fulfillment_orders/split` webhook (no sample of its payload in the specs).

ASSUMPTIONS (the sandbox's own, stated rather than guessed at): only an OPEN fulfillment order is
split (Shopify answers an unsplittable one with a `replacementFulfillmentOrder`, whose rules are not
documented, so the sandbox refuses instead); splitting out every unit is refused with
INVALID_LINE_ITEM_QUANTITY (nothing would remain); the messages are the sandbox's wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.shopify.ops_base import OperationsBase, Outcome, safe_gid
from sandbox.shopify.state import FulfillmentOrder, FulfillmentOrderLineItem, UserError, utcnow


@dataclass
class SplitResult:
    fulfillment_order: FulfillmentOrder  # the original, with what was not split out
    remaining_fulfillment_order: FulfillmentOrder  # the new one, with the units split out
    replacement_fulfillment_order: FulfillmentOrder | None = None


class FulfillmentOrderSplits(OperationsBase):
    def split_fulfillment_orders(self, splits: list[dict[str, Any]]) -> Outcome[list[SplitResult]]:
        errors: list[UserError] = []
        planned: list[tuple[FulfillmentOrder, dict[int, int]]] = []
        for index, split in enumerate(splits):
            path = ["fulfillmentOrderSplits", str(index)]
            fo = self.fulfillment_order_by_gid(split["fulfillmentOrderId"])
            if fo is None:
                errors.append(
                    UserError(
                        "Fulfillment order does not exist.",
                        [*path, "fulfillmentOrderId"],
                        "FULFILLMENT_ORDER_NOT_FOUND",
                    )
                )
                continue
            if fo.status != "OPEN":
                errors.append(
                    UserError(
                        f"The fulfillment order's status must be open to be split, not {fo.status.lower()}.",
                        [*path, "fulfillmentOrderId"],
                    )
                )
                continue
            moved = self._plan_moved_units(fo, split.get("fulfillmentOrderLineItems") or [], path, errors)
            if moved:
                planned.append((fo, moved))
        if errors:
            return Outcome(errors=errors)
        results = [self._apply_split(fo, moved) for fo, moved in planned]
        return Outcome(results)

    def _plan_moved_units(
        self, fo: FulfillmentOrder, raw: list[dict[str, Any]], path: list[str], errors: list[UserError]
    ) -> dict[int, int]:
        if not raw:
            errors.append(
                UserError(
                    "No line items provided to split.",
                    [*path, "fulfillmentOrderLineItems"],
                    "NO_LINE_ITEMS_PROVIDED_TO_SPLIT",
                )
            )
            return {}
        by_id = {item.id: item for item in fo.line_items}
        moved: dict[int, int] = {}
        for index, entry in enumerate(raw):
            item_path = [*path, "fulfillmentOrderLineItems", str(index)]
            parsed = safe_gid(entry["id"])
            number = parsed.is_a("FulfillmentOrderLineItem") if parsed else None
            item = by_id.get(number) if number is not None else None
            quantity = int(entry["quantity"])
            if item is None:
                errors.append(
                    UserError(
                        "Fulfillment order line item does not exist on this fulfillment order.",
                        [*item_path, "id"],
                        "INVALID_LINE_ITEM_QUANTITY",
                    )
                )
            elif quantity <= 0:
                errors.append(UserError("Quantity must be greater than 0.", [*item_path, "quantity"], "GREATER_THAN"))
            elif quantity + moved.get(item.id, 0) > item.remaining_quantity:
                errors.append(
                    UserError(
                        f"Quantity {quantity} exceeds the {item.remaining_quantity} remaining on the line item.",
                        [*item_path, "quantity"],
                        "INVALID_LINE_ITEM_QUANTITY",
                    )
                )
            else:
                moved[item.id] = moved.get(item.id, 0) + quantity
        if moved and all(moved.get(item.id, 0) == item.remaining_quantity for item in fo.line_items):
            errors.append(
                UserError(
                    "Every unit of the fulfillment order would be split out; nothing would remain.",
                    [*path, "fulfillmentOrderLineItems"],
                    "INVALID_LINE_ITEM_QUANTITY",
                )
            )
            return {}
        return moved

    def _apply_split(self, fo: FulfillmentOrder, moved: dict[int, int]) -> SplitResult:
        new_items: list[FulfillmentOrderLineItem] = []
        kept: list[FulfillmentOrderLineItem] = []
        for item in fo.line_items:
            quantity = moved.get(item.id, 0)
            if quantity > 0:
                new_items.append(
                    FulfillmentOrderLineItem(
                        self.shop.next_id("FulfillmentOrderLineItem"), item.line_item, quantity, quantity
                    )
                )
            left = item.remaining_quantity - quantity
            if left > 0:
                item.total_quantity = item.remaining_quantity = left
                kept.append(item)
        fo.line_items = kept
        split_out = FulfillmentOrder(id=self.shop.next_id("FulfillmentOrder"), order=fo.order, line_items=new_items)
        fo.order.fulfillment_orders.append(split_out)
        self.shop.fulfillment_orders[split_out.id] = split_out
        fo.updated_at = split_out.created_at = utcnow()
        fo.order.updated_at = fo.updated_at
        return SplitResult(fo, split_out)
