"""`substitute-item` end to end: a warehouse report (naming a substitute, or not) through the shim,
the teams' OpenText tasks on the real Temporal server, and the order edit in the Shopify simulator
(or the order update in the BigCommerce one) over HTTP. The customer pays no more, hears about it
once (the Exstream letter, not Shopify's edit email as well), and a decision that names no
substitute where the report names none is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from temporalio.client import WorkflowUpdateFailedError

from connectors.opentext.workflow import OpenTextWorkflowClient
from tests.support.histories import keep_history
from tests.support.stack import Stack
from tests.support.world import BC_FLOW_STORE, SHOP
from tests.test_bigcommerce_substitute import Catalog as BigCommerceCatalog
from tests.test_bigcommerce_substitute import lamp_order as bigcommerce_lamp_order
from tests.test_bigcommerce_substitute import sandbox_order as bigcommerce_order
from tests.test_fulfillment_exception import emails_with, open_tasks, post, report
from tests.test_order_review_flow import REVIEWER, decide
from tests.test_shopify_substitute import ORDER_STATE, Catalog, lamp_order, seeded_variant
from workflows.fulfillment_exception import FulfillmentException
from workflows.messages import CaseStatus, ReviewDecision


async def decide_substitute(opentext: OpenTextWorkflowClient, task_id: str, item_sku: str | None) -> None:
    variables: dict[str, object] = {"reviewer": REVIEWER, "comment": "substitute in test"}
    if item_sku:
        variables["itemSku"] = item_sku
    await opentext.claim_task(task_id, REVIEWER)
    await opentext.complete_task(task_id, "substitute-item", variables)


async def test_the_warehouse_suggestion_is_sent_instead_and_the_customer_pays_no_more(stack: Stack) -> None:
    catalog = Catalog()
    lamp = await seeded_variant(stack, catalog.lamp, "40.00")
    await seeded_variant(stack, catalog.dearer, "55.00")
    order = await lamp_order(stack, lamp, catalog.lamp)
    body = report(
        order.legacy_resource_id,
        "inventory_shortage",
        lines=[{"sku": catalog.lamp, "quantity": 2, "substitute_sku": catalog.dearer}],
    )
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    process = await stack.opentext.get_process((await stack.view(case_id)).review_tasks[0].process_instance_id)
    assert process.variable("suggestedSubstitutes") == f"{catalog.lamp} -> {catalog.dearer}"

    await decide_substitute(stack.opentext, tasks["warehouse"], None)  # takes the warehouse's suggestion
    await decide(stack.opentext, tasks["customer-service"], "ship-as-is")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "fulfillment_exception_shopify_substitute")
    assert result.resolution == "substitute-item"
    after = (await stack.shop(SHOP).client.execute(ORDER_STATE, {"id": order.id}, operation="order"))["order"]
    assert Decimal(after["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("100.00")  # no extra charge
    lines = {li["sku"]: li["currentQuantity"] for li in after["lineItems"]["nodes"]}
    assert lines[catalog.lamp] == 0 and lines[catalog.dearer] == 2
    assert after["refunds"] == []
    assert "30.00 USD absorbed" in result.detail
    # Released: the order ships, with the substitutes.
    held = await stack.order(SHOP, order.id)
    assert all(fo.status != "ON_HOLD" for fo in held.fulfillment_orders)
    letters = await emails_with(stack, order.name, "Substituted")
    assert len(letters) == 1


async def test_the_reviewer_names_a_cheaper_substitute_and_the_difference_is_refunded(stack: Stack) -> None:
    catalog = Catalog()
    lamp = await seeded_variant(stack, catalog.lamp, "40.00")
    await seeded_variant(stack, catalog.cheaper, "30.00")
    order = await lamp_order(stack, lamp, catalog.lamp)
    body = report(order.legacy_resource_id, "inventory_shortage", lines=[{"sku": catalog.lamp, "quantity": 1}])
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})

    # Neither the report nor the decision names a substitute: the case refuses it.
    handle = stack.client.get_workflow_handle_for(FulfillmentException.run, case_id)
    view = await stack.view(case_id)
    warehouse = next(t for t in view.review_tasks if t.team == "warehouse")
    unnamed = ReviewDecision(
        process_instance_id=warehouse.process_instance_id, task_id=warehouse.task_id, outcome="substitute-item"
    )
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(FulfillmentException.decide, unnamed)

    await decide_substitute(stack.opentext, tasks["warehouse"], catalog.cheaper)
    await decide(stack.opentext, tasks["customer-service"], "ship-as-is")
    result = await handle.result()

    assert result.status is CaseStatus.APPROVED, result.detail
    after = (await stack.shop(SHOP).client.execute(ORDER_STATE, {"id": order.id}, operation="order"))["order"]
    lines = {li["sku"]: li["currentQuantity"] for li in after["lineItems"]["nodes"]}
    assert lines[catalog.lamp] == 1 and lines[catalog.cheaper] == 1
    [refund] = after["refunds"]
    assert Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]) == Decimal("10.00")
    assert "difference refunded 10.00 USD" in result.detail


async def test_bigcommerce_substitute_replaces_the_product_and_restores_the_status(stack: Stack) -> None:
    catalog = BigCommerceCatalog()
    await catalog.seed(stack)
    order = await bigcommerce_lamp_order(stack, catalog)
    body = report(
        str(order["id"]),
        "inventory_shortage",
        platform="bigcommerce",
        store=BC_FLOW_STORE,
        lines=[{"sku": catalog.lamp, "quantity": 2, "substitute_sku": catalog.cheaper}],
    )
    answer = await post(stack, body)
    assert answer.status_code == 200, answer.text
    case_id = answer.json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    assert (await bigcommerce_order(stack, order["id"]))["status_id"] == 12  # held while the teams decide

    await decide_substitute(stack.opentext, tasks["warehouse"], None)
    await decide(stack.opentext, tasks["customer-service"], "substitute-item")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "fulfillment_exception_bigcommerce_substitute")
    after = await bigcommerce_order(stack, order["id"])
    quantities = {p["sku"]: p["quantity"] for p in after["products"]}
    assert quantities[catalog.lamp] == 0 and quantities[catalog.cheaper] == 2
    assert [Decimal(str(r["total_amount"])) for r in after["refunds"]] == [Decimal("30.00")]  # 2 x (40 - 25)
    assert after["status_id"] == order["status_id"]  # the status before the hold: it ships
    assert "items substituted" in after["staff_notes"]
