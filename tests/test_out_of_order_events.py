"""Out-of-order events: a store's "order created" event held back (the sandbox delays the delivery)
arrives after the order was cancelled. No review may start for an order that no longer exists:
BigCommerce and Adobe Commerce orders are read fresh before routing; on Shopify the shim remembers
the cancellation that found no case (the `orders/create` body is a snapshot from creation time)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SHOP
from tests.test_order_review_adobe import place_order
from tests.test_order_review_bigcommerce import seed_order
from workflows.order_review import KIND as ORDER_REVIEW

HOLD_BACK_SECONDS = 2.0


async def held_back(stack: Stack, system: str, label: str) -> None:
    await stack.fault(system=system, operation=label, effect="delay_delivery", seconds=HOLD_BACK_SECONDS)


async def delivered(stack: Stack, system: str, label: str, matches: Callable[[Any], bool]) -> dict[str, Any]:
    async def find() -> dict[str, Any] | None:
        for d in await stack.deliveries(system=system, label=label):
            if d["delivered"] and matches(json.loads(d["body"])):
                return d
        return None

    return await eventually(find, what=f"the late {label} delivery")


async def test_bigcommerce_created_after_cancelled(stack: Stack) -> None:
    await held_back(stack, "bigcommerce", "store/order/created")
    order = await seed_order(stack, "1800.00")  # large: it would be reviewed
    await stack.connections.bigcommerce(BC_FLOW_STORE).cancel_order(order["id"])

    late = await delivered(stack, "bigcommerce", "store/order/created", lambda b: b["data"]["id"] == order["id"])
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(ORDER_REVIEW.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])))


async def test_adobe_placed_after_cancelled(stack: Stack) -> None:
    await held_back(stack, "adobe-commerce", "com.adobe.commerce.observer.sales_order_place_after")
    order = await place_order(stack, "1900.00")
    await stack.connections.adobe_commerce(ADOBE_STORE).sales.cancel_order(order["entity_id"])

    late = await delivered(
        stack,
        "adobe-commerce",
        "com.adobe.commerce.observer.sales_order_place_after",
        lambda b: b["data"]["value"]["entity_id"] == order["entity_id"],
    )
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(ORDER_REVIEW.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"])))


async def test_shopify_created_after_cancelled(stack: Stack) -> None:
    await held_back(stack, "shopify", "orders/create")
    order = await stack.create_order(SHOP, unit_price="2100.00")
    await stack.shop(SHOP).cancel_order(
        order.id, reason="CUSTOMER", refund=False, restock=True, notify_customer=False, staff_note="changed mind"
    )
    await delivered(stack, "shopify", "orders/cancelled", lambda b: b["id"] == int(order.legacy_resource_id))

    late = await delivered(stack, "shopify", "orders/create", lambda b: b["id"] == int(order.legacy_resource_id))
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id))
