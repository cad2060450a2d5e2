"""Line-level resolutions of a fulfillment exception, end to end: a warehouse report through the
shim, the real Temporal server, OpenText tasks and the platform simulators over HTTP.

`cancel-lines` on Shopify (order edit + one refund), BigCommerce (one PRODUCT refund, status
restored) and Adobe Commerce (one credit memo); `split-shipment` on Shopify (the reported lines split
off and held, the rest released); and each case offers only what its platform can apply (the
process variable `offeredOutcomes`, and the case refusing any other decision)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError

from connectors.shopify.models import Order
from routing.fulfillment_policy import ExceptionRoute, Resolution
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SHOP
from tests.test_fulfillment_exception import emails_with, open_tasks, post, report
from tests.test_order_review_adobe import credit_memos, place_order
from tests.test_order_review_adobe import sandbox_order as adobe_order
from tests.test_order_review_bigcommerce import admin_url
from tests.test_order_review_bigcommerce import sandbox_order as bigcommerce_order
from tests.test_order_review_flow import decide
from workflows.fulfillment_exception import FulfillmentException
from workflows.messages import CaseStatus, ReviewDecision

ORDER_LINES = """
query($id: ID!) {
  order(id: $id) {
    displayFinancialStatus tags
    lineItems(first: 5) { nodes { sku currentQuantity } }
    fulfillmentOrders(first: 5) { nodes { status lineItems(first: 5) { nodes { remainingQuantity } } } }
    refunds(first: 5) { note totalRefundedSet { shopMoney { amount } } }
  }
}
"""

FULFILLMENT_ORDERS = """
query($id: ID!) {
  order(id: $id) {
    tags
    refunds(first: 5) { id }
    fulfillmentOrders(first: 5) {
      nodes { status fulfillmentHolds { handle } lineItems(first: 5) { nodes { remainingQuantity lineItem { sku } } } }
    }
  }
}
"""


async def shopify_order(stack: Stack) -> Order:
    """Two lamps at 40.00 and a shade at 20.00, paid."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}

    def line(title: str, sku: str, quantity: int, price: str) -> dict[str, Any]:
        return {
            "title": title,
            "sku": sku,
            "quantity": quantity,
            "priceSet": {"shopMoney": {"amount": price, "currencyCode": "USD"}},
        }

    return await stack.shop(SHOP).create_order(
        {
            "email": email,
            "currency": "USD",
            "lineItems": [line("Lamp", "LAMP-1", 2, "40.00"), line("Shade", "SHADE-1", 1, "20.00")],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [
                {
                    "kind": "SALE",
                    "status": "SUCCESS",
                    "amountSet": {"shopMoney": {"amount": "100.00", "currencyCode": "USD"}},
                }
            ],
        }
    )


async def offered(stack: Stack, case_id: str) -> list[str]:
    view = await stack.view(case_id)
    process_id = next(t.process_instance_id for t in view.review_tasks)
    process = await stack.opentext.get_process(process_id)
    return str(process.variable("offeredOutcomes")).split(", ")


async def test_shopify_cancel_lines_edits_the_order_and_refunds_once(stack: Stack) -> None:
    order = await shopify_order(stack)
    body = report(order.legacy_resource_id, "inventory_shortage", lines=[{"sku": "LAMP-1", "quantity": 1}])
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    assert await offered(stack, case_id) == [
        "ship-as-is",
        "new-delivery-date",
        "cancel-order",
        "cancel-lines",
        "split-shipment",
        "substitute-item",
    ]

    await decide(stack.opentext, tasks["warehouse"], "cancel-lines")
    await decide(stack.opentext, tasks["customer-service"], "cancel-lines")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "fulfillment_exception_shopify_cancel-lines")
    assert result.resolution == "cancel-lines"
    after = (await stack.shop(SHOP).client.execute(ORDER_LINES, {"id": order.id}, operation="order"))["order"]
    assert [(li["sku"], li["currentQuantity"]) for li in after["lineItems"]["nodes"]] == [("LAMP-1", 1), ("SHADE-1", 1)]
    # The rest ships: the hold is released and the fulfillment order holds what is left.
    [fo] = after["fulfillmentOrders"]["nodes"]
    assert fo["status"] == "OPEN"
    assert [i["remainingQuantity"] for i in fo["lineItems"]["nodes"]] == [1, 1]
    [refund] = after["refunds"]
    assert Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]) == Decimal("40.00")
    assert after["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert "casebridge-exception-resolved" in after["tags"] and "casebridge-exception" not in after["tags"]
    emails = await emails_with(stack, order.name)
    assert len(emails) == 1 and "Cancelled and refunded: 1 x LAMP-1" in emails[0]


async def test_shopify_split_shipment_holds_the_reported_lines_and_ships_the_rest(stack: Stack) -> None:
    order = await shopify_order(stack)
    body = report(order.legacy_resource_id, "inventory_shortage", lines=[{"sku": "LAMP-1", "quantity": 1}])
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})

    await decide(stack.opentext, tasks["warehouse"], "split-shipment")
    await decide(stack.opentext, tasks["customer-service"], "split-shipment")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "fulfillment_exception_shopify_split-shipment")
    after = await stack.shop(SHOP).client.execute(FULFILLMENT_ORDERS, {"id": order.id}, operation="order")
    shipping = {
        fo["status"]: (
            [(i["lineItem"]["sku"], i["remainingQuantity"]) for i in fo["lineItems"]["nodes"]],
            [h["handle"] for h in fo["fulfillmentHolds"]],
        )
        for fo in after["order"]["fulfillmentOrders"]["nodes"]
    }
    assert shipping == {
        "OPEN": ([("LAMP-1", 1), ("SHADE-1", 1)], []),  # ships now
        "ON_HOLD": ([("LAMP-1", 1)], [f"casebridge-waiting-{order.legacy_resource_id}"]),  # waits for stock
    }
    assert {"casebridge-exception-resolved", "casebridge-lines-waiting"} <= set(after["order"]["tags"])
    assert after["order"]["refunds"] == []  # nothing was cancelled
    # A shortage split: the Backorder Letter names the held line (its title read from the order).
    emails = await emails_with(stack, order.name)
    assert len(emails) == 1 and f"Some items of your order {order.name} are on backorder" in emails[0]
    assert "1 x Lamp (LAMP-1)" in emails[0] and "SHADE-1" not in emails[0]
    assert "Their delivery date is not known yet" in emails[0]


async def test_shopify_cancel_lines_for_a_sku_not_on_the_order_parks_the_case(stack: Stack) -> None:
    order = await shopify_order(stack)
    body = report(order.legacy_resource_id, "inventory_shortage", lines=[{"sku": "NOT-SOLD", "quantity": 1}])
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    await decide(stack.opentext, tasks["warehouse"], "cancel-lines")
    await decide(stack.opentext, tasks["customer-service"], "cancel-lines")

    async def parked() -> str | None:
        view = await stack.view(case_id)
        return view.detail if view.status is CaseStatus.NEEDS_ATTENTION else None

    detail = await eventually(parked, what="the case parked on the unknown SKU")
    assert "NOT-SOLD" in detail
    untouched = (await stack.shop(SHOP).client.execute(ORDER_LINES, {"id": order.id}, operation="order"))["order"]
    assert [li["currentQuantity"] for li in untouched["lineItems"]["nodes"]] == [2, 1] and untouched["refunds"] == []
    await stack.client.get_workflow_handle(case_id).signal("abort")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    assert result.status is CaseStatus.ABORTED
    assert (await stack.order(SHOP, order.id)).fulfillment_orders[0].status == "OPEN"  # the abort released the hold


async def test_bigcommerce_cancel_lines_refunds_the_products_once(stack: Stack) -> None:
    response = await stack.http.post(
        admin_url(stack, "/orders"),
        json={
            "billing_address": {
                "first_name": "Bea",
                "last_name": "Buyer",
                "street_1": "1 Test Way",
                "city": "Austin",
                "zip": "78751",
                "country": "United States",
                "country_iso2": "US",
                "email": f"buyer-{uuid.uuid4().hex[:8]}@example.test",
            },
            "products": [
                {"name": "Grinder", "sku": "GRIND-1", "quantity": 2, "price_inc_tax": "30.00", "price_ex_tax": "30.00"},
                {"name": "Kettle", "sku": "KETTLE-1", "quantity": 1, "price_inc_tax": "50.00", "price_ex_tax": "50.00"},
            ],
        },
    )
    response.raise_for_status()
    order = response.json()
    body = report(
        str(order["id"]),
        "inventory_shortage",
        platform="bigcommerce",
        store=BC_FLOW_STORE,
        lines=[{"sku": "GRIND-1", "quantity": 1}],
    )
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    # No split shipment on BigCommerce: it holds a whole order or nothing.
    assert await offered(stack, case_id) == [
        "ship-as-is",
        "new-delivery-date",
        "cancel-order",
        "cancel-lines",
        "substitute-item",
    ]

    await decide(stack.opentext, tasks["warehouse"], "cancel-lines")
    await decide(stack.opentext, tasks["customer-service"], "ship-as-is")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.APPROVED, result.detail
    after = await bigcommerce_order(stack, order["id"])
    assert [Decimal(str(r["total_amount"])) for r in after["refunds"]] == [Decimal("30.00")]
    assert after["status_id"] == 11  # the status before the hold: the rest ships
    assert "lines cancelled (1 x GRIND-1" in after["staff_notes"]


async def test_adobe_cancel_lines_is_a_credit_memo_and_needs_an_invoice(stack: Stack) -> None:
    invoiced = await place_order(stack, "25.00", qty=3, invoiced=True)
    uninvoiced = await place_order(stack, "25.00", qty=3)
    lines = [{"sku": "ESPRESSO-1", "quantity": 2}]
    invoiced_case = (
        await post(
            stack,
            report(
                str(invoiced["entity_id"]),
                "inventory_shortage",
                platform="adobe-commerce",
                store=ADOBE_STORE,
                lines=lines,
            ),
        )
    ).json()["case_id"]
    uninvoiced_case = (
        await post(
            stack,
            report(
                str(uninvoiced["entity_id"]),
                "inventory_shortage",
                platform="adobe-commerce",
                store=ADOBE_STORE,
                lines=lines,
            ),
        )
    ).json()["case_id"]
    tasks = await open_tasks(stack, invoiced_case, {"warehouse", "customer-service"})
    other_tasks = await open_tasks(stack, uninvoiced_case, {"warehouse", "customer-service"})
    assert await offered(stack, invoiced_case) == ["ship-as-is", "new-delivery-date", "cancel-order", "cancel-lines"]
    # Magento cancels no single line: without an invoice there is nothing to credit.
    assert await offered(stack, uninvoiced_case) == ["ship-as-is", "new-delivery-date", "cancel-order"]
    # A decision the case did not offer is refused by its validator (the shim answers 409 with it).
    handle = stack.client.get_workflow_handle_for(FulfillmentException.run, uninvoiced_case)
    view = await stack.view(uninvoiced_case)
    open_task = next(t for t in view.review_tasks if t.team == "warehouse")
    not_offered = ReviewDecision(
        process_instance_id=open_task.process_instance_id, task_id=open_task.task_id, outcome="cancel-lines"
    )
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(FulfillmentException.decide, not_offered)

    await decide(stack.opentext, tasks["warehouse"], "cancel-lines")
    await decide(stack.opentext, tasks["customer-service"], "cancel-lines")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, invoiced_case).result()
    assert result.status is CaseStatus.APPROVED, result.detail
    assert [m["grand_total"] for m in await credit_memos(stack, invoiced["entity_id"])] == [50.0]
    after = await adobe_order(stack, invoiced["entity_id"])
    assert after["state"] != "holded"
    assert any("lines cancelled (2 x ESPRESSO-1" in h["comment"] for h in after["status_histories"])

    for task_id in other_tasks.values():
        await decide(stack.opentext, task_id, "ship-as-is")
    assert (await handle.result()).status is CaseStatus.APPROVED


async def test_no_lines_reported_means_no_line_resolutions(stack: Stack) -> None:
    order = await shopify_order(stack)
    case_id = (await post(stack, report(order.legacy_resource_id, "inventory_shortage", lines=[]))).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    assert await offered(stack, case_id) == ["ship-as-is", "new-delivery-date", "cancel-order"]
    for task in tasks.values():
        await decide(stack.opentext, task, "ship-as-is")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    assert result.status is CaseStatus.APPROVED


def test_a_timeout_defaults_only_to_a_resolution_every_order_can_take() -> None:
    route = {"teams": ["warehouse"], "resolutions": ["ship-as-is", "cancel-lines"]}
    with pytest.raises(ValidationError, match="on_timeout cancel-lines must be one of"):
        ExceptionRoute.model_validate({**route, "on_timeout": "cancel-lines"})
    assert ExceptionRoute.model_validate({**route, "on_timeout": "ship-as-is"}).on_timeout is Resolution.SHIP_AS_IS
