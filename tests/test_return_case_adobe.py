"""Returns on Adobe Commerce end to end: an RMA created over REST in the simulator is announced by
an RSA-signed Adobe I/O Event (`observer.rma_save_commit_after`, `_isNew`) to the shim, which reads
the RMA and its order; the case runs on the real Temporal dev server, reviewers act through the
OpenText Workflow API, and the effects are asserted in the simulator over HTTP: RMA item statuses
and quantities, credit memos with their items and totals, order comments."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from activities.adobe_commerce import AdobeCommerceActivities
from activities.models import LinesRefundRequest, OrderLineUnits
from connectors.adobe_commerce.models import NewRmaItem, Rma
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE
from tests.test_order_review_flow import decide
from workflows.messages import CaseStatus
from workflows.return_case import KIND as RETURN_CASE
from workflows.return_case import ReturnCaseResult

RMA_SAVED = "com.adobe.commerce.observer.rma_save_commit_after"


def admin_url(stack: Stack, path: str = "") -> str:
    return f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}{path}"


async def admin(stack: Stack, method: str, path: str) -> Any:
    response = await stack.http.request(method, admin_url(stack, path))
    response.raise_for_status()
    return response.json()


async def invoiced_order(stack: Stack) -> dict[str, Any]:
    """An invoiced order below the order-review limits (no order case): two mugs and a tent, plus
    shipping, which a return's credit memo must not refund."""
    response = await stack.http.post(
        admin_url(stack, "/orders"),
        json={
            "items": [
                {"sku": "MUG-1", "name": "Camp Mug", "price": "20.00", "qty": 2},
                {"sku": "TENT-1", "name": "Tent", "price": "300.00", "qty": 1},
            ],
            "customer_email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
            "invoiced": True,
            "shipping_amount": "10.00",
        },
    )
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    assert order["state"] == "processing"
    return order


def item_id(order: dict[str, Any], sku: str) -> int:
    return int(next(i["item_id"] for i in order["items"] if i["sku"] == sku))


async def request_rma(stack: Stack, order: dict[str, Any], sku: str, qty: int, reason: str) -> Rma:
    """The customer's return request, as an RMA created over REST: the simulator emits the event."""
    adobe = stack.connections.adobe_commerce(ADOBE_STORE)
    read = await adobe.sales.get_order(order["entity_id"])
    item = NewRmaItem(
        order_item_id=item_id(order, sku), qty_requested=qty, reason=reason, condition="Opened", resolution="Refund"
    )
    return await adobe.returns.create_return(read, [item])


async def rma_now(stack: Stack, rma: Rma) -> Rma:
    return await stack.connections.adobe_commerce(ADOBE_STORE).returns.get_return(rma.entity_id)


async def credit_memos(stack: Stack, order_id: int) -> list[dict[str, Any]]:
    state = await admin(stack, "GET", "/state")
    return [m for m in state["credit_memos"] if m["order_id"] == order_id]


async def comments(stack: Stack, order_id: int) -> list[str]:
    order = await admin(stack, "GET", f"/orders/{order_id}")
    return [h["comment"] for h in order["status_histories"]]


def case_of(rma: Rma) -> str:
    return RETURN_CASE.case_id("adobe-commerce", ADOBE_STORE, str(rma.entity_id))


async def result_of(stack: Stack, case_id: str) -> ReturnCaseResult:
    await stack.case_started(case_id)
    handle = stack.client.get_workflow_handle(case_id, result_type=ReturnCaseResult)
    result: ReturnCaseResult = await handle.result()
    return result


async def test_small_low_risk_return_is_authorised_and_credited_once(stack: Stack) -> None:
    order = await invoiced_order(stack)
    rma = await request_rma(stack, order, "MUG-1", 1, "Wrong Size")

    result = await result_of(stack, case_of(rma))

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.client.get_workflow_handle(case_of(rma)), "return_adobe_auto-refund")
    assert result.decision is None  # nobody reviewed it
    assert result.refunded == Decimal("20.00")
    authorised = await rma_now(stack, rma)
    assert authorised.status == "authorized"
    assert [(i.status, i.qty_authorized) for i in authorised.items] == [("authorized", 1)]
    [memo] = await credit_memos(stack, order["entity_id"])
    assert Decimal(str(memo["grand_total"])) == Decimal("20.00")  # the mug only: no shipping
    assert [(i["order_item_id"], i["qty"]) for i in memo["items"] if i["qty"]] == [(item_id(order, "MUG-1"), 1)]
    assert any(f"[casebridge:{case_of(rma)}]" in c["comment"] for c in memo["comments"])
    assert any(f"return RMA #{rma.increment_id} approved" in c for c in await comments(stack, order["entity_id"]))


async def test_reviewed_return_is_credited_on_the_reviewers_decision(stack: Stack) -> None:
    order = await invoiced_order(stack)
    rma = await request_rma(stack, order, "TENT-1", 1, "Out of Service")
    case_id = case_of(rma)
    await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    task = await stack.opentext.get_task(task_id)
    assert any(a.group == "returns-review" for a in task.assignments)
    assert (await rma_now(stack, rma)).status == "pending"  # nothing before the decision
    assert await credit_memos(stack, order["entity_id"]) == []

    await decide(stack.opentext, task_id, "refund")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    assert result.decision is not None and result.decision.outcome == "refund"
    assert (await rma_now(stack, rma)).status == "authorized"
    memos = await credit_memos(stack, order["entity_id"])
    assert [Decimal(str(m["grand_total"])) for m in memos] == [Decimal("300.00")]


async def test_rejected_return_is_denied_without_credit_memo(stack: Stack) -> None:
    order = await invoiced_order(stack)
    rma = await request_rma(stack, order, "TENT-1", 1, "Other")
    case_id = case_of(rma)
    await stack.case_started(case_id)

    await decide(stack.opentext, await stack.open_task_id(case_id), "reject")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.REJECTED
    assert result.refunded is None
    denied = await rma_now(stack, rma)
    assert denied.status == "closed"
    assert [i.status for i in denied.items] == ["denied"]
    assert await credit_memos(stack, order["entity_id"]) == []
    assert any(f"return RMA #{rma.increment_id} declined" in c for c in await comments(stack, order["entity_id"]))


async def test_refused_credit_memo_parks_the_case_until_an_operator_retries(stack: Stack) -> None:
    order = await invoiced_order(stack)
    await stack.fault(
        system="adobe-commerce",
        operation="POST /V1/order/{orderId}/refund",
        effect="user_error",
        message="The payment method does not allow a refund right now.",
    )
    rma = await request_rma(stack, order, "MUG-1", 2, "Wrong Color")
    case_id = case_of(rma)
    await stack.case_started(case_id)

    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    assert parked.attention.step == "refund returned lines"
    assert "does not allow a refund" in parked.attention.reason
    assert (await rma_now(stack, rma)).status == "authorized"  # the approval was recorded first
    assert await credit_memos(stack, order["entity_id"]) == []

    await stack.handle(case_id).signal("retry", {"operator": "olga", "note": "fixed"})
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    memos = await credit_memos(stack, order["entity_id"])
    assert [Decimal(str(m["grand_total"])) for m in memos] == [Decimal("40.00")]


async def test_a_repeated_credit_memo_call_finds_the_first_memo(stack: Stack) -> None:
    """What a retry after a timed-out refund does: the second call writes no second memo."""
    order = await invoiced_order(stack)
    activities = AdobeCommerceActivities(stack.connections)
    request = LinesRefundRequest(
        store=ADOBE_STORE,
        order_ref=str(order["entity_id"]),
        key=f"return/adobe-commerce/{ADOBE_STORE}/test-{uuid.uuid4().hex[:8]}",
        note="Return test",
        lines=[OrderLineUnits(line_ref=str(item_id(order, "TENT-1")), quantity=1)],
    )

    first = await activities.refund_lines(request)
    again = await activities.refund_lines(request)

    assert (first.created, again.created) == (True, False)
    assert first.refund_id is not None
    assert again.refund_id == first.refund_id
    assert [Decimal(str(m["grand_total"])) for m in await credit_memos(stack, order["entity_id"])] == [
        Decimal("300.00")
    ]


async def test_redelivered_and_later_rma_events_open_no_second_case(stack: Stack) -> None:
    order = await invoiced_order(stack)
    rma = await request_rma(stack, order, "TENT-1", 1, "Out of Service")
    case_id = case_of(rma)
    await stack.case_started(case_id)
    url = f"{stack.shim_url}/webhooks/adobe-commerce"

    async def created_delivery() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="adobe-commerce", label=RMA_SAVED):
            value = json.loads(d["body"])["data"]["value"]
            if value["entity_id"] == rma.entity_id and value["_isNew"] and d["delivered"]:
                return d
        return None

    delivery = await eventually(created_delivery, what="the RMA's creation event")
    body, headers = str(delivery["body"]).encode(), dict(delivery["headers"])
    replay = await stack.http.post(url, content=body, headers=headers)
    assert (replay.status_code, replay.json()["result"], replay.json()["case_id"]) == (200, "duplicate", case_id)
    tampered = body.replace(b'"qty_requested":1', b'"qty_requested":9', 1)
    assert tampered != body
    assert (await stack.http.post(url, content=tampered, headers=headers)).status_code == 401
    unsigned = {k: v for k, v in headers.items() if not k.lower().startswith("x-adobe-digital-signature")}
    assert (await stack.http.post(url, content=body, headers=unsigned)).status_code == 401

    await decide(stack.opentext, await stack.open_task_id(case_id), "refund")
    assert (await result_of(stack, case_id)).status is CaseStatus.APPROVED

    # The case's own authorisation is saved as the same RMA (not new): acknowledged, no new case.
    async def authorisation_delivery() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="adobe-commerce", label=RMA_SAVED):
            value = json.loads(d["body"])["data"]["value"]
            if value["entity_id"] == rma.entity_id and not value["_isNew"] and d["delivered"]:
                return d
        return None

    update = await eventually(authorisation_delivery, what="the RMA's update event")
    # The shim answers a redelivery as it answered the delivery: that answer was "ignored".
    answered = await stack.http.post(url, content=str(update["body"]).encode(), headers=dict(update["headers"]))
    assert (answered.status_code, answered.json()["result"]) == (200, "duplicate")
    assert answered.json()["case_id"] is None  # the remembered answer named no case
    assert len(await credit_memos(stack, order["entity_id"])) == 1


# --- routing by category and warranty (the test policy: Electronics always reviewed, P2Y warranty;
# Garden declined out of warranty; return window P30D, warranty P1Y) --------------------------------


async def catalog_order(stack: Stack, category: str, price: str, days_ago: int) -> tuple[dict[str, Any], str]:
    """An invoiced order of one product in a category named `category`, placed `days_ago` (the
    sandbox's seeding sets `created_at`); the order and the product's SKU."""
    category_id = (await stack.http.post(admin_url(stack, "/categories"), json={"name": category})).json()["id"]
    sku = f"CAT-{uuid.uuid4().hex[:8]}"
    seeded = await stack.http.post(
        admin_url(stack, "/products"),
        json={"sku": sku, "name": f"{category} item", "price": price, "category_ids": [category_id]},
    )
    seeded.raise_for_status()
    placed = (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M:%S")
    response = await stack.http.post(
        admin_url(stack, "/orders"),
        json={
            "items": [{"sku": sku, "name": f"{category} item", "price": price, "qty": 1}],
            "customer_email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
            "invoiced": True,
            "created_at": placed,
        },
    )
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    assert order["created_at"] == placed
    return order, sku


async def review_variables(stack: Stack, case_id: str) -> dict[str, object]:
    await stack.case_started(case_id)
    await stack.open_task_id(case_id)
    process_id = (await stack.view(case_id)).review_process_id
    assert process_id is not None
    return (await stack.opentext.get_process(process_id)).variable_values


async def test_small_return_in_an_always_reviewed_category_is_reviewed(stack: Stack) -> None:
    order, sku = await catalog_order(stack, "Electronics", "20.00", days_ago=2)
    rma = await request_rma(stack, order, sku, 1, "Wrong Color")  # small, low-risk: auto-approved elsewhere
    case_id = case_of(rma)

    variables = await review_variables(stack, case_id)
    assert variables["productCategories"] == "Electronics"
    assert "category electronics is always reviewed" in str(variables["reasons"])
    assert (await rma_now(stack, rma)).status == "pending"
    assert await credit_memos(stack, order["entity_id"]) == []

    await decide(stack.opentext, await stack.open_task_id(case_id), "refund")
    assert (await result_of(stack, case_id)).status is CaseStatus.APPROVED
    assert [Decimal(str(m["grand_total"])) for m in await credit_memos(stack, order["entity_id"])] == [Decimal("20.00")]


async def test_defective_after_the_window_inside_the_warranty_is_a_warranty_claim(stack: Stack) -> None:
    order, sku = await catalog_order(stack, "Electronics", "80.00", days_ago=500)  # > P1Y, < electronics' P2Y
    rma = await request_rma(stack, order, sku, 1, "Out of Service")
    case_id = case_of(rma)

    variables = await review_variables(stack, case_id)
    assert variables["warrantyClaim"] is True and variables["warrantyStatus"] == "warranty-claim"
    assert "warranty claim" in str(variables["reasons"])
    description = await stack.client.get_workflow_handle(case_id).describe()
    assert "Warranty claim" in (await description.static_details() or "")

    await decide(stack.opentext, await stack.open_task_id(case_id), "replacement")
    result = await result_of(stack, case_id)
    assert result.status is CaseStatus.APPROVED
    assert (await rma_now(stack, rma)).status == "authorized"
    assert await credit_memos(stack, order["entity_id"]) == []  # a replacement moves no money


async def test_out_of_warranty_is_handled_per_policy(stack: Stack) -> None:
    reviewed_order, reviewed_sku = await catalog_order(stack, "Outdoor", "80.00", days_ago=400)
    reviewed = await request_rma(stack, reviewed_order, reviewed_sku, 1, "Out of Service")
    variables = await review_variables(stack, case_of(reviewed))
    assert variables["warrantyStatus"] == "out-of-warranty" and "out of warranty" in str(variables["reasons"])
    await decide(stack.opentext, await stack.open_task_id(case_of(reviewed)), "reject")
    assert (await result_of(stack, case_of(reviewed))).status is CaseStatus.REJECTED

    declined_order, declined_sku = await catalog_order(stack, "Garden", "80.00", days_ago=400)
    declined = await request_rma(stack, declined_order, declined_sku, 1, "Out of Service")
    result = await result_of(stack, case_of(declined))
    assert result.status is CaseStatus.REJECTED and result.decision is None
    assert "declined by policy" in result.detail and "out of warranty" in result.detail
    denied = await rma_now(stack, declined)
    assert [i.status for i in denied.items] == ["denied"]
    assert await credit_memos(stack, declined_order["entity_id"]) == []
