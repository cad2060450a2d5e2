"""Shipments: `POST /V1/order/{orderId}/ship` (`salesShipOrderV1`), `GET /V1/shipments` and
`GET /V1/shipment/{id}` (`salesShipmentRepositoryV1`), rendered as `sales-data-shipment-interface`.

Shipping follows Magento's `ShipOrder`: the order must be able to ship (not held, cancelled, in
payment review, closed or complete, and not virtual), each line at most its quantity to ship
(`qty_ordered - max(qty_shipped, qty_refunded) - qty_canceled`), virtual and downloadable lines never;
no `items` ships everything left. An order fully invoiced and fully shipped becomes `complete`.
ASSUMPTION: the refusal messages are Magento's (`Shipment Document Validation Error(s):` followed by
the validators' messages), recalled from its source: the schema documents no error texts. Packages,
shipping labels and the `sales_order_shipment_save_after` event are not simulated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.adobe_commerce.errors import MagentoError, bad_request, entity_not_found
from sandbox.adobe_commerce.events import ORDER_SAVED
from sandbox.adobe_commerce.rendering import money, order_json
from sandbox.adobe_commerce.state import ZERO, DocumentItem, OrderItemState, OrderState, now_text
from sandbox.adobe_commerce.store import DEFAULT_STATUS, Store

NOT_SHIPPABLE = frozenset({"holded", "canceled", "payment_review", "closed", "complete"})
_VIRTUAL = frozenset({"virtual", "downloadable"})
_PREFIX = "Shipment Document Validation Error(s):\n"
JSON = dict[str, Any]


@dataclass
class ShipmentTrackState:
    entity_id: int
    track_number: str
    title: str
    carrier_code: str
    created_at: str = field(default_factory=now_text)


@dataclass
class ShipmentState:
    entity_id: int
    increment_id: str
    order_id: int
    customer_id: int | None
    store_id: int
    items: list[DocumentItem]
    tracks: list[ShipmentTrackState]
    comments: list[JSON] = field(default_factory=list)
    created_at: str = field(default_factory=now_text)


def qty_to_ship(item: OrderItemState) -> Decimal:
    if item.product_type in _VIRTUAL:
        return ZERO
    return item.qty_ordered - max(item.qty_shipped, item.qty_refunded) - item.qty_canceled


def _refused(*messages: str) -> MagentoError:
    return bad_request(_PREFIX + "\n".join(messages))


def _quantity(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise bad_request(
            'The "%1" value\'s type is invalid. The "%2" type was expected.', [str(value), "float"]
        ) from None


def ship(store: Store, order_id: int, body: JSON) -> int:
    order = store.state.orders.get(order_id)
    if order is None:
        raise entity_not_found()
    if order.state in NOT_SHIPPABLE or not any(qty_to_ship(i) > 0 for i in order.items):
        raise _refused(f"A shipment cannot be created when an order has a status of {order.state}")
    requested = body.get("items") or []
    if requested:
        lines: list[tuple[OrderItemState, Decimal]] = []
        for entry in requested:
            item = order.item(int(entry.get("order_item_id", 0)))
            if item is None:
                raise _refused("The shipment contains product item that is not part of the original order.")
            lines.append((item, _quantity(entry.get("qty", 0))))
        over = [item.sku for item, qty in lines if qty > qty_to_ship(item)]
        if over:
            raise _refused(
                *(
                    f'The quantity to ship must not be greater than the unshipped quantity for product SKU "{sku}".'
                    for sku in over
                )
            )
    else:
        lines = [(i, qty_to_ship(i)) for i in order.items]
    lines = [(item, qty) for item, qty in lines if qty > 0]
    if not lines:
        raise _refused("You can't create a shipment without products.")
    state = store.state
    shipment = ShipmentState(
        entity_id=state.next_id("shipment"),
        increment_id="",
        order_id=order.entity_id,
        customer_id=order.customer_id,
        store_id=order.store_id,
        items=[DocumentItem(state.next_id("shipment_item"), i.item_id, i.sku, i.name, i.price, q) for i, q in lines],
        tracks=[_track(state.next_id("shipment_track"), raw) for raw in body.get("tracks") or []],
    )
    shipment.increment_id = state.increment(shipment.entity_id)
    comment = body.get("comment")
    if isinstance(comment, dict) and comment.get("comment"):
        shipment.comments.append(
            {"comment": comment["comment"], "is_visible_on_front": int(comment.get("is_visible_on_front") or 0)}
        )
    for item, qty in lines:
        item.qty_shipped += qty
    _complete_if_done(order)
    state.shipments[shipment.entity_id] = shipment
    order.updated_at = now_text()
    store.emit(ORDER_SAVED, order_json(order))
    return shipment.entity_id


def _track(entity_id: int, raw: JSON) -> ShipmentTrackState:
    missing = [name for name in ("track_number", "title", "carrier_code") if not raw.get(name)]
    if missing:
        raise bad_request('"%1" is required. Enter and try again.', [missing[0]])
    return ShipmentTrackState(entity_id, str(raw["track_number"]), str(raw["title"]), str(raw["carrier_code"]))


def _complete_if_done(order: OrderState) -> None:
    """Magento's state processor: nothing left to invoice or ship makes a processing order complete."""
    left_to_invoice = any(i.qty_to_invoice > 0 for i in order.items)
    if order.state == "processing" and not left_to_invoice and not any(qty_to_ship(i) > 0 for i in order.items):
        order.state, order.status = "complete", DEFAULT_STATUS["complete"]


def get_shipment(store: Store, shipment_id: int) -> ShipmentState:
    shipment = store.state.shipments.get(shipment_id)
    if shipment is None:
        raise entity_not_found()
    return shipment


def shipment_json(s: ShipmentState) -> JSON:
    return {
        "entity_id": s.entity_id,
        "increment_id": s.increment_id,
        "order_id": s.order_id,
        "customer_id": s.customer_id,
        "store_id": s.store_id,
        "total_qty": money(sum((i.qty for i in s.items), ZERO)),
        "email_sent": 0,
        "created_at": s.created_at,
        "updated_at": s.created_at,
        "packages": [],
        "items": [
            {
                "entity_id": i.entity_id,
                "parent_id": s.entity_id,
                "order_item_id": i.order_item_id,
                "sku": i.sku,
                "name": i.name,
                "price": money(i.price),
                "row_total": money(i.row_total),
                "qty": money(i.qty),
            }
            for i in s.items
        ],
        "tracks": [
            {
                "entity_id": t.entity_id,
                "parent_id": s.entity_id,
                "order_id": s.order_id,
                "track_number": t.track_number,
                "title": t.title,
                "carrier_code": t.carrier_code,
                "description": "",
                "qty": 0.0,
                "weight": 0.0,
                "created_at": t.created_at,
                "updated_at": t.created_at,
            }
            for t in s.tracks
        ],
        "comments": [
            {**c, "parent_id": s.entity_id, "is_customer_notified": 0, "created_at": s.created_at} for c in s.comments
        ],
    }
