"""Returns (RMA) of a simulated store.

Item statuses move pending → authorized → received → approved | rejected, and pending or authorized
items may be denied; each step confirms a quantity (authorized ≤ requested, returned ≤ authorized,
approved ≤ returned). The RMA's own status is derived from its items, as Magento's
`Rma\\Source\\Status::getStatusByItems` does; `status: "closed"` in an update closes it.
Only invoiced quantities can be returned (the simulator has no shipments).
"""

from __future__ import annotations

from typing import Any

from sandbox.adobe_commerce.errors import bad_request, no_such_entity
from sandbox.adobe_commerce.events import RMA_SAVED
from sandbox.adobe_commerce.rendering import rma_json
from sandbox.adobe_commerce.sales import get_order
from sandbox.adobe_commerce.state import RmaItemState, RmaState, now_text
from sandbox.adobe_commerce.store import Store
from sandbox.effects import EffectKind

FINAL_ITEM = frozenset({"approved", "rejected", "denied"})
FINAL_RMA = frozenset({"closed", "processed_closed"})
NEXT_ITEM_STATUS = {
    "pending": frozenset({"authorized", "denied"}),
    "authorized": frozenset({"received", "denied"}),
    "received": frozenset({"approved", "rejected"}),
}
# Which quantity each target status confirms, and the quantity it may not exceed.
QTY_RULES = {
    "authorized": ("qty_authorized", "qty_requested"),
    "received": ("qty_returned", "qty_authorized"),
    "approved": ("qty_approved", "qty_returned"),
}


def get_rma(store: Store, rma_id: int) -> RmaState:
    rma = store.state.rmas.get(rma_id)
    if rma is None:
        raise no_such_entity("entity_id", rma_id)
    return rma


def status_by_items(statuses: list[str]) -> str:
    present = set(statuses)
    if present <= FINAL_ITEM:
        return "processed_closed" if "approved" in present else "closed"
    if "pending" in present:
        return "pending" if present <= {"pending", "denied"} else "partially_authorized"
    if "approved" in present:
        return "approved_on_item"
    if "rejected" in present:
        return "rejected_on_item"
    if "received" in present:
        return "received" if present <= {"received", "denied"} else "received_on_item"
    return "authorized"


def _returnable(store: Store, order_id: int, order_item_id: int, qty_invoiced: int) -> int:
    requested = sum(
        item.qty_requested
        for rma in store.state.rmas.values()
        if rma.order_id == order_id and rma.status != "closed"
        for item in rma.items
        if item.order_item_id == order_item_id and item.status not in ("denied", "rejected")
    )
    return qty_invoiced - requested


def _comments(store: Store, rma: RmaState, raw: list[dict[str, Any]]) -> None:
    known = {c["entity_id"] for c in rma.comments}
    for comment in raw:
        if comment.get("entity_id") in known or not comment.get("comment"):
            continue
        rma.comments.append(
            {
                "comment": str(comment["comment"]),
                "rma_entity_id": rma.entity_id,
                "created_at": now_text(),
                "entity_id": store.state.next_id("rma_comment"),
                "customer_notified": bool(comment.get("customer_notified")),
                "visible_on_front": bool(comment.get("visible_on_front")),
                "status": rma.status,
                "admin": bool(comment.get("admin", True)),
            }
        )


def _tracks(store: Store, rma: RmaState, raw: list[dict[str, Any]]) -> None:
    known = {t["entity_id"] for t in rma.tracks}
    for track in raw:
        if track.get("entity_id") in known or not track.get("track_number"):
            continue
        rma.tracks.append(
            {
                "entity_id": store.state.next_id("rma_track"),
                "rma_entity_id": rma.entity_id,
                "track_number": str(track["track_number"]),
                "carrier_title": str(track.get("carrier_title", "")),
                "carrier_code": str(track.get("carrier_code", "")),
            }
        )


def create_rma(store: Store, data: dict[str, Any]) -> RmaState:
    order = get_order(store, int(data["order_id"]))
    raw_items = data.get("items") or []
    if not raw_items:
        raise bad_request("The return request can't be created without items. Add items and try again.")
    items = []
    for raw in raw_items:
        order_item = order.item(int(raw["order_item_id"]))
        if order_item is None:
            raise bad_request("The order item %1 isn't part of the order.", [raw["order_item_id"]])
        qty = int(raw["qty_requested"])
        allowed = _returnable(store, order.entity_id, order_item.item_id, int(order_item.qty_invoiced))
        if qty < 1 or qty > allowed:
            raise bad_request("A quantity of %1 is greater than you can return.", [order_item.sku])
        items.append(
            RmaItemState(
                entity_id=store.state.next_id("rma_item"),
                order_item_id=order_item.item_id,
                qty_requested=qty,
                reason=str(raw.get("reason", "")),
                condition=str(raw.get("condition", "")),
                resolution=str(raw.get("resolution", "")),
            )
        )
    entity_id = store.state.next_id("rma")
    rma = RmaState(
        entity_id=entity_id,
        increment_id=store.state.increment(entity_id),
        order_id=order.entity_id,
        order_increment_id=order.increment_id,
        store_id=order.store_id,
        customer_id=order.customer_id or 0,
        customer_custom_email=data.get("customer_custom_email") or None,
        items=items,
    )
    _comments(store, rma, data.get("comments") or [])
    _tracks(store, rma, data.get("tracks") or [])
    store.state.rmas[entity_id] = rma
    store.emit(RMA_SAVED, rma_json(rma) | {"_isNew": True})
    return rma


def update_rma(store: Store, rma_id: int, data: dict[str, Any]) -> RmaState:
    rma = get_rma(store, rma_id)
    if rma.status in FINAL_RMA:
        raise bad_request("The return request %1 is closed and can't be changed.", [rma.increment_id])
    before = rma.status
    if data.get("status") == "closed":
        rma.status = "closed"
    else:
        _apply_items(rma, data.get("items") or [])
        rma.status = status_by_items([i.status for i in rma.items])
    if rma.status != before:
        if "authorized" in rma.status and "authorized" not in before:
            kind = EffectKind.RETURN_APPROVED
        elif rma.status == "rejected":
            kind = EffectKind.RETURN_DECLINED
        else:
            kind = EffectKind.STATUS_CHANGED
        store.effects(rma.order_id, kind, rma.entity_id, previous_status=before, new_status=rma.status)
    _comments(store, rma, data.get("comments") or [])
    _tracks(store, rma, data.get("tracks") or [])
    store.emit(RMA_SAVED, rma_json(rma) | {"_isNew": False})
    return rma


def _apply_items(rma: RmaState, raw_items: list[dict[str, Any]]) -> None:
    # Validate everything first so a refused update changes nothing.
    changes: list[tuple[RmaItemState, str, int | None]] = []
    for raw in raw_items:
        item = next((i for i in rma.items if i.entity_id == raw.get("entity_id")), None) or next(
            (i for i in rma.items if i.order_item_id == raw.get("order_item_id")), None
        )
        if item is None:
            raise bad_request("The RMA item %1 isn't part of the return request.", [raw.get("entity_id")])
        target = str(raw.get("status") or item.status)
        if target == item.status:
            continue
        if target not in NEXT_ITEM_STATUS.get(item.status, frozenset()):
            raise bad_request('The item status "%1" can\'t follow "%2".', [target, item.status])
        qty: int | None = None
        if target in QTY_RULES:
            field_name, limit_name = QTY_RULES[target]
            limit = getattr(item, limit_name) or 0
            qty = int(raw.get(field_name) or 0)
            if not 1 <= qty <= limit:
                raise bad_request("The %1 for item %2 must be between 1 and %3.", [field_name, item.entity_id, limit])
        changes.append((item, target, qty))
    for item, target, qty in changes:
        item.status = target
        if qty is not None:
            setattr(item, QTY_RULES[target][0], qty)
