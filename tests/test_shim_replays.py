"""Replays that must not open a second case: a genuine event re-posted or redelivered after the case
it opened has closed, over HTTP against the running stack; Temporal shows the one run."""

from __future__ import annotations

import uuid
from typing import Any

from shim.cases import DeliveryMemory
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, SHOP
from tests.test_fulfillment_exception import open_tasks, post, report
from tests.test_order_review_adobe import delivery_of, place_order
from tests.test_shim_security import ORDER_PLACED
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.fulfillment_exception import FulfillmentException
from workflows.messages import CaseStatus


async def _closed_by_abort(stack: Stack, case_id: str) -> str:
    """Abort the open case and wait for it to close; its run id."""
    handle = stack.client.get_workflow_handle_for(FulfillmentException.run, case_id)
    await handle.signal("abort", {"operator": "olga", "note": "test"})
    assert (await handle.result()).status is CaseStatus.ABORTED
    run_id = (await handle.describe()).run_id
    assert run_id is not None
    return run_id


async def test_redelivered_shopify_hold_does_not_reopen_a_closed_case(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="61.00")
    fulfillment_order = order.fulfillment_orders[0].id
    await stack.shop(SHOP).hold_fulfillment_order(
        fulfillment_order, reason="INVENTORY_OUT_OF_STOCK", reason_notes="3PL: out of stock", handle="leeds-3pl"
    )
    case_id = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)
    await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    first_run = await _closed_by_abort(stack, case_id)

    async def hold_delivery() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="shopify", label="fulfillment_orders/placed_on_hold"):
            if fulfillment_order in str(d["body"]) and d["delivered"]:
                return d
        return None

    delivery = await eventually(hold_delivery, what="the hold webhook")
    # Shopify redelivers the same hold (same body and headers) after the case closed.
    again = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=str(delivery["body"]).encode(), headers=delivery["headers"]
    )
    assert (again.status_code, again.json()["result"]) == (200, "duplicate"), again.text
    assert (await stack.client.get_workflow_handle(case_id).describe()).run_id == first_run


async def test_adobe_event_reposted_under_a_fresh_event_id_does_not_reopen_a_case(stack: Stack) -> None:
    kettles = {"sku": "KETTLE-1", "name": "Kettle", "price": "30.00", "qty": 3, "qty_backordered": 2}
    order = await place_order(stack, "30.00", items=[kettles])
    case_id = FULFILLMENT_EXCEPTION.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"]))
    await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    first_run = await _closed_by_abort(stack, case_id)

    delivery = await delivery_of(stack, ORDER_PLACED, order["entity_id"])
    body = str(delivery["body"]).encode()
    # The genuine signed body, re-posted under a fresh (unsigned) x-adobe-event-id header.
    headers = dict(delivery["headers"]) | {"x-adobe-event-id": str(uuid.uuid4())}
    again = await stack.http.post(f"{stack.shim_url}/webhooks/adobe-commerce", content=body, headers=headers)
    assert (again.status_code, again.json()["result"]) == (200, "duplicate"), again.text
    # As a replica that never saw the event would take it: the closed case remembers what opened it.
    assert stack.shim_app is not None
    stack.shim_app.state.deps.adobe_deliveries = DeliveryMemory()
    elsewhere = await stack.http.post(f"{stack.shim_url}/webhooks/adobe-commerce", content=body, headers=headers)
    assert (elsewhere.status_code, elsewhere.json()["result"]) == (200, "duplicate"), elsewhere.text
    assert (await stack.client.get_workflow_handle(case_id).describe()).run_id == first_run


async def test_a_report_that_joined_a_case_redelivered_after_it_closed_opens_nothing(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="62.00")
    first = report(order.legacy_resource_id, "carrier_delay")
    case_id = (await post(stack, first)).json()["case_id"]
    await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    joining = report(order.legacy_resource_id, "address_validation")
    assert (await post(stack, joining)).json()["case_id"] == case_id

    async def joined() -> bool:
        return any(e.event == "further exception reported" for e in await stack.audit(case_id))

    await eventually(joined, what="the second report in the case")
    first_run = await _closed_by_abort(stack, case_id)

    # The warehouse system redelivers the report that joined (a new delivery, same report).
    again = await post(stack, joining)
    assert (again.status_code, again.json()["result"]) == (200, "duplicate"), again.text
    assert (await stack.client.get_workflow_handle(case_id).describe()).run_id == first_run
    # A report never seen before still opens a new case for the order.
    fresh = await post(stack, report(order.legacy_resource_id, "carrier_delay"))
    assert (fresh.status_code, fresh.json()["result"]) == (200, "accepted"), fresh.text
    assert (await stack.client.get_workflow_handle(case_id).describe()).run_id != first_run
