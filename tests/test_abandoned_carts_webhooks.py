"""Abandoned-cart events through the shim, end to end over HTTP: the simulated Shopify's
`checkouts/create`/`checkouts/update`, BigCommerce's `store/cart/abandoned`/`store/cart/converted` and
Adobe Commerce's quote saves (`observer.sales_quote_save_after`) reach one `AbandonedCart` case per
cart (a duplicate delivery and later events join it), and the event that shows the cart paid closes
it without a letter. The reminder after the delay is `tests/test_abandoned_carts.py`, on the
time-skipping server."""

from __future__ import annotations

import uuid
from typing import Any

from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_DOCS_STORE, BC_DOCS_STORE, DOCS_SHOP
from tests.test_abandoned_carts import adobe_guest_cart
from workflows.abandoned_cart import KIND
from workflows.messages import CaseResult, CaseStatus


async def store_events(stack: Stack, case_id: str, count: int) -> list[str]:
    async def seen() -> list[str] | None:
        try:
            trail = [e.detail for e in await stack.audit(case_id) if e.event == "store event"]
        except RPCError as err:
            if err.status is RPCStatusCode.NOT_FOUND:  # the webhook has not started it yet
                return None
            raise
        return trail if len(trail) >= count else None

    return await eventually(seen, what=f"{count} store events in {case_id}")


async def closed(stack: Stack, case_id: str) -> CaseResult:
    handle = stack.client.get_workflow_handle(case_id, result_type=CaseResult)
    result: CaseResult = await handle.result()
    described = await handle.describe()
    assert described.status is WorkflowExecutionStatus.COMPLETED
    return result


async def test_a_checkouts_events_reach_one_case_which_closes_when_it_is_paid(stack: Stack) -> None:
    shop_admin = f"{stack.sandbox_url}/shopify/{DOCS_SHOP}/_admin"
    await stack.fault(system="shopify", operation="checkouts/create", effect="duplicate_delivery", store=DOCS_SHOP)
    try:
        opened = await stack.http.post(
            f"{shop_admin}/checkouts",
            json={"email": f"guest-{uuid.uuid4().hex[:8]}@example.test", "lines": [{"title": "Mug", "price": "9"}]},
        )
        opened.raise_for_status()
        checkout: dict[str, Any] = opened.json()["checkout"]
        case_id = KIND.case_id("shopify", DOCS_SHOP, str(checkout["id"]))

        async def answered_twice() -> list[object] | None:
            for delivery in await stack.deliveries(system="shopify", label="checkouts/create"):
                codes = [attempt["status_code"] for attempt in delivery["attempts"]]
                if str(checkout["id"]) in str(delivery["body"]) and len(codes) >= 2 and None not in codes:
                    return codes
            return None

        assert await eventually(answered_twice, what="both deliveries of checkouts/create") == [200, 200]
    finally:
        await stack.http.delete(f"{stack.sandbox_url}/_sandbox/faults", params={"store": DOCS_SHOP})
    [created] = await store_events(stack, case_id, 1)
    assert created.startswith("active (checkouts/create:")

    touched = await stack.http.post(f"{shop_admin}/checkouts/{checkout['id']}", json={})
    touched.raise_for_status()
    await store_events(stack, case_id, 2)  # the shopper came back: the same case, reminder moved
    paid = await stack.http.post(f"{shop_admin}/checkouts/{checkout['id']}/complete")
    paid.raise_for_status()

    result = await closed(stack, case_id)

    assert result.status is CaseStatus.APPROVED and "became an order" in result.detail, result.detail
    trail = await stack.audit(case_id)
    assert [e.detail.split(" (")[0] for e in trail if e.event == "store event"] == ["active", "active", "completed"]
    assert not [e for e in trail if e.event.startswith("letter")]


async def test_a_bigcommerce_cart_abandoned_then_converted_closes_without_a_letter(stack: Stack) -> None:
    bc_admin = f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_DOCS_STORE}"
    made = await stack.http.post(
        f"{bc_admin}/carts",
        json={"email": "shopper@example.test", "lines": [{"sku": "GRIND-1", "name": "Grinder", "list_price": "50"}]},
    )
    made.raise_for_status()
    cart_id = made.json()["data"]["id"]
    case_id = KIND.case_id("bigcommerce", BC_DOCS_STORE, cart_id)
    (await stack.http.post(f"{bc_admin}/carts/{cart_id}/abandon")).raise_for_status()
    [abandoned] = await store_events(stack, case_id, 1)
    assert abandoned.startswith("abandoned (store/cart/abandoned:")
    order = await stack.http.post(
        f"{bc_admin}/orders",
        json={
            "billing_address": {
                "first_name": "Bea",
                "last_name": "Buyer",
                "street_1": "1 Test Way",
                "city": "Austin",
                "zip": "78751",
                "country": "United States",
                "country_iso2": "US",
                "email": "shopper@example.test",
            },
            "products": [
                {"name": "Grinder", "sku": "GRIND-1", "quantity": 1, "price_inc_tax": "50.00", "price_ex_tax": "50.00"}
            ],
        },
    )
    order.raise_for_status()
    converted = await stack.http.post(f"{bc_admin}/carts/{cart_id}/convert", json={"order_id": order.json()["id"]})
    converted.raise_for_status()

    result = await closed(stack, case_id)

    assert result.detail == f"The cart became an order (order {order.json()['id']}): no reminder", result.detail


async def test_an_adobe_commerce_quote_saved_then_ordered_closes_without_a_letter(stack: Stack) -> None:
    # Saves of the quote (an item added, the addresses given) open the case and join it.
    cart_id = await adobe_guest_cart(stack.connections, stack.sandbox_url, "adobe-shopper@example.test")
    case_id = KIND.case_id("adobe-commerce", ADOBE_DOCS_STORE, str(cart_id))
    await store_events(stack, case_id, 2)

    order_id = await stack.connections.adobe_commerce(ADOBE_DOCS_STORE).carts.place_order(cart_id, "checkmo")

    result = await closed(stack, case_id)
    assert result.detail == f"The cart became an order (order {order_id}): no reminder", result.detail
