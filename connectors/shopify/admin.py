"""Typed Shopify operations the case types need, on top of `ShopifyClient`.

Shopify 2025-01 has no idempotency keys for these mutations, so each write that could be repeated
after a timeout is made safe by reading first: holds carry our `handle`, tags are additive, a
cancellation checks `cancelledAt` before asking again, and the `*_once` helpers look for the marker
an earlier attempt wrote (`assumptions` says which marker each uses).

`ShopifyAdmin` gathers the orders/holds/tags operations below with the mixins of the other
subjects: `refunds`, `fulfillments`, `returns`, `disputes`, `companies`, `draft_orders`,
`products`, `price_lists`, `order_edits`, `split_shipments`, `customer_records`,
`product_documents`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from connectors.errors import ContractError, NotFoundError
from connectors.shopify import documents as docs
from connectors.shopify.assumptions import ORDER_BY_SOURCE_IDENTIFIER, search_value
from connectors.shopify.checkouts import CheckoutOperations
from connectors.shopify.client import SYSTEM, ShopifyClient, raise_for_user_errors
from connectors.shopify.companies import CompanyOperations
from connectors.shopify.customer_orders import CustomerOrderOperations
from connectors.shopify.customer_records import CustomerRecordOperations
from connectors.shopify.disputes import DisputeOperations
from connectors.shopify.draft_orders import DraftOrderOperations
from connectors.shopify.fulfillments import FulfillmentOperations
from connectors.shopify.models import FulfillmentHold, FulfillmentOrderHolds, Job, Order, OrderShipTo
from connectors.shopify.order_archive import OrderArchiveOperations
from connectors.shopify.order_edits import OrderEditOperations
from connectors.shopify.price_lists import PriceListOperations
from connectors.shopify.product_documents import ProductDocumentOperations
from connectors.shopify.products import ProductOperations
from connectors.shopify.refunds import RefundOperations
from connectors.shopify.returns import ReturnOperations
from connectors.shopify.split_shipments import SplitShipmentOperations

log = logging.getLogger(__name__)

# Fulfillment orders in these states can take (more) holds; others are done or cancelled.
HOLDABLE_STATUSES = frozenset({"OPEN", "ON_HOLD", "SCHEDULED"})


@dataclass(frozen=True)
class OrderResult:
    order: Order
    created: bool  # False: an earlier attempt had created it (found by its source identifier)


class ShopifyAdmin(
    OrderEditOperations,  # and, through it, RefundOperations
    RefundOperations,
    SplitShipmentOperations,
    FulfillmentOperations,
    ReturnOperations,
    DisputeOperations,
    CompanyOperations,
    DraftOrderOperations,
    ProductOperations,
    PriceListOperations,
    CustomerRecordOperations,
    ProductDocumentOperations,
    OrderArchiveOperations,
    CustomerOrderOperations,
    CheckoutOperations,
):
    def __init__(self, client: ShopifyClient) -> None:
        self.client = client

    async def aclose(self) -> None:
        await self.client.aclose()

    async def get_order(self, order_gid: str) -> Order:
        data = await self.client.execute(docs.GET_ORDER, {"id": order_gid}, operation="order")
        raw = data.get("order")
        if raw is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return Order.model_validate(raw)

    async def order_ship_to(self, order_gid: str) -> OrderShipTo:
        """The order's email, currency and full shipping address."""
        data = await self.client.execute(docs.GET_ORDER_SHIP_TO, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return OrderShipTo.model_validate(data["order"])

    async def fulfillment_order_holds(self, fulfillment_order_gid: str) -> FulfillmentOrderHolds:
        """The order gid a fulfillment order belongs to, and the holds on it now."""
        data = await self.client.execute(
            docs.GET_FULFILLMENT_ORDER_ORDER, {"id": fulfillment_order_gid}, operation="fulfillmentOrder"
        )
        raw = data.get("fulfillmentOrder")
        if raw is None:
            raise NotFoundError(
                f"fulfillment order {fulfillment_order_gid} not found", system=SYSTEM, operation="fulfillmentOrder"
            )
        return FulfillmentOrderHolds(
            order_gid=str(raw["order"]["id"]), hold_ids=[str(h["id"]) for h in raw.get("fulfillmentHolds") or []]
        )

    async def find_orders(self, query: str) -> list[dict[str, Any]]:
        data = await self.client.execute(docs.FIND_ORDERS, {"query": query}, operation="orders")
        return list(data["orders"]["nodes"])

    async def create_order(self, order: dict[str, Any], options: dict[str, Any] | None = None) -> Order:
        data = await self.client.execute(
            docs.CREATE_ORDER, {"order": order, "options": options}, operation="orderCreate"
        )
        payload = data["orderCreate"]
        raise_for_user_errors(payload, "userErrors", "orderCreate")
        return Order.model_validate(payload["order"])

    async def create_order_once(
        self, source_identifier: str, order: dict[str, Any], options: dict[str, Any] | None = None
    ) -> OrderResult:
        """Import an order at most once: `sourceIdentifier` marks it, and an order that already
        carries it is returned instead of creating another."""
        query = ORDER_BY_SOURCE_IDENTIFIER.format(value=search_value(source_identifier))
        data = await self.client.execute(docs.FIND_ORDERS_BY_SOURCE_IDENTIFIER, {"query": query}, operation="orders")
        # Re-checked here: Shopify ignores an unknown filter and would return every order.
        hits = [n for n in data["orders"]["nodes"] if n.get("sourceIdentifier") == source_identifier]
        if hits:
            log.info("order with source identifier %s already exists: %s", source_identifier, hits[0]["id"])
            return OrderResult(await self.get_order(hits[0]["id"]), created=False)
        created = await self.create_order({**order, "sourceIdentifier": source_identifier}, options)
        return OrderResult(created, created=True)

    async def update_note(self, order_gid: str, note: str) -> str | None:
        """Replace the order's note (`orderUpdate`; repeat-safe: it sets, not appends)."""
        data = await self.client.execute(
            docs.UPDATE_ORDER_NOTE, {"input": {"id": order_gid, "note": note}}, operation="orderUpdate"
        )
        payload = data["orderUpdate"]
        raise_for_user_errors(payload, "userErrors", "orderUpdate", classify=True)
        order = payload.get("order")
        if order is None:
            raise ContractError("order missing from reply", system=SYSTEM, operation="orderUpdate")
        note = order.get("note")
        return str(note) if note is not None else None

    async def hold_fulfillment_order(
        self, fulfillment_order_id: str, *, reason: str, reason_notes: str, handle: str
    ) -> FulfillmentHold:
        variables = {
            "id": fulfillment_order_id,
            "hold": {"reason": reason, "reasonNotes": reason_notes, "handle": handle, "notifyMerchant": False},
        }
        data = await self.client.execute(docs.HOLD_FULFILLMENT_ORDER, variables, operation="fulfillmentOrderHold")
        payload = data["fulfillmentOrderHold"]
        raise_for_user_errors(payload, "userErrors", "fulfillmentOrderHold")
        hold = payload.get("fulfillmentHold")
        if hold is None:
            raise ContractError("hold missing from reply", system=SYSTEM, operation="fulfillmentOrderHold")
        return FulfillmentHold.model_validate(hold)

    async def release_holds(self, fulfillment_order_id: str, hold_ids: list[str]) -> str:
        """Release the given holds; returns the fulfillment order's status afterwards."""
        data = await self.client.execute(
            docs.RELEASE_FULFILLMENT_ORDER_HOLD,
            {"id": fulfillment_order_id, "holdIds": hold_ids},
            operation="fulfillmentOrderReleaseHold",
        )
        payload = data["fulfillmentOrderReleaseHold"]
        raise_for_user_errors(payload, "userErrors", "fulfillmentOrderReleaseHold")
        return str((payload.get("fulfillmentOrder") or {}).get("status", ""))

    async def cancel_order(
        self,
        order_gid: str,
        *,
        reason: str,
        refund: bool,
        restock: bool,
        notify_customer: bool,
        staff_note: str,
    ) -> Job:
        variables = {
            "orderId": order_gid,
            "reason": reason,
            "refund": refund,
            "restock": restock,
            "notifyCustomer": notify_customer,
            "staffNote": staff_note,
        }
        data = await self.client.execute(docs.CANCEL_ORDER, variables, operation="orderCancel")
        payload = data["orderCancel"]
        raise_for_user_errors(payload, "orderCancelUserErrors", "orderCancel")
        job = payload.get("job")
        if job is None:
            raise ContractError("cancel job missing from reply", system=SYSTEM, operation="orderCancel")
        return Job.model_validate(job)

    async def get_job(self, job_id: str) -> Job:
        data = await self.client.execute(docs.GET_JOB, {"id": job_id}, operation="job")
        if data.get("job") is None:
            raise NotFoundError(f"job {job_id} not found", system=SYSTEM, operation="job")
        return Job.model_validate(data["job"])

    async def add_tags(self, gid: str, tags: list[str]) -> None:
        data = await self.client.execute(docs.TAGS_ADD, {"id": gid, "tags": tags}, operation="tagsAdd")
        raise_for_user_errors(data["tagsAdd"], "userErrors", "tagsAdd")

    async def remove_tags(self, gid: str, tags: list[str]) -> None:
        data = await self.client.execute(docs.TAGS_REMOVE, {"id": gid, "tags": tags}, operation="tagsRemove")
        raise_for_user_errors(data["tagsRemove"], "userErrors", "tagsRemove")

    async def subscribe_webhook(self, topic: str, callback_url: str) -> str:
        data = await self.client.execute(
            docs.CREATE_WEBHOOK_SUBSCRIPTION,
            {"topic": topic, "subscription": {"callbackUrl": callback_url, "format": "JSON"}},
            operation="webhookSubscriptionCreate",
        )
        payload = data["webhookSubscriptionCreate"]
        raise_for_user_errors(payload, "userErrors", "webhookSubscriptionCreate")
        return str(payload["webhookSubscription"]["id"])

    async def webhook_subscriptions(self) -> list[tuple[str, str]]:
        """(topic, callback URL) of every HTTP subscription of this app."""
        data = await self.client.execute(docs.LIST_WEBHOOK_SUBSCRIPTIONS, {}, operation="webhookSubscriptions")
        return [
            (node["topic"], node["endpoint"].get("callbackUrl", "")) for node in data["webhookSubscriptions"]["nodes"]
        ]
