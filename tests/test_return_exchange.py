"""Exchanges end to end: a return decided as `exchange` approves the return, refunds nothing and
makes one free order of the item the customer asked for (in the return request) or the reviewer
named (the task variable `itemSku`). A decision that names no item is refused by the case; when
OpenText completed the task anyway, reconciliation finds it, the case parks for an operator, and
`retry` opens a new task. Effects are asserted in the simulators over HTTP."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from connectors.opentext.workflow import OpenTextWorkflowClient
from connectors.shopify.assumptions import DRAFT_ORDER_BY_TAG, marker, search_value
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import BC_FLOW_STORE, RECONCILE_SHOP, SHOP
from tests.test_order_review_flow import REVIEWER, decide
from tests.test_return_case import case_of, refunds_of, request_return, result_of, shipped_order
from tests.test_return_case_adobe import admin as adobe_admin
from tests.test_return_case_adobe import admin_url as adobe_admin_url
from tests.test_return_case_adobe import case_of as adobe_case_of
from tests.test_return_case_adobe import comments, credit_memos, invoiced_order, request_rma
from tests.test_return_case_adobe import result_of as adobe_result_of
from tests.test_return_case_bigcommerce import paid_order, post, product_id, return_request, sandbox_order, started
from tests.test_return_case_bigcommerce import result_of as bigcommerce_result_of
from tests.test_shopify_substitute import seeded_variant
from workflows.messages import CaseStatus


async def decide_exchange(opentext: OpenTextWorkflowClient, task_id: str, item_sku: str | None) -> None:
    """A reviewer completes the task with `exchange`, naming the item (or forgetting to)."""
    variables: dict[str, object] = {"reviewer": REVIEWER, "comment": "exchange in test"}
    if item_sku is not None:
        variables["itemSku"] = item_sku
    await opentext.claim_task(task_id, REVIEWER)
    await opentext.complete_task(task_id, "exchange", variables)


async def test_shopify_exchange_sends_the_item_the_reviewer_named(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="120.00", quantity=2)
    ret = await request_return(stack, order, "SIZE_TOO_SMALL", quantity=2)
    case_id = case_of(ret)
    await stack.case_started(case_id)
    await decide_exchange(stack.opentext, await stack.open_task_id(case_id), "MUG-LARGE")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "return_shopify_exchange")
    assert result.decision is not None and result.decision.item_sku == "MUG-LARGE"
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "OPEN"
    assert (await refunds_of(stack, order)).refunds == []  # an exchange moves no money
    drafts = await stack.shop(SHOP).find_draft_orders(
        DRAFT_ORDER_BY_TAG.format(value=search_value(marker(f"replacement-{case_id}")))
    )
    assert len(drafts) == 1 and drafts[0].order is not None
    assert [(line.sku, line.quantity) for line in drafts[0].line_items.nodes] == [("MUG-LARGE", 2)]
    assert drafts[0].total_price_set.shop_money.amount == 0
    assert f"exchange order {drafts[0].order.name} created" in result.detail


async def test_exchange_naming_no_item_parks_after_reconciliation_and_a_retry_asks_again(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="120.00", store=RECONCILE_SHOP)
    ret = await request_return(stack, order, "SIZE_TOO_LARGE", store=RECONCILE_SHOP)
    case_id = case_of(ret, RECONCILE_SHOP)
    await stack.case_started(case_id)
    first_task = await stack.open_task_id(case_id)

    # OpenText completes the task; the case refuses the callback (409: no item named), and
    # reconciliation then finds the ended process with a decision the case cannot apply.
    await decide_exchange(stack.opentext, first_task, None)
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None and "exchange needs the item" in parked.attention.reason
    audit = await stack.audit(case_id)
    assert any(e.event == "review ended unusable" for e in audit)
    assert (await stack.shop(RECONCILE_SHOP).order_refunds(order.id)).refunds == []
    assert (await stack.shop(RECONCILE_SHOP).get_return(ret.id)).status == "REQUESTED"  # nothing applied

    await stack.handle(case_id).signal("retry", {"operator": "olga", "note": "ask the reviewer again"})

    async def new_task() -> str | None:
        task_id = (await stack.view(case_id)).review_task_id
        return task_id if task_id not in (None, first_task) else None

    second_task = await eventually(new_task, what="a new review task after the retry")
    await decide_exchange(stack.opentext, second_task, "MUG-BLUE")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    drafts = await stack.shop(RECONCILE_SHOP).find_draft_orders(
        DRAFT_ORDER_BY_TAG.format(value=search_value(marker(f"replacement-{case_id}")))
    )
    assert [(line.sku, line.quantity) for line in drafts[0].line_items.nodes] == [("MUG-BLUE", 1)]


async def test_bigcommerce_exchange_sends_what_the_customer_asked_for(stack: Stack) -> None:
    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    request = return_request(
        order,
        [{"order_product_id": tent, "quantity": 1, "reason": "Wrong size"}],
        exchange_items=[{"sku": "TENT-4P", "quantity": 1, "name": "Tent, 4 person"}],
    )
    case_id = await started(stack, request)
    task_id = await stack.open_task_id(case_id)
    process = await stack.opentext.get_process((await stack.view(case_id)).review_process_id or "")
    assert process.variable("exchangeItems") == "1 x TENT-4P"  # the reviewer sees what is asked for
    await decide_exchange(stack.opentext, task_id, None)
    result = await bigcommerce_result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "return_bigcommerce_exchange")
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []
    exchange_id = int(result.detail.rsplit("exchange order #", 1)[1].split(" ")[0])
    exchange = await sandbox_order(stack, exchange_id)
    assert exchange["external_order_id"] == f"casebridge-replacement-{case_id}"[:100]
    assert [(p["name"], p["sku"], p["quantity"]) for p in exchange["products"]] == [("Tent, 4 person", "TENT-4P", 1)]
    assert Decimal(str(exchange["total_inc_tax"])) == Decimal(0)


async def test_bad_exchange_items_are_refused_with_reasons(stack: Stack) -> None:
    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    line = [{"order_product_id": tent, "quantity": 1, "reason": "Wrong size"}]
    answer = await post(stack, return_request(order, line, exchange_items=[{"sku": "", "quantity": 1}]))
    assert answer.status_code == 422 and "exchange_items" in answer.text
    answer = await post(stack, return_request(order, line, exchange_items=[{"sku": "TENT-4P", "quantity": 0}]))
    assert answer.status_code == 422 and "exchange_items" in answer.text


# --- Adobe Commerce: orders through an admin cart, free by the store's replacement coupon ---------

ORDER_PLACED = "com.adobe.commerce.observer.sales_order_place_after"


async def adobe_order_named(stack: Stack, detail: str, what: str) -> dict[str, Any]:
    increment_id = detail.rsplit(f"{what} order #", 1)[1].split(" ")[0]
    state = await adobe_admin(stack, "GET", "/state")
    order: dict[str, Any] = next(o for o in state["orders"] if o["increment_id"] == increment_id)
    return order


async def test_adobe_replacement_is_a_free_cart_order_and_is_not_reviewed_itself(stack: Stack) -> None:
    order = await invoiced_order(stack)
    rma = await request_rma(stack, order, "TENT-1", 1, "Out of Service")
    case_id = adobe_case_of(rma)
    await stack.case_started(case_id)
    await decide(stack.opentext, await stack.open_task_id(case_id), "replacement")
    result = await adobe_result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "return_adobe_replacement")
    assert await credit_memos(stack, order["entity_id"]) == []  # a replacement moves no money
    replacement = await adobe_order_named(stack, result.detail, "replacement")
    assert [(i["sku"], i["qty_ordered"]) for i in replacement["items"]] == [("TENT-1", 1)]
    assert replacement["grand_total"] == 0 and replacement["coupon_code"] == "CASEBRIDGE-REPLACEMENT"
    assert replacement["customer_email"] == order["customer_email"]
    assert any(f"#{replacement['increment_id']}" in c for c in await comments(stack, order["entity_id"]))

    # Its own `sales_order_place_after` reaches the shim, which opens no order review for it
    # (100% "discounted" would otherwise trip the discount rule).
    async def placed_delivery() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="adobe-commerce", label=ORDER_PLACED):
            if json.loads(d["body"])["data"]["value"]["entity_id"] == replacement["entity_id"] and d["delivered"]:
                return d
        return None

    delivery = await eventually(placed_delivery, what="the replacement order's placed event")
    url = f"{stack.shim_url}/webhooks/adobe-commerce"
    answer = await stack.http.post(url, content=str(delivery["body"]).encode(), headers=dict(delivery["headers"]))
    assert (answer.json()["result"], answer.json()["case_id"]) == ("duplicate", None)


async def test_adobe_exchange_sends_the_item_the_reviewer_named(stack: Stack) -> None:
    seeded = await stack.http.post(
        adobe_admin_url(stack, "/products"), json={"sku": "TENT-2P", "name": "Tent, 2 person", "price": "260.00"}
    )
    assert seeded.status_code in (201, 400), seeded.text  # 400: an earlier test seeded it
    order = await invoiced_order(stack)
    rma = await request_rma(stack, order, "TENT-1", 1, "Out of Service")
    case_id = adobe_case_of(rma)
    await stack.case_started(case_id)
    await decide_exchange(stack.opentext, await stack.open_task_id(case_id), "TENT-2P")
    result = await adobe_result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    exchange = await adobe_order_named(stack, result.detail, "exchange")
    assert [(i["sku"], i["qty_ordered"]) for i in exchange["items"]] == [("TENT-2P", 1)]
    assert exchange["grand_total"] == 0
    # The 260.00 tent for the returned 300.00 one: the difference paid back with one credit memo.
    [memo] = await credit_memos(stack, order["entity_id"])
    assert Decimal(str(memo["grand_total"])) == Decimal("40.00")
    assert result.refunded == Decimal("40.00") and "40.00 USD difference refunded" in result.detail


# --- exchange pricing: a cheaper exchange's difference is paid back, a dearer one waits for an operator


async def test_a_cheaper_shopify_exchange_pays_back_the_difference_once(stack: Stack) -> None:
    sku = f"MUG-SMALL-{uuid.uuid4().hex[:6].upper()}"
    await seeded_variant(stack, sku, "90.00")
    order = await shipped_order(stack, unit_price="120.00")
    ret = await request_return(stack, order, "SIZE_TOO_LARGE")
    case_id = case_of(ret)
    await stack.case_started(case_id)
    await decide_exchange(stack.opentext, await stack.open_task_id(case_id), sku)
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    assert result.refunded == Decimal("30.00")
    [refund] = (await refunds_of(stack, order)).refunds
    assert refund.amount == Decimal("30.00")
    drafts = await stack.shop(SHOP).find_draft_orders(
        DRAFT_ORDER_BY_TAG.format(value=search_value(marker(f"replacement-{case_id}")))
    )
    assert [(line.sku, line.quantity) for line in drafts[0].line_items.nodes] == [(sku, 1)]


async def bigcommerce_tent_exchange(stack: Stack, name: str, price: str) -> tuple[dict[str, Any], str, str]:
    """A paid order's tent (300.00) returned for a catalog tent at `price`, the exchange decided by a
    reviewer; the order, the case id and the exchanged SKU."""
    sku = f"TENT-{uuid.uuid4().hex[:6].upper()}"
    seeded = await stack.http.post(
        f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}/products",
        json={"name": name, "sku": sku, "price": price},
    )
    seeded.raise_for_status()
    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    request = return_request(
        order,
        [{"order_product_id": tent, "quantity": 1, "reason": "Wrong size"}],
        exchange_items=[{"sku": sku, "quantity": 1}],
    )
    case_id = await started(stack, request)
    await decide_exchange(stack.opentext, await stack.open_task_id(case_id), None)
    return order, case_id, sku


async def test_a_dearer_bigcommerce_exchange_parks_until_an_operator_accepts_it(stack: Stack) -> None:
    order, case_id, sku = await bigcommerce_tent_exchange(stack, "Tent, 6 person", "420.00")

    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None and parked.attention.step == "exchange price"
    assert "420.00 USD, 120.00 more than the returned items" in parked.attention.reason
    assert "exchange order" not in " ".join(e.event for e in await stack.audit(case_id))

    await stack.handle(case_id).signal("skip", {"operator": "olga", "note": "goodwill: loyal customer"})
    result = await bigcommerce_result_of(stack, case_id)
    assert result.status is CaseStatus.APPROVED, result.detail
    assert result.refunded is None
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []
    exchange_id = int(result.detail.rsplit("exchange order #", 1)[1].split(" ")[0])
    assert [p["sku"] for p in (await sandbox_order(stack, exchange_id))["products"]] == [sku]


async def test_a_cheaper_bigcommerce_exchange_pays_back_the_difference_once(stack: Stack) -> None:
    order, case_id, sku = await bigcommerce_tent_exchange(stack, "Tent, 2 person", "260.00")
    result = await bigcommerce_result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED, result.detail
    await keep_history(stack.client.get_workflow_handle(case_id), "return_bigcommerce_exchange_difference_refunded")
    assert result.refunded == Decimal("40.00") and "40.00 USD difference refunded" in result.detail
    [refund] = (await sandbox_order(stack, order["id"]))["refunds"]
    assert Decimal(str(refund["total_amount"])) == Decimal("40.00")
    exchange_id = int(result.detail.rsplit("exchange order #", 1)[1].split(" ")[0])
    assert [p["sku"] for p in (await sandbox_order(stack, exchange_id))["products"]] == [sku]
