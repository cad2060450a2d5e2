"""Fulfillment exceptions end to end: a warehouse system posts a signed report to the shim, the case
holds the Shopify order, opens one OpenText task per team in parallel, and applies the resolution;
effects asserted in the Shopify simulator (holds, tags, cancellation) and the Workflow Service."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from temporalio.client import WorkflowUpdateFailedError

from connectors.errors import RejectedError
from connectors.standard_webhooks import sign
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SECRETS, SHOP, WAREHOUSE_SOURCE
from tests.test_order_review_adobe import credit_memos, place_order
from tests.test_order_review_adobe import sandbox_order as adobe_order
from tests.test_order_review_bigcommerce import sandbox_order as bigcommerce_order
from tests.test_order_review_bigcommerce import seed_order
from tests.test_order_review_flow import decide
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.fulfillment_exception import FulfillmentException
from workflows.messages import CaseStatus, CaseView, ReviewDecision

SECRET = SECRETS["CASEBRIDGE_WAREHOUSE_SECRET"]


def report(
    order_id: str, exception_type: str, *, platform: str = "shopify", store: str = SHOP, **extra: Any
) -> dict[str, Any]:
    return {
        "platform": platform,
        "store": store,
        "order_id": order_id,
        "exception_type": exception_type,
        "summary": f"{exception_type.replace('_', ' ')} at the Leeds warehouse",
        "lines": [{"sku": "ITEM-0", "quantity": 1}],
        "reference": f"wms-{uuid.uuid4().hex[:10]}",
        **extra,
    }


async def post(
    stack: Stack, body: dict[str, Any] | bytes, *, secret: str = SECRET, source: str = WAREHOUSE_SOURCE
) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    delivery_id, at = f"msg_{uuid.uuid4().hex}", int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Casebridge-Source": source,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(at),
        "webhook-signature": sign(secret, delivery_id, at, raw),
    }
    return await stack.http.post(f"{stack.shim_url}/events/fulfillment-exception", content=raw, headers=headers)


async def exstream_emails(stack: Stack) -> list[str]:
    """The HTML emails Exstream rendered so far (the sandbox keeps the documents)."""
    listed = await stack.http.get(f"{stack.sandbox_url}/opentext/exstream/_admin/outputs")
    listed.raise_for_status()
    emails = []
    for output in listed.json():
        if output["mimeType"] == "text/html":
            content = await stack.http.get(f"{stack.sandbox_url}/opentext/exstream/_admin/outputs/{output['id']}")
            emails.append(content.text)
    return emails


async def emails_with(stack: Stack, *markers: str) -> list[str]:
    """The rendered e-mails that contain every marker, once there is one: a case's letter is a
    workflow of its own and may be sent after the case has closed."""

    async def found() -> list[str] | None:
        return [e for e in await exstream_emails(stack) if all(m in e for m in markers)] or None

    return await eventually(found, what=f"an e-mail with {markers}")


def days_ahead(days: int) -> str:
    """An ISO date `days` after today (UTC, the simulated Workflow Service's day)."""
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def open_tasks(stack: Stack, case_id: str, teams: set[str]) -> dict[str, str]:
    """Team -> open task id, once every team's task is open."""

    async def ready() -> dict[str, str] | None:
        view: CaseView = await stack.view(case_id)
        tasks = {t.team: t.task_id for t in view.review_tasks if t.open and t.team}
        return tasks if set(tasks) == teams else None

    return await eventually(ready, what=f"open tasks for {sorted(teams)}")


async def test_shortage_resolved_with_new_delivery_date(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="120.00")
    answer = await post(stack, report(order.legacy_resource_id, "inventory_shortage"))
    assert answer.status_code == 200, answer.text
    case_id = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)
    assert answer.json()["case_id"] == case_id

    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    held = await stack.order(SHOP, order.id)
    assert [fo.status for fo in held.fulfillment_orders] == ["ON_HOLD"]
    hold = held.fulfillment_orders[0].fulfillment_holds[0]
    assert (hold.handle, hold.reason) == (f"casebridge-exception-{order.legacy_resource_id}", "INVENTORY_OUT_OF_STOCK")
    assert "casebridge-exception" in held.tags

    await decide(stack.opentext, tasks["customer-service"], "new-delivery-date")
    await stack.opentext.claim_task(tasks["warehouse"], "wanda.warehouse@example.test")
    restocked = days_ahead(14)
    await stack.opentext.complete_task(
        tasks["warehouse"],
        "new-delivery-date",
        {"reviewer": "wanda", "comment": "Back in stock in two weeks.", "deliveryDate": restocked},
    )
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.handle(case_id), "fulfillment_exception_shopify_new-date")
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    assert {"casebridge-exception-resolved", "casebridge-new-delivery-date"} <= set(released.tags)
    assert "casebridge-exception" not in released.tags
    assert released.cancelled_at is None
    # A shortage that moves the date is a backorder: the customer gets the Backorder Letter (rendered
    # by Exstream, sent by its email queue) naming the waiting line and the date the lead team gave,
    # not the generic decision letter. (This order's line has no SKU: the report's SKU names it.)
    # (Other test shops number their orders alike: the letter's own words pick this one's.)
    emails = await emails_with(stack, f"Some items of your order {order.name} are on backorder")
    assert len(emails) == 1
    assert "1 x ITEM-0 (ITEM-0)" in emails[0]
    assert f"They are expected by {restocked}." in emails[0]


async def test_cancel_order_by_one_team_withdraws_the_others(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="95.00")
    answer = await post(stack, report(order.legacy_resource_id, "payment_exception"))
    case_id = answer.json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"finance", "customer-service"})
    view = await stack.view(case_id)
    other_process = next(t.process_instance_id for t in view.review_tasks if t.team == "customer-service")

    await decide(stack.opentext, tasks["finance"], "cancel-order")
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.REJECTED
    assert "cancel-order chosen by finance" in result.detail
    cancelled = await stack.order(SHOP, order.id)
    assert cancelled.cancelled_at is not None
    assert "casebridge-exception-resolved" in cancelled.tags
    assert (await stack.opentext.get_process(other_process, include_variables=False)).ended
    assert await stack.opentext.list_tasks(process_instance_id=other_process) == []

    # The customer gets the cancellation letter: what was cancelled and what is refunded.
    [letter] = await emails_with(stack, order.name, "was cancelled on")
    assert "95.00" in letter and "Item 0" in letter


async def test_further_reports_join_the_open_case(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="80.00")
    first = report(order.legacy_resource_id, "carrier_delay")
    case_id = (await post(stack, first)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})

    again = await post(stack, first)  # the same report again, as a new delivery
    later = await post(stack, report(order.legacy_resource_id, "carrier_delay", summary="Carrier strike"))
    assert again.json()["case_id"] == later.json()["case_id"] == case_id

    async def joined() -> list[str] | None:
        notes = [e.detail for e in await stack.audit(case_id) if e.event == "further exception reported"]
        return notes or None

    assert await eventually(joined, what="the second report in the case") == ["carrier_delay: Carrier strike"]
    runs = [e.run_id async for e in stack.client.list_workflows(f'WorkflowId = "{case_id}"')]
    assert len(runs) == 1

    await decide(stack.opentext, tasks["warehouse"], "ship-as-is")
    await decide(stack.opentext, tasks["customer-service"], "new-delivery-date")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    assert result.status is CaseStatus.APPROVED
    assert result.resolution == "ship-as-is"  # the lead team's (warehouse) resolution
    assert result.team_outcomes == {"warehouse": "ship-as-is", "customer-service": "new-delivery-date"}
    trail = await stack.audit(case_id)
    assert any(e.event == "teams disagreed" for e in trail)


async def test_reports_are_authenticated_and_validated(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="70.00")
    good = report(order.legacy_resource_id, "address_validation")

    assert (await post(stack, good, secret="not-the-secret")).status_code == 401
    assert (await post(stack, good, source="someone-else")).status_code == 401
    unknown_type = await post(stack, report(order.legacy_resource_id, "alien_abduction"))
    assert unknown_type.status_code == 422
    assert "exception_type" in unknown_type.json()["detail"]
    assert (await post(stack, good | {"store": "nosuch.myshopify.com"})).status_code == 403  # not its store
    missing = await post(stack, report("999999991", "address_validation"))
    assert missing.status_code == 404
    assert (await post(stack, b"{not json")).status_code == 422
    empty_substitute = [{"sku": "ITEM-0", "quantity": 1, "substitute_sku": ""}]
    refused = await post(stack, report(order.legacy_resource_id, "inventory_shortage", lines=empty_substitute))
    assert refused.status_code == 422 and "substitute_sku" in refused.text

    # None of them started a case.
    runs = [
        e.run_id
        async for e in stack.client.list_workflows(
            f'WorkflowId = "{FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)}"'
        )
    ]
    assert runs == []


async def test_bigcommerce_exception_holds_and_restores_the_status(stack: Stack) -> None:
    order = await seed_order(stack, "85.00")
    answer = await post(stack, report(str(order["id"]), "carrier_delay", platform="bigcommerce", store=BC_FLOW_STORE))
    assert answer.status_code == 200, answer.text
    case_id = answer.json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    assert (await bigcommerce_order(stack, order["id"]))["status_id"] == 12

    await decide(stack.opentext, tasks["warehouse"], "new-delivery-date")
    await decide(stack.opentext, tasks["customer-service"], "new-delivery-date")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.APPROVED
    after = await bigcommerce_order(stack, order["id"])
    assert after["status_id"] == 11  # the status before the hold
    assert "fulfillment exception resolved, ships with a new delivery date" in after["staff_notes"]
    assert after["refunds"] == []
    # Nobody gave a date: the Order Delay Letter says it is not known yet, and invents none.
    [letter] = await emails_with(stack, f"Your order {order['id']} is delayed.")
    assert "The new delivery date is not known yet" in letter and "expected by" not in letter


async def test_carrier_delay_with_a_new_date_sends_the_delay_letter_naming_it(stack: Stack) -> None:
    order = await seed_order(stack, "64.00")
    body = report(str(order["id"]), "carrier_delay", platform="bigcommerce", store=BC_FLOW_STORE)
    case_id = (await post(stack, body)).json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    handle = stack.client.get_workflow_handle_for(FulfillmentException.run, case_id)

    # A date in the past or not a date: the task form refuses it, the reviewer corrects it.
    await stack.opentext.claim_task(tasks["warehouse"], "wanda.warehouse@example.test")
    for wrong, why in ((days_ahead(-1), "is in the past"), ("next Tuesday", "must be a date as YYYY-MM-DD")):
        with pytest.raises(RejectedError) as refused:
            await stack.opentext.complete_task(tasks["warehouse"], "new-delivery-date", {"deliveryDate": wrong})
        assert why in str(refused.value)
    # A decision that reaches the case anyway with such a date is refused, saying why.
    task = next(t for t in (await stack.view(case_id)).review_tasks if t.team == "warehouse")
    with pytest.raises(WorkflowUpdateFailedError) as refused_update:
        await handle.execute_update(
            FulfillmentException.decide,
            ReviewDecision(
                process_instance_id=task.process_instance_id,
                task_id=task.task_id,
                outcome="new-delivery-date",
                delivery_date="2001-02-30",
            ),
        )
    assert "deliveryDate must be a date as YYYY-MM-DD" in str(refused_update.value.cause)

    new_date = days_ahead(9)
    await stack.opentext.complete_task(
        tasks["warehouse"],
        "new-delivery-date",
        {"reviewer": "wanda", "comment": "The carrier lost a day.", "deliveryDate": new_date},
    )
    await decide(stack.opentext, tasks["customer-service"], "new-delivery-date")
    result = await handle.result()

    assert result.status is CaseStatus.APPROVED, result.detail
    warehouse = next(t for t in (await stack.view(case_id)).review_tasks if t.team == "warehouse")
    assert warehouse.decision is not None and warehouse.decision.delivery_date == new_date
    [letter] = await emails_with(stack, f"Your order {order['id']} is delayed.")
    assert f"It is now expected by {new_date}." in letter
    assert "The carrier lost a day." in letter  # the reason: the report and the reviewers' comments
    assert "not known yet" not in letter


async def test_bigcommerce_cancel_refunds_once(stack: Stack) -> None:
    order = await seed_order(stack, "140.00")
    answer = await post(
        stack, report(str(order["id"]), "payment_exception", platform="bigcommerce", store=BC_FLOW_STORE)
    )
    case_id = answer.json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"finance", "customer-service"})

    await decide(stack.opentext, tasks["finance"], "cancel-order")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.REJECTED
    await keep_history(stack.client.get_workflow_handle(case_id), "fulfillment_exception_bigcommerce_cancel")
    after = await bigcommerce_order(stack, order["id"])
    assert after["status_id"] == 5
    assert [Decimal(str(r["total_amount"])) for r in after["refunds"]] == [Decimal("140.00")]


async def test_adobe_exception_released_and_cancelled(stack: Stack) -> None:
    kept = await place_order(stack, "90.00")
    dropped = await place_order(stack, "60.00", invoiced=True)
    kept_case = (
        await post(stack, report(str(kept["entity_id"]), "carrier_delay", platform="adobe-commerce", store=ADOBE_STORE))
    ).json()["case_id"]
    dropped_case = (
        await post(
            stack, report(str(dropped["entity_id"]), "inventory_shortage", platform="adobe-commerce", store=ADOBE_STORE)
        )
    ).json()["case_id"]
    kept_tasks = await open_tasks(stack, kept_case, {"warehouse", "customer-service"})
    dropped_tasks = await open_tasks(stack, dropped_case, {"warehouse", "customer-service"})
    assert (await adobe_order(stack, kept["entity_id"]))["state"] == "holded"

    for task in kept_tasks.values():
        await decide(stack.opentext, task, "ship-as-is")
    await decide(stack.opentext, dropped_tasks["warehouse"], "cancel-order")
    kept_result = await stack.client.get_workflow_handle_for(FulfillmentException.run, kept_case).result()
    dropped_result = await stack.client.get_workflow_handle_for(FulfillmentException.run, dropped_case).result()

    assert kept_result.status is CaseStatus.APPROVED
    await keep_history(stack.client.get_workflow_handle(kept_case), "fulfillment_exception_adobe_ship-as-is")
    released = await adobe_order(stack, kept["entity_id"])
    assert released["state"] == "new"
    assert any("ships as ordered" in h["comment"] for h in released["status_histories"])
    assert dropped_result.status is CaseStatus.REJECTED
    assert [m["grand_total"] for m in await credit_memos(stack, dropped["entity_id"])] == [60.0]
    assert (await adobe_order(stack, dropped["entity_id"]))["state"] == "closed"


async def test_shopify_hold_by_another_app_opens_the_case(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="66.00")
    fulfillment_order = order.fulfillment_orders[0].id
    await stack.shop(SHOP).hold_fulfillment_order(
        fulfillment_order,
        reason="INVENTORY_OUT_OF_STOCK",
        reason_notes="3PL: SKU ITEM-0 out of stock",
        handle="leeds-3pl",
    )
    case_id = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    trail = await stack.audit(case_id)
    assert "3PL: SKU ITEM-0 out of stock" in trail[0].detail
    assert "shopify hold leeds-3pl" in trail[0].detail

    await decide(stack.opentext, tasks["warehouse"], "cancel-order")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    assert result.status is CaseStatus.REJECTED
    assert (await stack.order(SHOP, order.id)).cancelled_at is not None


async def test_shopify_holds_that_are_no_exception_open_nothing(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="67.00")
    fulfillment_order = order.fulfillment_orders[0].id
    await stack.shop(SHOP).hold_fulfillment_order(
        fulfillment_order, reason="HIGH_RISK_OF_FRAUD", reason_notes="manual check", handle="fraud-app"
    )

    async def answered() -> list[dict[str, Any]] | None:
        found = [
            d
            for d in await stack.deliveries(system="shopify", label="fulfillment_orders/placed_on_hold")
            if fulfillment_order in str(d["body"]) and d["delivered"]
        ]
        return found or None

    delivery = (await eventually(answered, what="the hold webhook"))[0]
    assert delivery["attempts"][-1]["status_code"] == 200
    runs = [
        e.run_id
        async for e in stack.client.list_workflows(
            f'WorkflowId = "{FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)}"'
        )
    ]
    assert runs == []


async def test_bigcommerce_declined_status_opens_the_case(stack: Stack) -> None:
    order = await seed_order(stack, "75.00")
    await stack.connections.bigcommerce(BC_FLOW_STORE).set_status(order["id"], 6)  # Declined
    case_id = FULFILLMENT_EXCEPTION.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"]))
    tasks = await open_tasks(stack, case_id, {"finance", "customer-service"})
    trail = await stack.audit(case_id)
    assert "bigcommerce status change" in trail[0].detail
    assert (await bigcommerce_order(stack, order["id"]))["status_id"] == 12  # held while they decide

    await decide(stack.opentext, tasks["finance"], "cancel-order")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    assert result.status is CaseStatus.REJECTED
    after = await bigcommerce_order(stack, order["id"])
    assert after["status_id"] == 5
    assert [Decimal(str(r["total_amount"])) for r in after["refunds"]] == [Decimal("75.00")]


async def test_adobe_order_placed_with_backordered_items_opens_the_case(stack: Stack) -> None:
    # The storefront's stock check backordered 2 of the 3 kettles (the product allows backorders).
    kettles = {"sku": "KETTLE-1", "name": "Kettle", "price": "30.00", "qty": 3, "qty_backordered": 2}
    order = await place_order(stack, "30.00", items=[kettles])
    case_id = FULFILLMENT_EXCEPTION.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"]))
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    view = await stack.view(case_id)
    process = await stack.opentext.get_process(view.review_tasks[0].process_instance_id)
    assert process.variable("exceptionType") == "backorder"
    assert process.variable("lines") == "2 x KETTLE-1"
    assert (await adobe_order(stack, order["entity_id"]))["state"] == "holded"

    for task in tasks.values():
        await decide(stack.opentext, task, "new-delivery-date")
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "fulfillment_exception_adobe_backorder")
    assert result.resolution == "new-delivery-date"
    released = await adobe_order(stack, order["entity_id"])
    assert released["state"] == "new"
    assert any("new delivery date" in h["comment"] for h in released["status_histories"])
    # The Backorder Letter names the backordered kettles; nobody gave a date, so it says so.
    [letter] = await emails_with(stack, f"order {order['increment_id']} are on backorder")
    assert "2 x Kettle (KETTLE-1)" in letter and "Their delivery date is not known yet" in letter


async def test_store_cancellation_withdraws_the_teams_tasks(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="70.00")
    case_id = (await post(stack, report(order.legacy_resource_id, "inventory_shortage"))).json()["case_id"]
    await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    processes = [t.process_instance_id for t in (await stack.view(case_id)).review_tasks]

    # The merchant cancels the order in Shopify admin: orders/cancelled reaches the exception case.
    await stack.shop(SHOP).cancel_order(
        order.id, reason="CUSTOMER", refund=True, restock=True, notify_customer=False, staff_note="customer called"
    )
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.CANCELLED, result.detail
    assert result.resolution is None
    assert len(processes) == 2
    for process_id in processes:  # both teams' tasks withdrawn
        assert (await stack.opentext.get_process(process_id, include_variables=False)).ended
    audit = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).query(
        FulfillmentException.audit
    )
    assert any(e.event == "order cancelled in store" and e.actor == "store" for e in audit)


async def test_bigcommerce_cancellation_in_the_store_leaves_the_order_cancelled(stack: Stack) -> None:
    order = await seed_order(stack, "95.00")
    body = report(str(order["id"]), "carrier_delay", platform="bigcommerce", store=BC_FLOW_STORE)
    case_id = (await post(stack, body)).json()["case_id"]
    await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    assert (await bigcommerce_order(stack, order["id"]))["status_id"] == 12

    await stack.connections.bigcommerce(BC_FLOW_STORE).cancel_order(order["id"])
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()

    assert result.status is CaseStatus.CANCELLED, result.detail
    after = await bigcommerce_order(stack, order["id"])
    assert after["status_id"] == 5  # the hold's undo would have restored the status before it
    assert after["refunds"] == []


async def test_operator_abort_releases_the_hold_and_withdraws_the_tasks(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="72.00")
    case_id = (await post(stack, report(order.legacy_resource_id, "inventory_shortage"))).json()["case_id"]
    await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    processes = [t.process_instance_id for t in (await stack.view(case_id)).review_tasks]
    held = await stack.order(SHOP, order.id)
    assert [fo.status for fo in held.fulfillment_orders] == ["ON_HOLD"]

    handle = stack.client.get_workflow_handle_for(FulfillmentException.run, case_id)
    await handle.signal("abort", {"operator": "olga", "note": "handled by phone"})
    result = await handle.result()

    assert result.status is CaseStatus.ABORTED, result.detail
    assert "release hold" in result.detail  # what the compensation undid
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    for process_id in processes:
        assert (await stack.opentext.get_process(process_id, include_variables=False)).ended
