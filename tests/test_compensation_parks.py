"""An operator's `abort` whose undo fails: the case parks on the undo instead of claiming it was
compensated. Shopify order reviews end to end (signed webhook, held and tagged order, the real
Temporal dev server), with the sandbox refusing the undo; the operator then retries, skips or
aborts the undo, and the case's final status says what was really undone. The same holds for the
compensation a case runs when the store cancelled its order (a test-only case plays it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.worker import Worker

from activities.shopify import ShopifyActivities
from connectors.shopify.models import Order
from tests.support.compensation_case import CompensationCase, CompensationCaseInput
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import SHOP, TENANT
from tests.test_order_review_flow import case_of
from workflows.messages import CaseStatus, CaseView, StoreCancellation
from workflows.order_review import OrderReviewResult

LOCKED = "Fulfillment order is locked by another app"


@pytest.fixture
async def faults(stack: Stack) -> AsyncIterator[None]:
    """The test's refusals are cleared however it ends, so no later test meets them."""
    yield
    await clear_faults(stack)


async def refuse(stack: Stack, operation: str) -> None:
    """Shopify refuses `operation` until the faults are cleared (more times than the case retries)."""
    await stack.fault(system="shopify", operation=operation, effect="user_error", message=LOCKED, times=50)


async def clear_faults(stack: Stack) -> None:
    (await stack.http.delete(f"{stack.sandbox_url}/_sandbox/faults")).raise_for_status()


async def held_order_in_review(stack: Stack) -> tuple[Order, str]:
    order = await stack.create_order(SHOP, unit_price="1400.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)
    await stack.open_task_id(case_id)
    held = await stack.order(SHOP, order.id)
    assert [fo.status for fo in held.fulfillment_orders] == ["ON_HOLD"]
    assert "casebridge-review" in held.tags
    return order, case_id


async def abort_and_park(stack: Stack, case_id: str, step: str) -> CaseView:
    await stack.handle(case_id).signal("abort", {"operator": "olga", "note": "customer called"})
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    assert parked.attention.step == f"compensation: {step}"
    assert LOCKED in parked.attention.reason
    assert f"Step 'compensation: {step}' failed" in parked.detail
    return parked


async def operator(stack: Stack, case_id: str, signal: str, note: str) -> OrderReviewResult:
    handle = stack.handle(case_id)
    await handle.signal(signal, {"operator": "olga", "note": note})
    return await handle.result()


def events(audit: list[Any]) -> list[tuple[str, str]]:
    return [(e.event, e.detail) for e in audit]


async def test_failed_hold_release_parks_the_abort_until_the_operator_retries(stack: Stack, faults: None) -> None:
    order, case_id = await held_order_in_review(stack)
    review_process = (await stack.view(case_id)).review_process_id
    await refuse(stack, "fulfillmentOrderReleaseHold")

    await abort_and_park(stack, case_id, "release hold")

    parked_order = await stack.order(SHOP, order.id)
    assert [fo.status for fo in parked_order.fulfillment_orders] == ["ON_HOLD"]  # not compensated yet
    assert "casebridge-review" not in parked_order.tags  # the newer change was undone first
    assert review_process is not None and (await stack.opentext.get_process(review_process)).ended
    assert (await stack.handle(case_id).describe()).status is WorkflowExecutionStatus.RUNNING

    await clear_faults(stack)
    result = await operator(stack, case_id, "retry", "lock cleared")

    assert result.status is CaseStatus.ABORTED
    assert result.detail.endswith("Aborted by an operator; compensated: remove tags, release hold")
    await keep_history(stack.handle(case_id), "order_review_aborted_undo-parked-retry")
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    assert released.fulfillment_orders[0].fulfillment_holds == []
    trail = events(await stack.audit(case_id))
    failed = next(i for i, (e, d) in enumerate(trail) if e == "compensation failed" and LOCKED in d)
    assert trail[failed][1].startswith("release hold: ")
    retried = trail.index(("operator retry", "compensation: release hold: lock cleared"))
    assert failed < retried < trail.index(("compensated", "release hold"))


async def test_skipped_hold_release_is_left_in_place_and_said_so(stack: Stack, faults: None) -> None:
    order, case_id = await held_order_in_review(stack)
    await refuse(stack, "fulfillmentOrderReleaseHold")
    await abort_and_park(stack, case_id, "release hold")

    result = await operator(stack, case_id, "skip", "staff release it later")

    assert result.status is CaseStatus.ABORTED
    assert result.detail.endswith("Aborted by an operator; compensated: remove tags; not compensated: release hold")
    await keep_history(stack.handle(case_id), "order_review_aborted_undo-parked-skip")
    after = await stack.order(SHOP, order.id)
    assert [fo.status for fo in after.fulfillment_orders] == ["ON_HOLD"]
    assert [h.handle for h in after.fulfillment_orders[0].fulfillment_holds] == [
        f"casebridge-review-{order.legacy_resource_id}"
    ]
    assert "casebridge-review" not in after.tags
    trail = events(await stack.audit(case_id))
    assert ("not compensated", "release hold: skipped by an operator") in trail
    assert ("compensated", "release hold") not in trail


async def test_abort_on_a_failed_undo_stops_compensating(stack: Stack, faults: None) -> None:
    order, case_id = await held_order_in_review(stack)
    await refuse(stack, "tagsRemove")  # the newest change's undo fails: the hold release is still to come
    await abort_and_park(stack, case_id, "remove tags")

    result = await operator(stack, case_id, "abort", "leave the order as it is")

    assert result.status is CaseStatus.ABORTED
    assert result.detail.endswith(
        "Aborted by an operator; compensated: nothing; not compensated: remove tags, release hold"
    )
    after = await stack.order(SHOP, order.id)
    assert [fo.status for fo in after.fulfillment_orders] == ["ON_HOLD"]
    assert "casebridge-review" in after.tags
    trail = events(await stack.audit(case_id))
    assert ("compensation stopped", "not compensated: remove tags, release hold") in trail


# --- the store cancelled the order: compensation parks although the case is already interrupted ---


@pytest.fixture
async def compensation_queue(stack: Stack) -> AsyncIterator[str]:
    """A worker of its own for the test-only compensation case, on the stack's Temporal server."""
    queue = f"compensation-{uuid.uuid4().hex[:8]}"
    shopify = ShopifyActivities(stack.connections)
    async with Worker(
        stack.client,
        task_queue=queue,
        workflows=[CompensationCase],
        activities=[shopify.hold_order, shopify.release_holds],
    ):
        yield queue


async def test_failed_undo_after_a_store_cancellation_parks_too(
    stack: Stack, faults: None, compensation_queue: str
) -> None:
    order = await stack.create_order(SHOP, unit_price="40.00")  # no review: nothing else holds it
    case_id = f"compensation-test/{uuid.uuid4().hex[:10]}"
    case_input = CompensationCaseInput(
        case_id=case_id,
        platform="shopify",
        store=SHOP,
        opentext_tenant=TENANT,
        callback_url="http://unused.invalid/callback",
        order_id=order.legacy_resource_id,
        order_gid=order.id,
    )
    handle = await stack.client.start_workflow(
        CompensationCase.run, case_input, id=case_id, task_queue=compensation_queue
    )
    await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert [fo.status for fo in (await stack.order(SHOP, order.id)).fulfillment_orders] == ["ON_HOLD"]
    await refuse(stack, "fulfillmentOrderReleaseHold")

    await handle.signal(CompensationCase.order_cancelled, StoreCancellation(reason="by the test"))

    async def parked_on_the_undo() -> CaseView | None:
        view = await stack.view(case_id)
        return view if view.attention is not None and view.attention.step == "compensation: release hold" else None

    parked = await eventually(parked_on_the_undo, what="the case to park on the failed undo")
    assert parked.status is CaseStatus.NEEDS_ATTENTION
    assert parked.attention is not None and LOCKED in parked.attention.reason
    await clear_faults(stack)
    await handle.signal("retry", {"operator": "olga", "note": "lock cleared"})

    assert await handle.result() == "Cancelled in the store; compensated: release hold"
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
