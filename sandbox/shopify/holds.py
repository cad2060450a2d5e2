"""Fulfillment holds (2025-01 semantics): several holds per fulfillment order, one per `handle` per
app, at most ten per app; partial holds split off the unheld units into a new OPEN fulfillment
order. Holding and releasing emit the `fulfillment_orders/*` and `fulfillment_holds/*` topics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.effects import EffectKind
from sandbox.shopify import rest_payloads
from sandbox.shopify.ops_base import (
    OperationsBase,
    Outcome,
    safe_gid,
)
from sandbox.shopify.state import (
    SELF_APP_ID,
    FulfillmentHold,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    UserError,
    utcnow,
)

MAX_HOLDS_PER_APP = 10
MAX_HANDLE_LENGTH = 64
_HOLDABLE = ("OPEN", "ON_HOLD")


@dataclass
class HoldOutcome:
    hold: FulfillmentHold | None = None
    fulfillment_order: FulfillmentOrder | None = None
    remaining: FulfillmentOrder | None = None
    errors: list[UserError] = field(default_factory=list)


class FulfillmentHolds(OperationsBase):
    def hold(self, fo_gid: str, data: dict[str, Any], *, app_id: int = SELF_APP_ID) -> HoldOutcome:
        """`fulfillmentOrderHold`. `app_id` lets tests place a hold as another app, which this app
        then may not release (INVALID_ACCESS)."""
        fo = self.fulfillment_order_by_gid(fo_gid)
        if fo is None:
            return HoldOutcome(
                errors=[UserError("Fulfillment order does not exist.", ["id"], "FULFILLMENT_ORDER_NOT_FOUND")]
            )
        errors: list[UserError] = []
        if fo.status not in _HOLDABLE:
            errors.append(
                UserError(f"The fulfillment order's status must be open or on hold, not {fo.status.lower()}.", ["id"])
            )
        handle = data.get("handle") or ""
        if len(handle) > MAX_HANDLE_LENGTH:
            errors.append(UserError("Handle is too long (maximum is 64 characters)", ["fulfillmentHold", "handle"]))
        own = [h for h in fo.holds if h.app_id == app_id]
        if any(h.handle == handle for h in own):
            errors.append(
                UserError(
                    "The handle provided for the fulfillment hold is already in use by this app for another "
                    "hold on this fulfillment order.",
                    ["fulfillmentHold", "handle"],
                    "DUPLICATE_FULFILLMENT_HOLD_HANDLE",
                )
            )
        if len(own) >= MAX_HOLDS_PER_APP:
            errors.append(
                UserError(
                    f"The maximum number of fulfillment holds for this fulfillment order has been reached "
                    f"for this app. An app can only have up to {MAX_HOLDS_PER_APP} holds on a single "
                    "fulfillment order at any one time.",
                    ["fulfillmentHold"],
                    "FULFILLMENT_ORDER_HOLD_LIMIT_REACHED",
                )
            )
        split = self._plan_split(fo, data.get("fulfillmentOrderLineItems"), errors)
        if errors:
            return HoldOutcome(errors=errors)

        was_held = fo.status == "ON_HOLD"
        remaining = self._split(fo, split) if split else None
        hold = FulfillmentHold(
            id=self.shop.next_id("FulfillmentHold"),
            reason=data["reason"],
            reason_notes=data.get("reasonNotes"),
            handle=handle,
            app_id=app_id,
            external_id=data.get("externalId"),
            notify_merchant=bool(data.get("notifyMerchant")),
        )
        fo.holds.append(hold)
        self.shop.holds[hold.id] = hold
        self.effects(fo.order.id, EffectKind.HOLD_PLACED, hold.id, handle=hold.handle, fulfillment_order=fo.id)
        fo.status = "ON_HOLD"
        fo.updated_at = utcnow()
        fo.order.updated_at = fo.updated_at

        event = self.webhooks.new_event_id()
        hold_body = rest_payloads.hold_payload(hold, app_id)
        if not was_held:
            self.webhooks.emit(
                self.shop,
                "FULFILLMENT_ORDERS_PLACED_ON_HOLD",
                {
                    "fulfillment_order": rest_payloads.fulfillment_order_payload(fo, app_id),
                    "remaining_fulfillment_order": (
                        rest_payloads.fulfillment_order_payload(remaining, app_id) if remaining else None
                    ),
                    "held_fulfillment_order_line_items": rest_payloads.fulfillment_order_line_items_payload(
                        [(li.id, li.remaining_quantity) for li in fo.line_items]
                    ),
                    "created_fulfillment_hold": hold_body,
                },
                event_id=event,
            )
        self.webhooks.emit(
            self.shop,
            "FULFILLMENT_HOLDS_ADDED",
            {"fulfillment_hold": hold_body, "fulfillment_order": {"id": fo.gid}},
            event_id=event,
        )
        return HoldOutcome(hold, fo, remaining)

    def _plan_split(
        self, fo: FulfillmentOrder, raw: list[dict[str, Any]] | None, errors: list[UserError]
    ) -> dict[int, int]:
        """Held quantity per FO line item for a partial hold; empty when the whole FO is held."""
        if not raw:
            return {}
        if fo.status == "ON_HOLD":
            errors.append(
                UserError(
                    "The fulfillment order cannot be split because it is already on hold.",
                    ["fulfillmentHold", "fulfillmentOrderLineItems"],
                    "FULFILLMENT_ORDER_NOT_SPLITTABLE",
                )
            )
            return {}
        by_id = {li.id: li for li in fo.line_items}
        held: dict[int, int] = {}
        for index, entry in enumerate(raw):
            path = ["fulfillmentHold", "fulfillmentOrderLineItems", str(index)]
            parsed = safe_gid(entry["id"])
            number = parsed.is_a("FulfillmentOrderLineItem") if parsed else None
            item = by_id.get(number) if number is not None else None
            if item is None:
                errors.append(
                    UserError(
                        "Fulfillment order line item does not exist on this fulfillment order.",
                        [*path, "id"],
                        "INVALID_LINE_ITEM_QUANTITY",
                    )
                )
                continue
            quantity = int(entry["quantity"])
            if quantity <= 0:
                errors.append(
                    UserError("Quantity must be greater than zero.", [*path, "quantity"], "GREATER_THAN_ZERO")
                )
            elif quantity + held.get(item.id, 0) > item.remaining_quantity:
                errors.append(
                    UserError(
                        f"Quantity {quantity} exceeds the {item.remaining_quantity} remaining on the line item.",
                        [*path, "quantity"],
                        "INVALID_LINE_ITEM_QUANTITY",
                    )
                )
            else:
                held[item.id] = held.get(item.id, 0) + quantity
        if all(held.get(li.id, 0) == li.remaining_quantity for li in fo.line_items):
            return {}  # every unit is held: not a partial hold, nothing to split
        return held

    def _split(self, fo: FulfillmentOrder, held: dict[int, int]) -> FulfillmentOrder:
        """Keep the held units on `fo`; move the rest to a new OPEN fulfillment order."""
        rest: list[FulfillmentOrderLineItem] = []
        kept: list[FulfillmentOrderLineItem] = []
        for item in fo.line_items:
            keep = held.get(item.id, 0)
            moved = item.remaining_quantity - keep
            if moved > 0:
                rest.append(
                    FulfillmentOrderLineItem(
                        self.shop.next_id("FulfillmentOrderLineItem"), item.line_item, moved, moved
                    )
                )
            if keep > 0:
                item.total_quantity = item.remaining_quantity = keep
                kept.append(item)
        fo.line_items = kept
        remaining = FulfillmentOrder(id=self.shop.next_id("FulfillmentOrder"), order=fo.order, line_items=rest)
        fo.order.fulfillment_orders.append(remaining)
        self.shop.fulfillment_orders[remaining.id] = remaining
        return remaining

    def release_hold(
        self, fo_gid: str, hold_ids: list[str] | None, *, app_id: int = SELF_APP_ID
    ) -> Outcome[FulfillmentOrder]:
        """`fulfillmentOrderReleaseHold`: the given holds, or all of this app's; OPEN once none remain."""
        fo = self.fulfillment_order_by_gid(fo_gid)
        if fo is None:
            return Outcome(
                errors=[UserError("Fulfillment order does not exist.", ["id"], "FULFILLMENT_ORDER_NOT_FOUND")]
            )
        if fo.status != "ON_HOLD" or not fo.holds:
            return Outcome(errors=[UserError("The fulfillment order is not on hold.", ["id"])])
        if hold_ids is None:
            releasing = [h for h in fo.holds if h.app_id == app_id]
            if not releasing:
                return Outcome(
                    errors=[
                        UserError(
                            "The app doesn't have access to release the fulfillment holds on this fulfillment order.",
                            ["id"],
                            "INVALID_ACCESS",
                        )
                    ]
                )
        else:
            errors: list[UserError] = []
            releasing = []
            by_id = {h.id: h for h in fo.holds}
            for index, raw in enumerate(hold_ids):
                parsed = safe_gid(raw)
                number = parsed.is_a("FulfillmentHold") if parsed else None
                hold = by_id.get(number) if number is not None else None
                if hold is None:
                    errors.append(
                        UserError(
                            f"Fulfillment hold {raw} does not exist on this fulfillment order.", ["holdIds", str(index)]
                        )
                    )
                elif hold.app_id != app_id:
                    errors.append(
                        UserError(
                            "The app doesn't have access to release this fulfillment hold.",
                            ["holdIds", str(index)],
                            "INVALID_ACCESS",
                        )
                    )
                else:
                    releasing.append(hold)
            if errors:
                return Outcome(errors=errors)

        for hold in releasing:
            fo.holds.remove(hold)
            self.shop.holds.pop(hold.id, None)
            self.effects(fo.order.id, EffectKind.HOLD_RELEASED, hold.id, handle=hold.handle, fulfillment_order=fo.id)
        fo.updated_at = utcnow()
        fo.order.updated_at = fo.updated_at
        event = self.webhooks.new_event_id()
        for hold in releasing:
            self.webhooks.emit(
                self.shop,
                "FULFILLMENT_HOLDS_RELEASED",
                {"fulfillment_hold": rest_payloads.hold_payload(hold, app_id), "fulfillment_order": {"id": fo.gid}},
                event_id=event,
            )
        if not fo.holds:
            fo.status = "OPEN"
            self.webhooks.emit(
                self.shop,
                "FULFILLMENT_ORDERS_HOLD_RELEASED",
                {
                    "fulfillment_order": rest_payloads.fulfillment_order_payload(fo, app_id),
                },
                event_id=event,
            )
        return Outcome(fo)
