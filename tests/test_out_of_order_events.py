"""Out-of-order events: a store's event held back (the sandbox delays the delivery) arrives after
what it reports has changed again. No review may start for an order that no longer exists:
BigCommerce and Adobe Commerce orders are read fresh before routing; on Shopify the shim remembers
the cancellation that found no case (the `orders/create` body is a snapshot from creation time).
Nor may a case open for a hold already released, a return already declined or closed, or an order
no longer declined."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SHOP
from tests.test_order_review_adobe import place_order
from tests.test_order_review_bigcommerce import seed_order
from tests.test_return_case import case_of as return_case_of
from tests.test_return_case import request_return, shipped_order
from tests.test_return_case_adobe import RMA_SAVED, invoiced_order, request_rma
from tests.test_return_case_adobe import case_of as adobe_return_case_of
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
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


# -- an event held back until the state it reports has changed again --------------------------------


async def held_back_for(stack: Stack, system: str, label: str, store: str) -> None:
    """The next `label` delivery about `store` arrives late (scoped: other stores' events are on time)."""
    await stack.fault(system=system, operation=label, effect="delay_delivery", seconds=HOLD_BACK_SECONDS, store=store)


async def test_shopify_hold_placed_after_it_was_released(stack: Stack) -> None:
    """A 3PL holds the fulfillment order and releases it again; the hold's webhook arrives after the
    release. The hold is gone: no exception case for it."""
    order = await stack.create_order(SHOP, unit_price="68.00")
    fulfillment_order = order.fulfillment_orders[0].id
    await held_back_for(stack, "shopify", "fulfillment_orders/placed_on_hold", SHOP)
    hold = await stack.shop(SHOP).hold_fulfillment_order(
        fulfillment_order, reason="INVENTORY_OUT_OF_STOCK", reason_notes="3PL: recount", handle="leeds-3pl"
    )
    await stack.shop(SHOP).release_holds(fulfillment_order, [hold.id])

    late = await delivered(
        stack,
        "shopify",
        "fulfillment_orders/placed_on_hold",
        lambda b: b["fulfillment_order"]["id"] == fulfillment_order,
    )
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id))


async def test_shopify_return_requested_after_staff_declined_it(stack: Stack) -> None:
    """Staff declined the return in Shopify before its `returns/request` webhook arrived: the
    webhook's status is a snapshot from the request, so the return is read before a case opens."""
    order = await shipped_order(stack, unit_price="45.00")
    await held_back_for(stack, "shopify", "returns/request", SHOP)
    ret = await request_return(stack, order, "DEFECTIVE")
    await stack.shop(SHOP).decline_return(ret.id, "FINAL_SALE", note="declined at the desk")

    late = await delivered(stack, "shopify", "returns/request", lambda b: b["admin_graphql_api_id"] == ret.id)
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(return_case_of(ret))


async def test_bigcommerce_declined_after_the_order_was_restored(stack: Stack) -> None:
    """The order was Declined, then set back to Awaiting Fulfillment before the status webhook
    arrived: the thin payload is followed by a read of the order, which is no exception any more."""
    order = await seed_order(stack, "78.00")
    bigcommerce = stack.connections.bigcommerce(BC_FLOW_STORE)
    await held_back_for(stack, "bigcommerce", "store/order/statusUpdated", BC_FLOW_STORE)
    await bigcommerce.set_status(order["id"], 6)  # Declined
    await bigcommerce.set_status(order["id"], 11)  # Awaiting Fulfillment again

    late = await delivered(
        stack,
        "bigcommerce",
        "store/order/statusUpdated",
        lambda b: b["data"]["id"] == order["id"] and b["data"]["status"]["new_status_id"] == 6,
    )
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(FULFILLMENT_EXCEPTION.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])))


async def test_adobe_rma_requested_after_it_was_closed(stack: Stack) -> None:
    """Staff closed the RMA before its creation event arrived: the RMA is read, and no case opens."""
    order = await invoiced_order(stack)
    await held_back_for(stack, "adobe-commerce", RMA_SAVED, ADOBE_STORE)
    rma = await request_rma(stack, order, "TENT-1", 1, "Out of Service")
    await stack.connections.adobe_commerce(ADOBE_STORE).returns.close_return(rma.entity_id)

    late = await delivered(
        stack,
        "adobe-commerce",
        RMA_SAVED,
        lambda b: b["data"]["value"]["entity_id"] == rma.entity_id and b["data"]["value"]["_isNew"],
    )
    assert late["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(adobe_return_case_of(rma))
