"""Order review on BigCommerce end to end: orders seeded in the simulator, signed Standard Webhooks
delivered to the shim through hooks registered with `POST /v3/hooks`, cases on the real Temporal
dev server (store activities on the store's rate-limited queue), reviewers acting through the
OpenText Workflow API, effects asserted in the simulator over HTTP."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal
from typing import Any

from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import Platform, store_task_queue
from connectors.bigcommerce.webhooks import sign
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import BC_FLOW_STORE, SECRETS
from tests.test_order_review_flow import decide
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW

SECRET = SECRETS["BIGCOMMERCE_CLIENT_SECRET"]


def case_of(order_id: int) -> str:
    return ORDER_REVIEW.case_id("bigcommerce", BC_FLOW_STORE, str(order_id))


def admin_url(stack: Stack, path: str = "") -> str:
    return f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}{path}"


async def seed_order(stack: Stack, price: str, *, country: str = "US") -> dict[str, Any]:
    """A paid storefront order (status 11, card payment): the simulator sends store/order/created."""
    address = {
        "first_name": "Bea",
        "last_name": "Buyer",
        "street_1": "1 Test Way",
        "city": "Austin",
        "zip": "78751",
        "country": "United States",
        "country_iso2": country,
        "email": f"buyer-{uuid.uuid4().hex[:8]}@example.test",
    }
    response = await stack.http.post(
        admin_url(stack, "/orders"),
        json={
            "billing_address": address,
            "products": [{"name": "Espresso machine", "quantity": 1, "price_inc_tax": price, "price_ex_tax": price}],
        },
    )
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def sandbox_order(stack: Stack, order_id: int) -> dict[str, Any]:
    response = await stack.http.get(admin_url(stack, f"/orders/{order_id}"))
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    webhook_id = f"msg_{uuid.uuid4().hex}"
    timestamp = int(time.time()) if at is None else at
    return {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, webhook_id, timestamp, body),
    }


def payload(scope: str, order_id: int, *, store: str = BC_FLOW_STORE, **data: Any) -> bytes:
    document = {
        "created_at": int(time.time()),
        "store_id": "1001234567",
        "producer": f"stores/{store}",
        "scope": scope,
        "hash": uuid.uuid4().hex,
        "data": {"type": "order", "id": order_id, **data},
    }
    return json.dumps(document, separators=(",", ":")).encode()


async def post_webhook(stack: Stack, body: bytes, headers: dict[str, str]) -> Any:
    return await stack.http.post(f"{stack.shim_url}/webhooks/bigcommerce", content=body, headers=headers)


async def in_review(stack: Stack, order: dict[str, Any]) -> tuple[str, str]:
    case_id = case_of(order["id"])
    await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    return case_id, task_id


async def test_approved_order_is_held_then_restored(stack: Stack) -> None:
    order = await seed_order(stack, "1200.00")
    assert order["status_id"] == 11
    case_id, task_id = await in_review(stack, order)

    held = await sandbox_order(stack, order["id"])
    assert held["status_id"] == 12  # Manual Verification Required
    assert "Casebridge: held for review" in held["staff_notes"]
    task = await stack.opentext.get_task(task_id)
    assert any(a.group == "order-review" for a in task.assignments)

    await decide(stack.opentext, task_id, "approved")
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.handle(case_id), "order_review_bigcommerce_approved")
    released = await sandbox_order(stack, order["id"])
    assert released["status_id"] == 11  # the status before the hold
    assert "Casebridge: approved" in released["staff_notes"]
    assert released["refunds"] == []
    # Every BigCommerce call went through the store's rate-limited queue, not the cases' queue.
    store = stack.registry.store(Platform.BIGCOMMERCE, BC_FLOW_STORE)
    assert store is not None
    queues = {
        event.activity_task_scheduled_event_attributes.task_queue.name
        for event in (await stack.handle(case_id).fetch_history()).events
        if event.activity_task_scheduled_event_attributes.activity_type.name.startswith("bigcommerce.")
    }
    assert queues == {store_task_queue(stack.settings.task_queue, store)}


async def test_rejected_order_is_cancelled_and_refunded_once(stack: Stack) -> None:
    order = await seed_order(stack, "1500.00")
    case_id, task_id = await in_review(stack, order)

    await decide(stack.opentext, task_id, "rejected")
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.REJECTED
    cancelled = await sandbox_order(stack, order["id"])
    assert cancelled["status_id"] == 5
    assert len(cancelled["refunds"]) == 1
    refund = cancelled["refunds"][0]
    assert Decimal(str(refund["total_amount"])) == Decimal(str(order["total_inc_tax"])) == Decimal("1500.00")
    assert [p["provider_id"] for p in refund["payments"]] == ["braintree"]
    assert "Rejected in Casebridge order review" in cancelled["staff_notes"]
    # Our own status-5 write came back as statusUpdated: the case knew it for its own.
    trail = await stack.audit(case_id)
    assert not any(e.event == "status CANCELLED" for e in trail)


def _of(order: dict[str, Any], delivery: dict[str, Any]) -> bool:
    """Whether the delivery is about this order of the flow store (stores number orders alike)."""
    body = str(delivery["body"])
    return f'"id":{order["id"]}' in body and f'"producer":"stores/{BC_FLOW_STORE}"' in body


async def test_small_order_starts_no_case(stack: Stack) -> None:
    order = await seed_order(stack, "40.00")

    async def answered() -> list[dict[str, Any]]:
        deliveries = await stack.deliveries(system="bigcommerce", label="store/order/created")
        return [d for d in deliveries if _of(order, d) and d["delivered"]]

    delivery = (await eventually(answered, what="store/order/created delivery"))[0]
    assert delivery["attempts"][-1]["status_code"] == 200
    try:
        await stack.handle(case_of(order["id"])).describe()
    except RPCError as err:
        assert err.status is RPCStatusCode.NOT_FOUND
    else:
        raise AssertionError("a small order must not open a case")


async def test_shim_refuses_bad_deliveries(stack: Stack) -> None:
    body = payload("store/order/created", 990001)

    bad = await post_webhook(stack, body, signed(body, secret="not-the-client-secret"))
    assert bad.status_code == 401
    stale = await post_webhook(stack, body, signed(body, at=int(time.time()) - 3600))
    assert stale.status_code == 401
    assert stale.json()["detail"] == "invalid signature"  # why is for our log, not the sender
    unsigned = await post_webhook(stack, body, {"Content-Type": "application/json"})
    assert unsigned.status_code == 401

    elsewhere = payload("store/order/created", 990001, store="nosuchstore")
    unknown = await post_webhook(stack, elsewhere, signed(elsewhere))
    assert (unknown.status_code, unknown.json()) == (bad.status_code, bad.json())  # no hint which stores exist

    not_json = b"{not json"
    assert (await post_webhook(stack, not_json, signed(not_json))).status_code == 400
    no_producer = json.dumps({"scope": "store/order/created"}).encode()
    assert (await post_webhook(stack, no_producer, signed(no_producer))).status_code == 422
    missing = json.dumps({"producer": f"stores/{BC_FLOW_STORE}", "scope": "store/order/created"}).encode()
    refused = await post_webhook(stack, missing, signed(missing))
    assert refused.status_code == 422
    assert "data" in refused.json()["detail"]

    # Authentic deliveries that need nothing: another scope, and a cancellation without a case.
    other = payload("store/order/updated", 990001)
    assert (await post_webhook(stack, other, signed(other))).json()["result"] == "ignored"
    cancel = payload("store/order/statusUpdated", 990001, status={"previous_status_id": 11, "new_status_id": 5})
    assert (await post_webhook(stack, cancel, signed(cancel))).json()["result"] == "no-open-case"
    try:
        await stack.handle(case_of(990001)).describe()
    except RPCError as err:
        assert err.status is RPCStatusCode.NOT_FOUND
    else:
        raise AssertionError("no refused delivery may open a case")


async def test_duplicate_delivery_makes_one_case(stack: Stack) -> None:
    order = await seed_order(stack, "1750.00")
    case_id = case_of(order["id"])
    await stack.case_started(case_id)

    async def first_delivery() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="bigcommerce", label="store/order/created"):
            if _of(order, d) and d["delivered"]:
                return d
        return None

    delivery = await eventually(first_delivery, what="the store/order/created delivery")
    body = str(delivery["body"]).encode()
    # The same delivery again (same webhook-id), then the same event as a new delivery.
    replay = await post_webhook(stack, body, dict(delivery["headers"]))
    assert replay.status_code == 200
    assert (replay.json()["result"], replay.json()["case_id"]) == ("duplicate", case_id)
    again = await post_webhook(stack, body, signed(body))
    assert (again.json()["result"], again.json()["case_id"]) == ("duplicate", case_id)

    async def runs() -> list[str]:
        return [e.run_id async for e in stack.client.list_workflows(f'WorkflowId = "{case_id}"')]

    assert len(await eventually(runs, what="visibility to list the case")) == 1


async def test_store_cancellation_withdraws_the_review(stack: Stack) -> None:
    order = await seed_order(stack, "1300.00")
    case_id, _ = await in_review(stack, order)
    view = await stack.view(case_id)
    assert view.review_process_id is not None

    # The merchant cancels in BigCommerce (status 5 through the API): statusUpdated reaches the shim.
    await stack.connections.bigcommerce(BC_FLOW_STORE).cancel_order(order["id"])
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.CANCELLED
    await keep_history(stack.handle(case_id), "order_review_bigcommerce_store-cancelled")
    process = await stack.opentext.get_process(view.review_process_id, include_variables=False)
    assert process.ended
    assert await stack.opentext.list_tasks(process_instance_id=view.review_process_id) == []
    after = await sandbox_order(stack, order["id"])
    assert after["status_id"] == 5  # not "released" back to 11
    assert after["refunds"] == []


async def test_refused_refund_parks_case_until_operator_retries(stack: Stack) -> None:
    order = await seed_order(stack, "2000.00")
    case_id, task_id = await in_review(stack, order)
    await stack.fault(
        system="bigcommerce",
        operation="POST /v3/orders/{order_id}/payment_actions/refunds",
        effect="user_error",
        message="The payment gateway declined the refund",
    )

    await decide(stack.opentext, task_id, "rejected")
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    assert parked.attention.step == "refund payment"
    assert "declined the refund" in parked.attention.reason
    cancelled = await sandbox_order(stack, order["id"])
    assert cancelled["status_id"] == 5
    assert cancelled["refunds"] == []

    await stack.handle(case_id).signal("retry", {"operator": "olga", "note": "gateway fixed"})
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.REJECTED
    await keep_history(stack.handle(case_id), "order_review_bigcommerce_refund-refused-retry")
    refunded = await sandbox_order(stack, order["id"])
    assert len(refunded["refunds"]) == 1
    assert Decimal(str(refunded["refunds"][0]["total_amount"])) == Decimal("2000.00")
    trail = await stack.audit(case_id)
    assert any(e.event == "operator retry" and e.actor == "olga" for e in trail)
