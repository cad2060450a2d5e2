"""Every case-starting event on every platform delivered three times, at once and one after another
(the third after the case closed): one case, the decided final state, each side effect once.

Platform events are made by the simulators, whose own delivery is dropped (a DROP_DELIVERY rule
scoped to the store) so the test holds the exact signed delivery and posts it itself, as the
platform's redelivery would: same body, same headers, same delivery id. Events from other systems
(the warehouse's report, BigCommerce's return form) are signed once by the test and posted three
times. Effects are counted in the sandbox's side-effect ledger, after the event and before its
deliveries, so only what the case did is counted."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from connectors.standard_webhooks import sign
from shim.cases import DeliveryMemory
from shim.deps import ShimDeps
from tests.support.chaos import ONCE_KINDS
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SHOP, TENANT_ID, WAREHOUSE_SOURCE
from tests.test_fulfillment_exception import SECRET as WAREHOUSE_SECRET
from tests.test_fulfillment_exception import open_tasks, report
from tests.test_order_review_adobe import place_order
from tests.test_order_review_bigcommerce import seed_order
from tests.test_order_review_flow import decide
from tests.test_return_case import request_return, shipped_order
from tests.test_return_case_adobe import RMA_SAVED, invoiced_order, request_rma
from tests.test_return_case_bigcommerce import case_of as bigcommerce_return_case
from tests.test_return_case_bigcommerce import paid_order, product_id, return_request, signed_headers
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.messages import CaseResult, CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW
from workflows.return_case import KIND as RETURN_CASE

ADOBE_PLACED = "com.adobe.commerce.observer.sales_order_place_after"
# What the shim may answer a delivery of an event it has handled or is handling ("started",
# "accepted", "duplicate"), or one whose subject has moved on since, as read from the platform: an
# Adobe RMA or Shopify return already decided ("ignored"), a Shopify hold already released or a
# BigCommerce order no longer Declined ("not-needed"). A second case is never an answer.
HANDLED = {"started", "accepted", "duplicate", "ignored", "not-needed"}


@dataclass
class Delivery:
    """One signed delivery, exactly as the sender sends it every time."""

    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Event:
    """A case-starting event that happened, the case it must open, and how that case ends."""

    delivery: Delivery
    case_id: str
    system: str  # the platform, as the effect ledger names it
    store: str
    order: str
    finish: Callable[[Stack, str], Awaitable[None]]  # the reviewers' part (nothing when decided by policy)
    status: CaseStatus
    effects: dict[str, int]  # effects the case must cause exactly so often
    baseline: Counter[str] = field(default_factory=Counter)


async def _dropped(stack: Stack, system: str, label: str, store: str, happen: Callable[[], Awaitable[Any]]) -> Any:
    """Make the event `happen` with the sender's own delivery dropped; (what happened, its delivery)."""
    await stack.fault(system=system, operation=label, effect="drop_delivery", store=store)
    before = len(await stack.deliveries(system=system, label=label))
    try:
        made = await happen()

        async def dropped() -> dict[str, Any] | None:
            logged = (await stack.deliveries(system=system, label=label))[before:]
            return next((d for d in logged if d["dropped"]), None)

        found = await eventually(dropped, what=f"the dropped {label} delivery")
    finally:
        await stack.http.delete(f"{stack.sandbox_url}/_sandbox/faults", params={"store": store})
    return made, Delivery(str(found["url"]), str(found["body"]).encode(), dict(found["headers"]))


def _signed_event(stack: Stack, path: str, body: dict[str, Any]) -> Delivery:
    raw = json.dumps(body).encode()
    delivery_id, at = f"msg_{uuid.uuid4().hex}", int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Casebridge-Source": WAREHOUSE_SOURCE,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(at),
        "webhook-signature": sign(WAREHOUSE_SECRET, delivery_id, at, raw),
    }
    return Delivery(f"{stack.shim_url}{path}", raw, headers)


def _reviewed(outcome: str) -> Callable[[Stack, str], Awaitable[None]]:
    async def finish(stack: Stack, case_id: str) -> None:
        await decide(stack.opentext, await stack.open_task_id(case_id, timeout=30), outcome)

    return finish


def _cancelled_by(team: str, *teams: str) -> Callable[[Stack, str], Awaitable[None]]:
    """A fulfillment exception: once every team's task is open, `team` cancels the order."""

    async def finish(stack: Stack, case_id: str) -> None:
        tasks = await open_tasks(stack, case_id, {team, *teams})
        await decide(stack.opentext, tasks[team], "cancel-order")

    return finish


async def _by_policy(stack: Stack, case_id: str) -> None:
    """Decided by the store's policy: nobody reviews."""


HELD_AND_RELEASED = {"hold_placed": 1, "hold_released": 1, "order_cancelled": 0}


# -- the events, per platform -----------------------------------------------------------------------


async def shopify_order_created(stack: Stack) -> Event:
    order, delivery = await _dropped(
        stack, "shopify", "orders/create", SHOP, lambda: stack.create_order(SHOP, unit_price="1500.00")
    )
    order_id = order.legacy_resource_id
    return Event(
        delivery,
        ORDER_REVIEW.case_id("shopify", SHOP, order_id),
        "shopify",
        SHOP,
        order_id,
        _reviewed("approved"),
        CaseStatus.APPROVED,
        HELD_AND_RELEASED,
    )


async def shopify_return_requested(stack: Stack) -> Event:
    order = await shipped_order(stack, unit_price="25.00")
    ret, delivery = await _dropped(
        stack, "shopify", "returns/request", SHOP, lambda: request_return(stack, order, "STYLE")
    )
    return Event(
        delivery,
        RETURN_CASE.case_id("shopify", SHOP, ret.id.rsplit("/", 1)[-1]),
        "shopify",
        SHOP,
        order.legacy_resource_id,
        _by_policy,
        CaseStatus.APPROVED,
        {"return_approved": 1, "refund_created": 1},
    )


async def shopify_hold_placed(stack: Stack) -> Event:
    order = await stack.create_order(SHOP, unit_price="64.00")
    _, delivery = await _dropped(
        stack,
        "shopify",
        "fulfillment_orders/placed_on_hold",
        SHOP,
        lambda: stack.shop(SHOP).hold_fulfillment_order(
            order.fulfillment_orders[0].id, reason="INVENTORY_OUT_OF_STOCK", reason_notes="3PL: none", handle="3pl"
        ),
    )
    return Event(
        delivery,
        FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id),
        "shopify",
        SHOP,
        order.legacy_resource_id,
        _cancelled_by("warehouse", "customer-service"),
        CaseStatus.REJECTED,
        {"order_cancelled": 1},
    )


async def shopify_warehouse_report(stack: Stack) -> Event:
    order = await stack.create_order(SHOP, unit_price="120.00")
    event = report(order.legacy_resource_id, "inventory_shortage")
    return Event(
        _signed_event(stack, "/events/fulfillment-exception", event),
        FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id),
        "shopify",
        SHOP,
        order.legacy_resource_id,
        _cancelled_by("warehouse", "customer-service"),
        CaseStatus.REJECTED,
        {"hold_placed": 1, "order_cancelled": 1},
    )


async def bigcommerce_order_created(stack: Stack) -> Event:
    order, delivery = await _dropped(
        stack, "bigcommerce", "store/order/created", BC_FLOW_STORE, lambda: seed_order(stack, "1750.00")
    )
    return Event(
        delivery,
        ORDER_REVIEW.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        _reviewed("approved"),
        CaseStatus.APPROVED,
        HELD_AND_RELEASED,
    )


async def bigcommerce_order_declined(stack: Stack) -> Event:
    order = await seed_order(stack, "77.00")
    bigcommerce = stack.connections.bigcommerce(BC_FLOW_STORE)
    _, delivery = await _dropped(
        stack,
        "bigcommerce",
        "store/order/statusUpdated",
        BC_FLOW_STORE,
        lambda: bigcommerce.set_status(order["id"], 6),  # Declined
    )
    return Event(
        delivery,
        FULFILLMENT_EXCEPTION.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        _cancelled_by("finance", "customer-service"),
        CaseStatus.REJECTED,
        {"order_cancelled": 1, "refund_created": 1},
    )


async def bigcommerce_return_requested(stack: Stack) -> Event:
    order = await paid_order(stack)
    request = return_request(
        order, [{"order_product_id": product_id(order, "Tent"), "quantity": 1, "reason": "defective"}]
    )
    raw = json.dumps(request).encode()
    return Event(
        Delivery(f"{stack.shim_url}/events/return-request", raw, signed_headers(raw)),
        bigcommerce_return_case(request),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        _reviewed("refund"),
        CaseStatus.APPROVED,
        {"refund_created": 1},
    )


async def bigcommerce_warehouse_report(stack: Stack) -> Event:
    order = await seed_order(stack, "96.00")
    event = report(str(order["id"]), "payment_exception", platform="bigcommerce", store=BC_FLOW_STORE)
    return Event(
        _signed_event(stack, "/events/fulfillment-exception", event),
        FULFILLMENT_EXCEPTION.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        _cancelled_by("finance", "customer-service"),
        CaseStatus.REJECTED,
        {"hold_placed": 1, "order_cancelled": 1, "refund_created": 1},
    )


async def adobe_order_placed(stack: Stack) -> Event:
    order, delivery = await _dropped(
        stack, "adobe-commerce", ADOBE_PLACED, ADOBE_STORE, lambda: place_order(stack, "1500.00")
    )
    return Event(
        delivery,
        ORDER_REVIEW.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"])),
        "adobe-commerce",
        ADOBE_STORE,
        str(order["entity_id"]),
        _reviewed("approved"),
        CaseStatus.APPROVED,
        HELD_AND_RELEASED,
    )


async def adobe_order_backordered(stack: Stack) -> Event:
    kettles = {"sku": "KETTLE-1", "name": "Kettle", "price": "30.00", "qty": 3, "qty_backordered": 2}
    order, delivery = await _dropped(
        stack, "adobe-commerce", ADOBE_PLACED, ADOBE_STORE, lambda: place_order(stack, "30.00", items=[kettles])
    )
    return Event(
        delivery,
        FULFILLMENT_EXCEPTION.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"])),
        "adobe-commerce",
        ADOBE_STORE,
        str(order["entity_id"]),
        _cancelled_by("warehouse", "customer-service"),
        CaseStatus.REJECTED,
        {"hold_placed": 1, "order_cancelled": 1},
    )


async def adobe_rma_requested(stack: Stack) -> Event:
    order = await invoiced_order(stack)
    rma, delivery = await _dropped(
        stack, "adobe-commerce", RMA_SAVED, ADOBE_STORE, lambda: request_rma(stack, order, "TENT-1", 1, "Broken")
    )
    return Event(
        delivery,
        RETURN_CASE.case_id("adobe-commerce", ADOBE_STORE, str(rma.entity_id)),
        "adobe-commerce",
        ADOBE_STORE,
        str(order["entity_id"]),
        _reviewed("refund"),
        CaseStatus.APPROVED,
        {"return_approved": 1, "refund_created": 1},
    )


async def adobe_warehouse_report(stack: Stack) -> Event:
    order = await place_order(stack, "45.00")
    event = report(str(order["entity_id"]), "inventory_shortage", platform="adobe-commerce", store=ADOBE_STORE)
    return Event(
        _signed_event(stack, "/events/fulfillment-exception", event),
        FULFILLMENT_EXCEPTION.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"])),
        "adobe-commerce",
        ADOBE_STORE,
        str(order["entity_id"]),
        _cancelled_by("warehouse", "customer-service"),
        CaseStatus.REJECTED,
        {"hold_placed": 1, "order_cancelled": 1},
    )


EVENTS: list[Callable[[Stack], Awaitable[Event]]] = [
    shopify_order_created,
    shopify_return_requested,
    shopify_hold_placed,
    shopify_warehouse_report,
    bigcommerce_order_created,
    bigcommerce_order_declined,
    bigcommerce_return_requested,
    bigcommerce_warehouse_report,
    adobe_order_placed,
    adobe_order_backordered,
    adobe_rma_requested,
    adobe_warehouse_report,
]


# -- delivering and checking ------------------------------------------------------------------------


async def deliver(stack: Stack, delivery: Delivery) -> str:
    """Post the delivery as its sender does: again after a 503 (the sender's retry), until answered."""
    backoff = 0.2
    for _ in range(8):
        answer: httpx.Response = await stack.http.post(delivery.url, content=delivery.body, headers=delivery.headers)
        if answer.status_code != 503:
            assert answer.status_code == 200, answer.text
            return str(answer.json()["result"])
        await asyncio.sleep(backoff)  # the sender's back-off, not a wait for a condition
        backoff *= 2
    raise AssertionError(f"{delivery.url} answered 503 every time")


def on_another_replica(stack: Stack) -> None:
    """The shim forgets the deliveries it answered, as a replica that never saw them would."""
    assert stack.shim_app is not None
    deps: ShimDeps = stack.shim_app.state.deps
    deps.bigcommerce_deliveries = DeliveryMemory()
    deps.adobe_deliveries = DeliveryMemory()
    deps.event_deliveries = DeliveryMemory()


async def counts(stack: Stack, event: Event) -> Counter[str]:
    """The event's order's effects by kind, tags by name and OpenText processes and tasks by kind."""
    mine = await stack.effects(system=event.system, store=event.store, order=event.order)
    found = Counter(e["kind"] for e in mine)
    found.update(f"tag {e['ref']}" for e in mine if e["kind"] == "tag_added")
    opentext = await stack.effects(system="opentext-workflow", store=TENANT_ID)
    mine = [e for e in opentext if e["order"].startswith(event.case_id)]
    # A process per review (business key: the case id, or the case id and the team); tasks counted
    # per process, since each process has one task at a time.
    found.update(f"opentext {e['kind']} {e['order']}" for e in mine if e["kind"] == "process_started")
    found.update(f"opentext {e['kind']}" for e in mine)
    return found


async def closed(stack: Stack, event: Event) -> CaseResult:
    handle = stack.client.get_workflow_handle(event.case_id, result_type=CaseResult)
    return await asyncio.wait_for(handle.result(), timeout=60)


async def assert_once(stack: Stack, event: Event, answers: list[str]) -> None:
    assert set(answers) <= HANDLED, answers
    assert answers.count("started") <= 1, answers
    result = await closed(stack, event)
    assert result.status is event.status, result.detail

    async def runs() -> list[str]:
        listed = [e async for e in stack.client.list_workflows(f'WorkflowId = "{event.case_id}"')]
        return [e.run_id for e in listed] if listed and all(e.close_time for e in listed) else []

    assert len(await eventually(runs, what=f"visibility to list {event.case_id} closed")) == 1
    # The same report joining its own case by signal is known again, not a second report.
    trail = [entry.event for entry in await stack.audit(event.case_id)]
    assert "further exception reported" not in trail, trail
    caused = await counts(stack, event) - event.baseline
    for kind, want in event.effects.items():
        assert caused[kind] == want, f"{kind}: {caused[kind]} != {want} ({dict(caused)})"
    once = ("tag ", "opentext process_started ")
    twice = {k: n for k, n in caused.items() if n > 1 and (k in ONCE_KINDS or k.startswith(once))}
    assert twice == {}, twice
    # One task per process (one review, or one per team): a second start would show here.
    assert caused["opentext task_created"] == caused["opentext process_started"], dict(caused)


@pytest.mark.parametrize("make", EVENTS, ids=[e.__name__ for e in EVENTS])
async def test_three_deliveries_at_once_make_one_case(stack: Stack, make: Callable[[Stack], Awaitable[Event]]) -> None:
    event = await make(stack)
    event.baseline = await counts(stack, event)
    answers = list(await asyncio.gather(*(deliver(stack, event.delivery) for _ in range(3))))
    await stack.case_started(event.case_id)
    await event.finish(stack, event.case_id)
    await assert_once(stack, event, answers)


@pytest.mark.parametrize("make", EVENTS, ids=[e.__name__ for e in EVENTS])
async def test_three_deliveries_in_turn_make_one_case(stack: Stack, make: Callable[[Stack], Awaitable[Event]]) -> None:
    """The second while the case runs, the third after it closed, to a shim replica that never saw
    the first two (what it knows of the event, it must learn from Temporal)."""
    event = await make(stack)
    event.baseline = await counts(stack, event)
    answers = [await deliver(stack, event.delivery)]
    await stack.case_started(event.case_id)
    answers.append(await deliver(stack, event.delivery))
    await event.finish(stack, event.case_id)
    await closed(stack, event)
    on_another_replica(stack)
    late = await deliver(stack, event.delivery)
    assert late in HANDLED - {"started", "accepted"}, late
    await assert_once(stack, event, [*answers, late])
