"""Order review on Adobe Commerce end to end: orders placed in the simulator, Adobe I/O Events
deliveries (RSA-signed, registered after the shim answered the challenge) reaching the shim, cases
on the real Temporal dev server, reviewers acting through the OpenText Workflow API, and the effects
asserted in the simulator over HTTP: order state, hold, comments, credit memos, company credit."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from temporalio.service import RPCError, RPCStatusCode

from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE
from tests.test_order_review_flow import decide
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW

ORDER_PLACED = "com.adobe.commerce.observer.sales_order_place_after"
ORDER_SAVED = "com.adobe.commerce.observer.sales_order_save_commit_after"


def case_of(order_id: int) -> str:
    return ORDER_REVIEW.case_id("adobe-commerce", ADOBE_STORE, str(order_id))


def admin_url(stack: Stack, path: str = "") -> str:
    return f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}{path}"


async def admin(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = await stack.http.request(method, admin_url(stack, path), json=body)
    response.raise_for_status()
    return response.json()


async def place_order(stack: Stack, price: str, *, qty: int = 1, **spec: Any) -> dict[str, Any]:
    """An order as the storefront places it: the simulator publishes `sales_order_place_after`."""
    order: dict[str, Any] = await admin(
        stack,
        "POST",
        "/orders",
        {
            "items": [{"sku": "ESPRESSO-1", "name": "Espresso machine", "price": price, "qty": qty}],
            "customer_email": f"buyer-{uuid.uuid4().hex[:8]}@example.test",
            **spec,
        },
    )
    return order


async def sandbox_order(stack: Stack, order_id: int) -> dict[str, Any]:
    order: dict[str, Any] = await admin(stack, "GET", f"/orders/{order_id}")
    return order


async def credit_memos(stack: Stack, order_id: int) -> list[dict[str, Any]]:
    state = await admin(stack, "GET", "/state")
    return [m for m in state["credit_memos"] if m["order_id"] == order_id]


def comments(order: dict[str, Any]) -> list[str]:
    return [h["comment"] for h in order["status_histories"]]


async def in_review(stack: Stack, order: dict[str, Any]) -> tuple[str, str]:
    case_id = case_of(order["entity_id"])
    await stack.case_started(case_id)
    return case_id, await stack.open_task_id(case_id)


async def delivery_of(stack: Stack, event_type: str, order_id: int, **value: Any) -> dict[str, Any]:
    """The sandbox's record of the event delivered to the shim for this order."""

    async def find() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="adobe-commerce", label=event_type):
            body = json.loads(d["body"])
            fields = body["data"]["value"]
            if fields["entity_id"] == order_id and d["delivered"] and all(fields.get(k) == v for k, v in value.items()):
                return d
        return None

    return await eventually(find, what=f"{event_type} delivery for order {order_id}")


async def no_case(stack: Stack, case_id: str) -> None:
    try:
        await stack.handle(case_id).describe()
    except RPCError as err:
        assert err.status is RPCStatusCode.NOT_FOUND
    else:
        raise AssertionError(f"{case_id} must not exist")


async def test_approved_order_is_held_then_released(stack: Stack) -> None:
    order = await place_order(stack, "1200.00")
    assert order["state"] == "new"
    case_id, task_id = await in_review(stack, order)

    held = await sandbox_order(stack, order["entity_id"])
    assert held["state"] == "holded"
    assert any("Casebridge: held for review" in c and "order total" in c for c in comments(held))

    await decide(stack.opentext, task_id, "approved")
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.handle(case_id), "order_review_adobe_approved")
    released = await sandbox_order(stack, order["entity_id"])
    assert (released["state"], released["status"]) == ("new", "pending")  # as before the hold
    assert sum("Casebridge: approved" in c for c in comments(released)) == 1
    assert await credit_memos(stack, order["entity_id"]) == []


async def test_rejected_invoiced_order_gets_one_credit_memo(stack: Stack) -> None:
    order = await place_order(stack, "1500.00", invoiced=True, shipping_amount="20.00")
    assert (order["state"], order["total_paid"]) == ("processing", 1520.0)
    case_id, task_id = await in_review(stack, order)

    await decide(stack.opentext, task_id, "rejected")
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.REJECTED
    await keep_history(stack.handle(case_id), "order_review_adobe_rejected")
    memos = await credit_memos(stack, order["entity_id"])
    assert len(memos) == 1
    assert Decimal(str(memos[0]["grand_total"])) == Decimal("1520.00")
    closed = await sandbox_order(stack, order["entity_id"])
    assert closed["state"] == "closed"  # fully refunded: nothing was left to cancel
    assert closed["total_refunded"] == 1520.0
    assert any("Rejected in Casebridge order review" in c for c in comments(closed))
    assert "credit memo" in result.detail


async def test_rejected_unpaid_order_is_cancelled(stack: Stack) -> None:
    order = await place_order(stack, "1100.00")
    case_id, task_id = await in_review(stack, order)

    await decide(stack.opentext, task_id, "rejected")
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.REJECTED
    cancelled = await sandbox_order(stack, order["entity_id"])
    assert cancelled["state"] == "canceled"
    assert await credit_memos(stack, order["entity_id"]) == []
    # Our own cancel came back as an order-saved event in state canceled: the case knew it.
    await delivery_of(stack, ORDER_SAVED, order["entity_id"], state="canceled")
    trail = await stack.audit(case_id)
    assert not any(e.event == "status CANCELLED" for e in trail)


async def test_company_order_beyond_its_credit_limit_is_reviewed(stack: Stack) -> None:
    company = await admin(
        stack,
        "POST",
        "/companies",
        {
            "company_name": "Acme Wholesale",
            "company_email": f"acme-{uuid.uuid4().hex[:8]}@example.test",
            "city": "Austin",
            "country_id": "US",
            "postcode": "78701",
            "telephone": "555-0100",
            "street": ["1 Market Street"],
            "customer_group_id": 1,
            "sales_representative_id": 1,
            "super_user_id": 42,
        },
    )
    adobe = stack.connections.adobe_commerce(ADOBE_STORE)
    await adobe.b2b.set_credit_limit(company["id"], Decimal(500), exceed_limit=True)

    # Within the limit: a small order on account opens no case.
    within = await place_order(stack, "300.00", company_id=company["id"], payment_method="companycredit")
    await delivery_of(stack, ORDER_PLACED, within["entity_id"])
    await no_case(stack, case_of(within["entity_id"]))

    # The next one takes the company 450 beyond its limit (500 - 300 - 650 = -450).
    beyond = await place_order(stack, "650.00", company_id=company["id"], payment_method="companycredit")
    case_id, task_id = await in_review(stack, beyond)
    view = await stack.view(case_id)
    assert view.review_process_id is not None
    process = await stack.opentext.get_process(view.review_process_id)
    assert process.variable("reasons") == "company credit limit exceeded by 450.00 USD"

    await decide(stack.opentext, task_id, "rejected")
    result = await stack.handle(case_id).result()
    assert result.status is CaseStatus.REJECTED
    # Cancelling an order paid on account gives the company its credit back.
    credit = await adobe.b2b.get_credit(company["id"])
    assert credit.available_limit == Decimal(200)


async def test_address_mismatch_and_large_basket_are_reasons(stack: Stack) -> None:
    elsewhere = {"country_id": "CA", "city": "Toronto", "postcode": "M5H 2N2", "region": "Ontario"}
    mismatch = await place_order(stack, "80.00", shipping_address=elsewhere)
    basket = await place_order(stack, "2.00", qty=60)
    plain = await place_order(stack, "80.00")

    for order, reason in ((mismatch, "billing and shipping address differ"), (basket, "large basket: 60 units")):
        case_id, task_id = await in_review(stack, order)
        view = await stack.view(case_id)
        assert view.review_process_id is not None
        process = await stack.opentext.get_process(view.review_process_id)
        assert reason in str(process.variable("reasons"))
        await decide(stack.opentext, task_id, "approved")
        assert (await stack.handle(case_id).result()).status is CaseStatus.APPROVED
    await delivery_of(stack, ORDER_PLACED, plain["entity_id"])
    await no_case(stack, case_of(plain["entity_id"]))


async def test_store_cancellation_withdraws_the_review(stack: Stack) -> None:
    order = await place_order(stack, "1300.00")
    case_id, _ = await in_review(stack, order)
    view = await stack.view(case_id)
    assert view.review_process_id is not None

    # The merchant releases the hold and cancels the order in the Commerce admin.
    sales = stack.connections.adobe_commerce(ADOBE_STORE).sales
    await sales.unhold_order(order["entity_id"])
    await sales.cancel_order(order["entity_id"])
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.CANCELLED
    process = await stack.opentext.get_process(view.review_process_id, include_variables=False)
    assert process.ended
    after = await sandbox_order(stack, order["entity_id"])
    assert after["state"] == "canceled"


async def test_refused_credit_memo_parks_case_until_operator_retries(stack: Stack) -> None:
    order = await place_order(stack, "2000.00", invoiced=True)
    case_id, task_id = await in_review(stack, order)
    await stack.fault(
        system="adobe-commerce",
        operation="POST /V1/order/{orderId}/refund",
        effect="user_error",
        message="The payment method does not allow a refund right now.",
    )

    await decide(stack.opentext, task_id, "rejected")
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    assert parked.attention.step == "refund invoiced amount"
    assert "does not allow a refund" in parked.attention.reason
    assert await credit_memos(stack, order["entity_id"]) == []

    await stack.handle(case_id).signal("retry", {"operator": "olga", "note": "fixed"})
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.REJECTED
    memos = await credit_memos(stack, order["entity_id"])
    assert [Decimal(str(m["grand_total"])) for m in memos] == [Decimal("2000.00")]


async def test_shim_verifies_and_dedupes_io_events(stack: Stack) -> None:
    url = f"{stack.shim_url}/webhooks/adobe-commerce"
    # Registration challenge, both ways Adobe sends it.
    echoed = await stack.http.get(url, params={"challenge": "c-123"})
    assert (echoed.status_code, echoed.text) == (200, "c-123")
    posted = await stack.http.post(url, json={"challenge": "c-456"})
    assert (posted.status_code, posted.json()) == (200, {"challenge": "c-456"})

    order = await place_order(stack, "1400.00")
    case_id, task_id = await in_review(stack, order)
    delivery = await delivery_of(stack, ORDER_PLACED, order["entity_id"])
    body, headers = str(delivery["body"]).encode(), dict(delivery["headers"])

    replay = await stack.http.post(url, content=body, headers=headers)
    assert (replay.status_code, replay.json()["result"], replay.json()["case_id"]) == (200, "duplicate", case_id)

    tampered = body.replace(b'"increment_id":"', b'"increment_id":"9', 1)
    assert tampered != body
    refused = await stack.http.post(url, content=tampered, headers=headers)
    assert refused.status_code == 401
    unsigned = {k: v for k, v in headers.items() if not k.lower().startswith("x-adobe-digital-signature")}
    assert (await stack.http.post(url, content=body, headers=unsigned)).status_code == 401
    forged_key = headers | {"x-adobe-public-key1-path": "/prod/keys/../../etc/passwd.pem"}
    forged_key.pop("x-adobe-digital-signature-2", None)
    assert (await stack.http.post(url, content=body, headers=forged_key)).status_code == 401

    await decide(stack.opentext, task_id, "approved")
    assert (await stack.handle(case_id).result()).status is CaseStatus.APPROVED


async def test_operator_aborts_a_case_in_review(stack: Stack) -> None:
    order = await place_order(stack, "1900.00")
    case_id, _ = await in_review(stack, order)
    view = await stack.view(case_id)
    assert view.review_process_id is not None
    assert (await sandbox_order(stack, order["entity_id"]))["state"] == "holded"

    await stack.handle(case_id).signal("abort", {"operator": "olga", "note": "duplicate order, handled by phone"})
    result = await stack.handle(case_id).result()

    assert result.status is CaseStatus.ABORTED
    assert (await sandbox_order(stack, order["entity_id"]))["state"] == "new"  # our hold undone
    process = await stack.opentext.get_process(view.review_process_id, include_variables=False)
    assert process.ended
    trail = await stack.audit(case_id)
    assert any(e.event == "operator abort requested" and e.actor == "olga" for e in trail)


async def test_customer_group_plays_the_customer_tag(stack: Stack) -> None:
    vip = await admin(stack, "POST", "/customer-groups", {"code": "VIP"})
    tagged = await place_order(stack, "150.00", customer_group_id=vip["id"], customer_id=7001)
    wholesale = await place_order(stack, "160.00", customer_group_id=2, customer_id=7002)  # Magento's "Wholesale"
    general = await place_order(stack, "170.00", customer_group_id=1, customer_id=7003)

    for order, reason in ((tagged, "customer tagged vip"), (wholesale, "customer tagged wholesale")):
        case_id, task_id = await in_review(stack, order)
        view = await stack.view(case_id)
        assert view.review_process_id is not None
        assert reason in str((await stack.opentext.get_process(view.review_process_id)).variable("reasons"))
        await decide(stack.opentext, task_id, "approved")
        assert (await stack.handle(case_id).result()).status is CaseStatus.APPROVED
    await delivery_of(stack, ORDER_PLACED, general["entity_id"])
    await no_case(stack, case_of(general["entity_id"]))
