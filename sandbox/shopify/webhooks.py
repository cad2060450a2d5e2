"""Webhook deliveries as Shopify makes them: signed JSON bodies, one per subscription per event.

The signature is `base64(HMAC-SHA256(app client secret, exact body bytes))`, so the body is
serialised once and those bytes are both signed and sent. `X-Shopify-Webhook-Id` identifies one
delivery to one subscription (the Deliverer repeats the same headers on retries and duplicates, as
Shopify does); `X-Shopify-Event-Id` is shared by every delivery caused by the same change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.delivery import Deliverer, Delivery
from sandbox.shopify.schema import API_VERSION
from sandbox.shopify.state import ShopState, WebhookSubscription

SYSTEM = "shopify"

# GraphQL topic enum → the REST topic name used in `X-Shopify-Topic` and the Deliverer's label.
# Only topics the simulator can fire are listed; subscriptions to other topics are kept but silent.
REST_TOPICS = {
    "ORDERS_CREATE": "orders/create",
    "ORDERS_UPDATED": "orders/updated",
    "ORDERS_CANCELLED": "orders/cancelled",
    "FULFILLMENT_ORDERS_PLACED_ON_HOLD": "fulfillment_orders/placed_on_hold",
    "FULFILLMENT_ORDERS_HOLD_RELEASED": "fulfillment_orders/hold_released",
    "FULFILLMENT_HOLDS_ADDED": "fulfillment_holds/added",
    "FULFILLMENT_HOLDS_RELEASED": "fulfillment_holds/released",
    "FULFILLMENTS_CREATE": "fulfillments/create",
    "ORDERS_FULFILLED": "orders/fulfilled",
    "ORDERS_PARTIALLY_FULFILLED": "orders/partially_fulfilled",
    "REFUNDS_CREATE": "refunds/create",
    "RETURNS_REQUEST": "returns/request",
    "RETURNS_APPROVE": "returns/approve",
    "RETURNS_DECLINE": "returns/decline",
    "DISPUTES_CREATE": "disputes/create",
    "DISPUTES_UPDATE": "disputes/update",
    "COMPANIES_CREATE": "companies/create",
    "COMPANIES_UPDATE": "companies/update",
    "COMPANY_LOCATIONS_CREATE": "company_locations/create",
    "COMPANY_CONTACTS_CREATE": "company_contacts/create",
    "DRAFT_ORDERS_CREATE": "draft_orders/create",
    "DRAFT_ORDERS_UPDATE": "draft_orders/update",
    "PRODUCTS_CREATE": "products/create",
    "PRODUCTS_UPDATE": "products/update",
    "CHECKOUTS_CREATE": "checkouts/create",
    "CHECKOUTS_UPDATE": "checkouts/update",
}


def sign(secret: str | bytes, body: bytes) -> str:
    """`X-Shopify-Hmac-Sha256` for a body."""
    key = secret.encode() if isinstance(secret, str) else secret
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def encode_body(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, the bytes that are signed and sent."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def rest_topic(topic: str) -> str:
    """REST name of a topic enum value; topics without a known mapping get the usual derivation
    (the resource is everything before the last underscore: DRAFT_ORDERS_CREATE → draft_orders/create)."""
    if topic in REST_TOPICS:
        return REST_TOPICS[topic]
    resource, _, action = topic.lower().rpartition("_")
    return f"{resource}/{action}" if resource else action


def _select_fields(payload: dict[str, Any], include_fields: list[str]) -> dict[str, Any]:
    """Trim a payload to a subscription's `includeFields` (dotted paths select nested keys)."""
    if not include_fields:
        return payload
    selected: dict[str, Any] = {}
    for path in include_fields:
        head, _, rest = path.partition(".")
        if head not in payload:
            continue
        value = payload[head]
        if rest and isinstance(value, dict):
            nested = _select_fields(value, [rest])
            existing = selected.get(head)
            selected[head] = {**existing, **nested} if isinstance(existing, dict) else nested
        else:
            selected[head] = value
    return selected


def _orders_of(event: WebhookEvent) -> list[object]:
    """The order a payload is about, for fault rules scoped to one order."""
    payload = event.payload
    found = [payload.get("order_id")]
    if event.topic.startswith("ORDERS_"):
        found.append(payload.get("id"))
    for key in ("fulfillment_order", "return"):
        nested = payload.get(key)
        if isinstance(nested, dict):
            found.append(nested.get("order_id"))
            order = nested.get("order")
            if isinstance(order, dict):
                found.append(order.get("id"))
    return [_numeric(o) for o in found if o is not None]


def _numeric(value: object) -> object:
    """`gid://shopify/Order/12` -> 12; a number stays as it is."""
    return value.rsplit("/", 1)[-1] if isinstance(value, str) else value


@dataclass
class WebhookEvent:
    """One change that webhooks report; all deliveries for it share `event_id` and `triggered_at`."""

    topic: str  # GraphQL enum value, e.g. ORDERS_CANCELLED
    payload: dict[str, Any]
    event_id: str
    triggered_at: datetime


class WebhookDispatcher:
    def __init__(self, deliverer: Deliverer) -> None:
        self._deliverer = deliverer

    @staticmethod
    def new_event_id() -> str:
        return str(uuid.uuid4())

    def emit(
        self, shop: ShopState, topic: str, payload: dict[str, Any], *, event_id: str | None = None
    ) -> list[Delivery]:
        """Send `payload` to every subscription of `shop` for `topic`."""
        event = WebhookEvent(topic, payload, event_id or self.new_event_id(), datetime.now(UTC))
        return [
            self._send(shop, subscription, event)
            for subscription in shop.webhook_subscriptions.values()
            if subscription.topic == topic
        ]

    def _send(self, shop: ShopState, subscription: WebhookSubscription, event: WebhookEvent) -> Delivery:
        body = encode_body(_select_fields(event.payload, subscription.include_fields))
        name = rest_topic(event.topic)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": name,
            "X-Shopify-Hmac-Sha256": sign(shop.config.app_client_secret.get_secret_value(), body),
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-API-Version": API_VERSION,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event.event_id,
            "X-Shopify-Triggered-At": event.triggered_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        return self._deliverer.send(
            SYSTEM, name, subscription.callback_url, body, headers, store=shop.domain, orders=_orders_of(event)
        )
