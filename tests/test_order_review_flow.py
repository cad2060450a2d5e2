"""Order review end to end: signed Shopify webhooks into the shim, cases on the real Temporal dev
server, reviewers acting through the OpenText Workflow API, effects asserted in the sandbox."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from temporalio.service import RPCError

from connectors.opentext.workflow import OpenTextWorkflowClient
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import RECONCILE_SHOP, SHOP, TENANT_ID
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW

REVIEWER = "rita.reviewer@example.test"


def case_of(store: str, order_id: str) -> str:
    return ORDER_REVIEW.case_id("shopify", store, order_id)


async def decide(opentext: OpenTextWorkflowClient, task_id: str, outcome: str) -> None:
    """What a reviewer does in OpenText: claim the task, complete it with an outcome."""
    await opentext.claim_task(task_id, REVIEWER)
    await opentext.complete_task(task_id, outcome, {"reviewer": REVIEWER, "comment": f"{outcome} in test"})


async def test_approved_order_is_released(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1200.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)

    held = await stack.order(SHOP, order.id)
    assert [fo.status for fo in held.fulfillment_orders] == ["ON_HOLD"]
    assert held.fulfillment_orders[0].fulfillment_holds[0].handle == f"casebridge-review-{order.legacy_resource_id}"
    assert "casebridge-review" in held.tags
    task = await stack.opentext.get_task(task_id)
    assert any(a.group == "order-review" for a in task.assignments)

    await decide(stack.opentext, task_id, "approved")
    result = await handle.result()

    assert result.status is CaseStatus.APPROVED
    await keep_history(handle, "order_review_approved")
    assert result.decision is not None and result.decision.source == "callback"
    assert result.decision.reviewer == REVIEWER
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    assert released.fulfillment_orders[0].fulfillment_holds == []
    assert "casebridge-approved" in released.tags and "casebridge-review" not in released.tags
    assert released.cancelled_at is None
    events = [e.event for e in await stack.audit(case_id)]
    assert events.index("decision received") < events.index("status APPROVED")


async def test_rejected_order_is_cancelled_and_refunded(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="300.00", customer_tags=["VIP"])
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)

    await decide(stack.opentext, task_id, "rejected")
    result = await handle.result()

    assert result.status is CaseStatus.REJECTED
    await keep_history(handle, "order_review_rejected")
    cancelled = await stack.order(SHOP, order.id)
    assert cancelled.cancelled_at is not None
    assert cancelled.cancel_reason == "DECLINED"
    assert cancelled.display_financial_status in ("REFUNDED", "VOIDED")
    assert "casebridge-rejected" in cancelled.tags


async def test_small_order_starts_no_case(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="40.00")

    async def answered() -> list[dict[str, object]]:
        deliveries = await stack.deliveries(system="shopify", label="orders/create")
        return [
            d
            for d in deliveries
            # Shops number their orders alike: the shop's header tells this shop's delivery apart.
            if d["headers"].get("X-Shopify-Shop-Domain") == SHOP
            and order.legacy_resource_id in str(d["body"])
            and d["delivered"]
        ]

    delivery = (await eventually(answered, what="orders/create delivery"))[0]
    assert delivery["attempts"][-1]["status_code"] == 200  # type: ignore[index]
    with pytest.raises(RPCError):
        await stack.handle(case_of(SHOP, order.legacy_resource_id)).describe()


async def test_store_cancellation_withdraws_the_review(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1500.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    await stack.open_task_id(case_id)
    view = await stack.view(case_id)
    assert view.review_process_id is not None

    # The merchant cancels the order in Shopify admin; Shopify sends orders/cancelled.
    await stack.shop(SHOP).cancel_order(
        order.id, reason="CUSTOMER", refund=True, restock=True, notify_customer=False, staff_note="customer called"
    )
    result = await handle.result()

    assert result.status is CaseStatus.CANCELLED
    await keep_history(handle, "order_review_store-cancelled")
    process = await stack.opentext.get_process(view.review_process_id, include_variables=False)
    assert process.ended
    assert await stack.opentext.list_tasks(process_instance_id=view.review_process_id) == []


async def test_release_refused_parks_case_until_operator_retries(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="2000.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    await stack.fault(
        system="shopify",
        operation="fulfillmentOrderReleaseHold",
        effect="user_error",
        message="Fulfillment order is locked by another app",
    )

    await decide(stack.opentext, task_id, "approved")
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    assert parked.attention.step == "release holds"
    assert "locked by another app" in parked.attention.reason
    still_held = await stack.order(SHOP, order.id)
    assert [fo.status for fo in still_held.fulfillment_orders] == ["ON_HOLD"]

    await handle.signal("retry", {"operator": "olga", "note": "lock cleared"})
    result = await handle.result()

    assert result.status is CaseStatus.APPROVED
    await keep_history(handle, "order_review_needs-attention-retry")
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    audit = await stack.audit(case_id)
    assert any(e.event == "operator retry" and e.actor == "olga" for e in audit)


async def test_lost_callback_is_recovered_by_reconciliation(stack: Stack) -> None:
    order = await stack.create_order(RECONCILE_SHOP, unit_price="1100.00")
    case_id = case_of(RECONCILE_SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    await stack.fault(system="opentext-workflow", operation="task-outcome", effect="drop_delivery")

    await decide(stack.opentext, task_id, "approved")
    result = await handle.result()

    assert result.status is CaseStatus.APPROVED
    assert result.decision is not None and result.decision.source == "reconciliation"
    dropped = [d for d in await stack.deliveries(system="opentext-workflow") if d["dropped"]]
    assert any(case_id in str(d["body"]) for d in dropped)
    released = await stack.order(RECONCILE_SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]


async def test_a_review_decided_before_its_task_was_reported_is_not_opened_again(
    stack: Stack, sandbox_app: FastAPI
) -> None:
    """The start of the review fails after OpenText made the process (its task list answers 500
    twice), and the reviewer decides in the meantime. The retried start must take that decided
    process as the review, not open a second one that nobody will ever decide."""
    await stack.fault(system="opentext-workflow", operation="GET /workflow/v1/tasks", effect="http_500", times=2)
    order = await stack.create_order(SHOP, unit_price="1150.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)

    # The reviewer's inbox, read in the simulator itself: the API's task list is the one failing.
    engine = sandbox_app.state.workflow_service.engine

    async def first_task() -> str | None:
        tasks = engine.active_tasks(TENANT_ID)
        ours = [t for t in tasks if engine.instance(TENANT_ID, t.process_instance_id).business_key == case_id]
        return ours[0].id if ours else None

    await decide(stack.opentext, await eventually(first_task, what="the review task in OpenText"), "approved")
    # Bounded: a second process would leave the case waiting an hour for reconciliation.
    result = await asyncio.wait_for(handle.result(), timeout=30)

    assert result.status is CaseStatus.APPROVED
    assert len(await stack.opentext.find_processes(case_id)) == 1


async def test_operator_abort_undoes_holds_and_withdraws_review(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1300.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    view = await stack.view(case_id)
    await stack.fault(
        system="shopify", operation="fulfillmentOrderReleaseHold", effect="user_error", message="locked", times=1
    )
    await decide(stack.opentext, task_id, "approved")
    await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)

    await handle.signal("abort", {"operator": "olga", "note": "handled by phone"})
    result = await handle.result()

    assert result.status is CaseStatus.ABORTED
    await keep_history(handle, "order_review_needs-attention-aborted")
    order_after = await stack.order(SHOP, order.id)
    assert [fo.status for fo in order_after.fulfillment_orders] == ["OPEN"]  # compensation released the hold
    assert "casebridge-review" not in order_after.tags
    assert view.review_process_id is not None


async def test_store_cancellation_ends_a_parked_case(stack: Stack) -> None:
    await stack.fault(
        system="shopify", operation="fulfillmentOrderHold", effect="user_error", message="Fulfillment order is locked"
    )
    order = await stack.create_order(SHOP, unit_price="1600.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None and parked.attention.step == "hold fulfillment orders"

    await stack.shop(SHOP).cancel_order(
        order.id, reason="CUSTOMER", refund=True, restock=True, notify_customer=False, staff_note="customer called"
    )
    result = await handle.result()

    assert result.status is CaseStatus.CANCELLED
    assert any(e.event == "parking ended" for e in await stack.audit(case_id))
