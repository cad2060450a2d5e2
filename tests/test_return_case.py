"""Returns end to end: the sandbox's `returnRequest` sends a signed `returns/request` webhook to the
shim, the case runs on the real Temporal dev server, reviewers act through the OpenText Workflow
API, and the effects are asserted in the Shopify simulator (return status, refunds and amounts).

The evidence deadline runs on the time-skipping test server (a week passes in seconds): that case
is started directly (the SLA shop has no webhook subscriptions) and its decision arrives by the
`submit_decision` signal (the time-skipping server has no Updates)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.shopify.assumptions import DRAFT_ORDER_BY_TAG, marker, search_value
from connectors.shopify.models import Order
from connectors.shopify.refunds import OrderRefunds
from connectors.shopify.returns import Return, ReturnLine, ReturnReason
from routing.policy import load_policy
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import RECONCILE_SHOP, SHOP, SLA_SHOP, TENANT
from tests.test_order_review_flow import decide
from worker import build_worker
from workflows.messages import AuditEntry, CaseStatus, CaseView, ReviewDecision
from workflows.return_case import (
    KIND as RETURN_CASE,
)
from workflows.return_case import (
    CustomerEvidence,
    ReturnCase,
    ReturnCaseInput,
    ReturnCaseResult,
    ReturnFacts,
    ReturnLineFacts,
)


async def shipped_order(stack: Stack, unit_price: str, quantity: int = 1, store: str = SHOP) -> Order:
    """An order paid in one SALE, below the order-review limits (no order case), shipped so it can
    be returned."""
    total = str(Decimal(unit_price) * quantity)
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
    order = await stack.shop(store).create_order(
        {
            "email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
            "currency": "USD",
            "lineItems": [{"title": "Camp Mug", "quantity": quantity, "priceSet": _usd(unit_price)}],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "manual", "amountSet": _usd(total)}],
        }
    )
    await stack.shop(store).create_fulfillment(order.fulfillment_orders[0].id)
    return order


def _usd(amount: str) -> dict[str, dict[str, str]]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def request_return(
    stack: Stack, order: Order, reason: ReturnReason, quantity: int = 1, store: str = SHOP
) -> Return:
    """The customer's return request; the simulator announces it with `returns/request`."""
    [returnable] = await stack.shop(store).returnable_fulfillments(order.id)
    line = returnable.items[0].fulfillment_line_item
    return await stack.shop(store).request_return(
        order.id,
        [ReturnLine(fulfillment_line_item_id=line.id, quantity=quantity, return_reason=reason, customer_note="test")],
    )


def case_of(ret: Return, store: str = SHOP) -> str:
    return RETURN_CASE.case_id("shopify", store, ret.id.rsplit("/", 1)[-1])


async def result_of(stack: Stack, case_id: str) -> ReturnCaseResult:
    await stack.case_started(case_id)
    handle = stack.client.get_workflow_handle(case_id, result_type=ReturnCaseResult)
    result: ReturnCaseResult = await handle.result()
    return result


async def refunds_of(stack: Stack, order: Order) -> OrderRefunds:
    return await stack.shop(SHOP).order_refunds(order.id)


async def test_small_low_risk_return_is_auto_approved_and_refunded_once(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="20.00", quantity=2)
    ret = await request_return(stack, order, "UNWANTED")

    result = await result_of(stack, case_of(ret))

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.client.get_workflow_handle(case_of(ret)), "return_shopify_auto-refund")
    assert result.decision is None  # nobody reviewed it
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "OPEN"
    refunds = await refunds_of(stack, order)
    assert [r.amount for r in refunds.refunds] == [Decimal("20.00")]
    assert result.refunded == Decimal("20.00")
    [refunded_line] = refunds.refunds[0].refund_line_items.nodes
    assert refunded_line.quantity == 1


async def test_reviewed_return_is_refunded_on_the_reviewers_decision(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="120.00")
    ret = await request_return(stack, order, "DEFECTIVE")
    case_id = case_of(ret)
    await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    task = await stack.opentext.get_task(task_id)
    assert any(a.group == "returns-review" for a in task.assignments)
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "REQUESTED"  # nothing before the decision
    assert (await refunds_of(stack, order)).refunds == []

    await decide(stack.opentext, task_id, "refund")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.client.get_workflow_handle(case_id), "return_shopify_reviewed-refund")
    assert result.decision is not None and result.decision.outcome == "refund"
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "OPEN"
    assert [r.amount for r in (await refunds_of(stack, order)).refunds] == [Decimal("120.00")]


async def test_rejected_return_is_declined_without_refund(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="80.00")
    ret = await request_return(stack, order, "NOT_AS_DESCRIBED")
    case_id = case_of(ret)
    await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)

    await decide(stack.opentext, task_id, "reject")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.REJECTED
    await keep_history(stack.client.get_workflow_handle(case_id), "return_shopify_rejected")
    declined = await stack.shop(SHOP).get_return(ret.id)
    assert declined.status == "DECLINED"
    assert declined.decline is not None and declined.decline.reason == "OTHER"
    assert (await refunds_of(stack, order)).refunds == []
    assert result.refunded is None


async def test_evidence_requested_then_second_round_refunds(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="95.00")
    ret = await request_return(stack, order, "WRONG_ITEM")
    case_id = case_of(ret)
    handle = await stack.case_started(case_id)
    first_task = await stack.open_task_id(case_id)

    await decide(stack.opentext, first_task, "request-evidence")

    async def waiting_for_evidence() -> bool:
        view = await stack.view(case_id)
        return view.status is CaseStatus.IN_REVIEW and "evidence" in view.detail

    await eventually(waiting_for_evidence, what="the case to wait for evidence")
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "REQUESTED"
    await handle.signal(
        "customer_evidence", CustomerEvidence(who="buyer", note="wrong colour", links=["https://img.example/1.jpg"])
    )

    async def second_task() -> str | None:
        view = await stack.view(case_id)
        task = view.review_task_id
        return task if task is not None and task != first_task and view.status is CaseStatus.IN_REVIEW else None

    task_id = await eventually(second_task, what="the second review round")
    process = await stack.opentext.get_process((await stack.view(case_id)).review_process_id or "")
    assert "wrong colour" in str(process)  # the reviewer sees the evidence
    await decide(stack.opentext, task_id, "refund")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "OPEN"
    assert [r.amount for r in (await refunds_of(stack, order)).refunds] == [Decimal("95.00")]
    events = [e.event for e in await stack.audit(case_id)]
    assert "evidence received" in events
    assert "letter started" in events  # asked for the evidence by letter (the CustomerLetter building block)


async def test_operator_abort_while_waiting_for_evidence_leaves_the_return_undecided(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="70.00")
    ret = await request_return(stack, order, "DEFECTIVE")
    case_id = case_of(ret)
    handle = await stack.case_started(case_id)
    await decide(stack.opentext, await stack.open_task_id(case_id), "request-evidence")

    async def waiting_for_evidence() -> bool:
        view = await stack.view(case_id)
        return view.status is CaseStatus.IN_REVIEW and "evidence" in view.detail

    await eventually(waiting_for_evidence, what="the case to wait for evidence")
    await handle.signal("abort", {"operator": "olga", "note": "customer withdrew the return by phone"})
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.ABORTED
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "REQUESTED"  # left for staff in Shopify
    assert (await refunds_of(stack, order)).refunds == []


async def test_refused_refund_parks_the_case_until_an_operator_retries(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="30.00")
    await stack.fault(
        system="shopify", operation="refundCreate", effect="user_error", message="Refund is locked by another app"
    )
    ret = await request_return(stack, order, "SIZE_TOO_SMALL")
    case_id = case_of(ret)
    handle = await stack.case_started(case_id)

    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None and parked.attention.step == "refund returned lines"
    assert "locked by another app" in parked.attention.reason
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "OPEN"  # the approval is recorded
    assert (await refunds_of(stack, order)).refunds == []

    await handle.signal("retry", {"operator": "olga", "note": "unlocked"})
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    assert [r.amount for r in (await refunds_of(stack, order)).refunds] == [Decimal("30.00")]
    assert any(e.event == "operator retry" and e.actor == "olga" for e in await stack.audit(case_id))


async def test_duplicate_webhook_delivery_opens_one_case(stack: Stack) -> None:
    order = await shipped_order(stack, unit_price="25.00")
    await stack.fault(system="shopify", operation="returns/request", effect="duplicate_delivery")
    ret = await request_return(stack, order, "STYLE")
    case_id = case_of(ret)

    async def answered_twice() -> list[object] | None:
        """The status codes the shim gave both deliveries of this return's webhook, once it has."""
        for delivery in await stack.deliveries(system="shopify", label="returns/request"):
            codes = [attempt["status_code"] for attempt in delivery["attempts"]]
            if ret.id in str(delivery["body"]) and len(codes) >= 2 and None not in codes:
                return codes
        return None

    status_codes = await eventually(answered_twice, what="both deliveries of returns/request to be answered")
    result = await result_of(stack, case_id)

    assert status_codes == [200, 200]  # the second one answered as a duplicate, not an error
    assert result.status is CaseStatus.APPROVED
    assert [r.amount for r in (await refunds_of(stack, order)).refunds] == [Decimal("25.00")]


# --- the evidence deadline, on the time-skipping server ------------------------------------------


@pytest.fixture
async def deadline_env(
    time_skipping_env: WorkflowEnvironment, config_dir: Path
) -> AsyncIterator[tuple[str, Connections]]:
    queue = f"returns-{uuid.uuid4().hex[:8]}"
    connections = Connections(load_registry(config_dir))
    async with build_worker(time_skipping_env.client, Settings(config_dir=config_dir, task_queue=queue), connections):
        yield queue, connections
    await connections.aclose()


async def _requested_return(connections: Connections) -> ReturnFacts:
    shop = connections.shopify(SLA_SHOP)
    order = await shop.create_order(
        {
            "email": "returns@example.test",
            "currency": "USD",
            "lineItems": [{"title": "Lamp", "quantity": 1, "priceSet": _usd("140.00")}],
            "transactions": [
                {
                    "kind": "SALE",
                    "status": "SUCCESS",
                    "gateway": "manual",
                    "amountSet": _usd("140.00"),
                }
            ],
        }
    )
    await shop.create_fulfillment(order.fulfillment_orders[0].id)
    [returnable] = await shop.returnable_fulfillments(order.id)
    line = returnable.items[0].fulfillment_line_item
    ret = await shop.request_return(
        order.id, [ReturnLine(fulfillment_line_item_id=line.id, quantity=1, return_reason="DEFECTIVE")]
    )
    return ReturnFacts(
        return_id=ret.id.rsplit("/", 1)[-1],
        return_gid=ret.id,
        return_name=ret.name,
        order_id=order.legacy_resource_id,
        order_gid=order.id,
        currency="USD",
        lines=[
            ReturnLineFacts(
                line_item_gid=line.line_item.id,
                fulfillment_line_item_gid=line.id,
                quantity=1,
                unit_price=order.total_price.shop_money.amount,
                reason="DEFECTIVE",
            )
        ],
    )


async def _in_review(handle: WorkflowHandle[ReturnCase, ReturnCaseResult]) -> CaseView:
    """Let the review start in real time before any time is skipped (queries skip no time)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        view: CaseView = await handle.query("status", result_type=CaseView)
        if view.status is CaseStatus.IN_REVIEW and view.review_task_id is not None:
            return view
        assert view.status is not CaseStatus.NEEDS_ATTENTION, view.attention
        assert asyncio.get_running_loop().time() < deadline, view
        await asyncio.sleep(0.05)


async def test_no_evidence_by_the_deadline_declines_the_return(
    time_skipping_env: WorkflowEnvironment, deadline_env: tuple[str, Connections], config_dir: Path
) -> None:
    queue, connections = deadline_env
    facts = await _requested_return(connections)
    policy = load_policy(config_dir / "policies" / f"{SLA_SHOP}.yaml").returns
    assert policy is not None and policy.evidence is not None
    # Keep reconciliation out of the timers (see tests/test_order_review_sla.py).
    policy.sla.reconcile_every = timedelta(days=30)
    case_id = f"return/shopify/{SLA_SHOP}/{facts.return_id}-{uuid.uuid4().hex[:6]}"
    handle = await time_skipping_env.client.start_workflow(
        ReturnCase.run,
        ReturnCaseInput(
            case_id=case_id,
            platform="shopify",
            store=SLA_SHOP,
            opentext_tenant=TENANT,
            callback_url="http://127.0.0.1:9/unused",  # decisions arrive by signal here
            facts=facts,
            reasons=["reason DEFECTIVE is not low-risk"],
            policy=policy,
        ),
        id=case_id,
        task_queue=queue,
    )
    view = await _in_review(handle)
    assert view.review_process_id is not None and view.review_task_id is not None
    await handle.signal(
        "submit_decision",
        ReviewDecision(
            process_instance_id=view.review_process_id,
            task_id=view.review_task_id,
            outcome="request-evidence",
            reviewer="rita",
        ),
    )

    # Bounded: a time-skipping stall must fail this test, not hang the suite.
    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.REJECTED
    events = [e.event for e in await handle.query("audit", result_type=list[AuditEntry])]
    assert events.index("evidence deadline passed") < events.index("status REJECTED")
    declined = await connections.shopify(SLA_SHOP).get_return(facts.return_gid)
    assert declined.status == "DECLINED"
    assert (await connections.shopify(SLA_SHOP).order_refunds(facts.order_gid)).refunds == []


# --- routing by product category and warranty (the test policy: return window P30D, warranty P1Y;
# electronics always reviewed with a P2Y warranty; garden declined out of warranty) ------------------


async def seeded_product(stack: Stack, product_type: str) -> str:
    """A catalog product of this type (the sandbox's seeding route); its gid."""
    response = await stack.http.post(
        f"{stack.sandbox_url}/shopify/{SHOP}/_admin/products",
        json={"title": f"{product_type} item {uuid.uuid4().hex[:6]}", "product_type": product_type},
    )
    response.raise_for_status()
    gid: str = response.json()["product"]["admin_graphql_api_id"]
    return gid


async def shipped_product_order(stack: Stack, product_gid: str, unit_price: str, days_ago: int) -> Order:
    """A paid, shipped order of one catalog product, placed `days_ago` (Shopify's `processedAt`)."""
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
    processed_at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    order = await stack.shop(SHOP).create_order(
        {
            "email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
            "currency": "USD",
            "processedAt": processed_at,
            "lineItems": [
                {"title": "Catalog item", "quantity": 1, "priceSet": _usd(unit_price), "productId": product_gid}
            ],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "manual", "amountSet": _usd(unit_price)}],
        }
    )
    await stack.shop(SHOP).create_fulfillment(order.fulfillment_orders[0].id)
    return order


async def review_variables(stack: Stack, case_id: str) -> dict[str, object]:
    process_id = (await stack.view(case_id)).review_process_id
    assert process_id is not None
    return (await stack.opentext.get_process(process_id)).variable_values


async def test_small_return_in_an_always_reviewed_category_is_reviewed(stack: Stack) -> None:
    product = await seeded_product(stack, "Electronics")
    order = await shipped_product_order(stack, product, unit_price="20.00", days_ago=3)
    ret = await request_return(stack, order, "UNWANTED")  # small and low-risk: auto-approved elsewhere
    case_id = case_of(ret)
    await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)

    variables = await review_variables(stack, case_id)
    assert "category electronics is always reviewed" in str(variables["reasons"])
    assert variables["productCategories"] == "Electronics"
    assert variables["warrantyStatus"] == "in-return-window"
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "REQUESTED"
    assert (await refunds_of(stack, order)).refunds == []

    await decide(stack.opentext, task_id, "refund")
    result = await result_of(stack, case_id)
    assert result.status is CaseStatus.APPROVED
    assert [r.amount for r in (await refunds_of(stack, order)).refunds] == [Decimal("20.00")]


async def test_defective_item_after_the_window_inside_the_warranty_is_a_warranty_claim(stack: Stack) -> None:
    product = await seeded_product(stack, "Outdoor")
    order = await shipped_product_order(stack, product, unit_price="40.00", days_ago=100)
    ret = await request_return(stack, order, "DEFECTIVE")
    case_id = case_of(ret)
    await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)

    variables = await review_variables(stack, case_id)
    assert variables["warrantyClaim"] is True
    assert variables["warrantyStatus"] == "warranty-claim"
    process = await stack.opentext.get_process((await stack.view(case_id)).review_process_id or "")
    assert (process.name or "").startswith("Review warranty claim")
    assert "warranty claim" in str(variables["reasons"])
    description = await stack.client.get_workflow_handle(case_id).describe()
    assert "Warranty claim" in (await description.static_details() or "")
    view = await stack.view(case_id)
    assert view.status is CaseStatus.IN_REVIEW

    await decide(stack.opentext, task_id, "replacement")
    result = await result_of(stack, case_id)
    assert result.status is CaseStatus.APPROVED
    assert (await stack.shop(SHOP).get_return(ret.id)).status == "OPEN"
    assert (await refunds_of(stack, order)).refunds == []  # a replacement moves no money
    # A free replacement order, shipped where the first one went, made once from a tagged draft.
    drafts = await stack.shop(SHOP).find_draft_orders(
        DRAFT_ORDER_BY_TAG.format(value=search_value(marker(f"replacement-{case_id}")))
    )
    assert len(drafts) == 1 and drafts[0].status == "COMPLETED" and drafts[0].order is not None
    assert drafts[0].total_price_set.shop_money.amount == 0
    assert f"replacement order {drafts[0].order.name} created" in result.detail


async def test_out_of_warranty_is_reviewed_saying_so(stack: Stack) -> None:
    product = await seeded_product(stack, "Outdoor")
    order = await shipped_product_order(stack, product, unit_price="40.00", days_ago=400)  # > P1Y
    ret = await request_return(stack, order, "DEFECTIVE")
    case_id = case_of(ret)
    await stack.case_started(case_id)
    await stack.open_task_id(case_id)

    variables = await review_variables(stack, case_id)
    assert variables["warrantyClaim"] is False
    assert variables["warrantyStatus"] == "out-of-warranty"
    assert "out of warranty" in str(variables["reasons"])
    await stack.handle(case_id).signal("abort", {"operator": "olga", "note": "test done"})


async def test_out_of_warranty_in_a_declining_category_is_declined_by_policy(stack: Stack) -> None:
    product = await seeded_product(stack, "Garden")
    order = await shipped_product_order(stack, product, unit_price="40.00", days_ago=400)
    ret = await request_return(stack, order, "DEFECTIVE")

    result = await result_of(stack, case_of(ret))

    assert result.status is CaseStatus.REJECTED
    assert result.decision is None  # nobody reviewed it
    assert "declined by policy" in result.detail and "out of warranty" in result.detail
    declined = await stack.shop(SHOP).get_return(ret.id)
    assert declined.status == "DECLINED"
    assert (await refunds_of(stack, order)).refunds == []


async def test_windows_can_count_from_the_last_shipment(stack: Stack) -> None:
    """RECONCILE_SHOP's policy counts windows from the shipment: an order placed 100 days ago and
    shipped today is inside its 30-day return window there, where SHOP would see a warranty claim."""
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
    shop = stack.shop(RECONCILE_SHOP)
    order = await shop.create_order(
        {
            "email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
            "currency": "USD",
            "processedAt": (datetime.now(UTC) - timedelta(days=100)).isoformat(),
            "lineItems": [{"title": "Backordered tent", "quantity": 1, "priceSet": _usd("180.00")}],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "manual", "amountSet": _usd("180.00")}],
        }
    )
    await shop.create_fulfillment(order.fulfillment_orders[0].id)  # shipped only now
    ret = await request_return(stack, order, "DEFECTIVE", store=RECONCILE_SHOP)
    case_id = case_of(ret, RECONCILE_SHOP)
    await stack.case_started(case_id)
    await stack.open_task_id(case_id)

    variables = await review_variables(stack, case_id)
    assert variables["warrantyClaim"] is False
    assert variables["warrantyStatus"] == "in-return-window"
    await stack.handle(case_id).signal("abort", {"operator": "olga", "note": "test done"})
