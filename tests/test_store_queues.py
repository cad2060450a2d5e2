"""A store with a request quota (`activities_per_second`) on any platform gets its own rate-limited
task queue, polled by its own worker: its cases complete, and every store API activity of the case
was scheduled on that queue (the OpenText ones on the shared queue)."""

from __future__ import annotations

from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from casebridge.stores import Platform, store_task_queue
from tests.support.stack import Stack
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SHOP
from tests.test_order_review_adobe import in_review as adobe_in_review
from tests.test_order_review_adobe import place_order as place_adobe_order
from tests.test_order_review_bigcommerce import in_review as bigcommerce_in_review
from tests.test_order_review_bigcommerce import seed_order as place_bigcommerce_order
from tests.test_order_review_flow import case_of as shopify_case_of
from tests.test_order_review_flow import decide
from workflows.messages import CaseStatus

STORE_ACTIVITY_PREFIX = {
    Platform.SHOPIFY: "shopify.",
    Platform.BIGCOMMERCE: "bigcommerce.",
    Platform.ADOBE_COMMERCE: "adobe.",
}


async def queues_of_activities(handle: WorkflowHandle[Any, Any]) -> dict[str, set[str]]:
    """Activity type -> the task queues it was scheduled on, from the case's history."""
    queues: dict[str, set[str]] = {}
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled = event.activity_task_scheduled_event_attributes
            queues.setdefault(scheduled.activity_type.name, set()).add(scheduled.task_queue.name)
    return queues


async def assert_on_store_queue(stack: Stack, platform: Platform, store_id: str, case_id: str, task_id: str) -> None:
    store = stack.registry.store(platform, store_id)
    assert store is not None and store.activities_per_second is not None
    await decide(stack.opentext, task_id, "approved")
    handle = stack.handle(case_id)
    result = await handle.result()
    assert result.status is CaseStatus.APPROVED, result.detail

    queues = await queues_of_activities(handle)
    prefix = STORE_ACTIVITY_PREFIX[platform]
    store_queue = store_task_queue(stack.settings.task_queue, store)
    assert store_queue != stack.settings.task_queue
    store_calls = {name: q for name, q in queues.items() if name.startswith(prefix)}
    assert store_calls, f"no {platform.value} activity in {sorted(queues)}"
    assert all(q == {store_queue} for q in store_calls.values()), store_calls
    others = {name: q for name, q in queues.items() if not name.startswith(prefix)}
    assert others and all(q == {stack.settings.task_queue} for q in others.values()), others


async def test_shopify_store_with_a_quota_completes_its_case_on_its_queue(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1200.00")
    case_id = shopify_case_of(SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)
    await assert_on_store_queue(stack, Platform.SHOPIFY, SHOP, case_id, await stack.open_task_id(case_id))


async def test_bigcommerce_store_with_a_quota_completes_its_case_on_its_queue(stack: Stack) -> None:
    case_id, task_id = await bigcommerce_in_review(stack, await place_bigcommerce_order(stack, "1200.00"))
    await assert_on_store_queue(stack, Platform.BIGCOMMERCE, BC_FLOW_STORE, case_id, task_id)


async def test_adobe_commerce_store_with_a_quota_completes_its_case_on_its_queue(stack: Stack) -> None:
    case_id, task_id = await adobe_in_review(stack, await place_adobe_order(stack, "1200.00"))
    await assert_on_store_queue(stack, Platform.ADOBE_COMMERCE, ADOBE_STORE, case_id, task_id)
