"""Returns on BigCommerce end to end: a storefront return form (a configured event source) posts a
signed `POST /events/return-request` to the shim, the shim reads the order from the simulator, the
case runs on the real Temporal dev server (store activities on the store's rate-limited queue),
reviewers act through the OpenText Workflow API, and the effects are asserted in the BigCommerce
simulator over HTTP: refunds with their items and amounts, staff notes."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any, cast

import httpx

from activities.bigcommerce import BigCommerceActivities
from activities.models import LinesRefundRequest, OrderLineUnits
from casebridge.stores import Platform, store_task_queue
from connectors.bigcommerce.models import NewShipment, ShipmentItemRequest
from connectors.standard_webhooks import sign
from routing.policy import return_reason_code
from shim.deps import ShimDeps
from shim.returns import _bigcommerce_shipped_at
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, RETURNS_SOURCE, SECRETS, TENANT_ID, WAREHOUSE_SOURCE
from tests.test_fulfillment_exception import emails_with
from tests.test_order_review_flow import decide
from workflows.messages import CaseStatus
from workflows.return_case import KIND as RETURN_CASE
from workflows.return_case import ReturnCaseResult

SECRET = SECRETS["CASEBRIDGE_RETURNS_FORM_SECRET"]


def admin_url(stack: Stack, path: str = "") -> str:
    return f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}{path}"


async def paid_order(stack: Stack, mug_quantity: int = 2, tent_price: str = "300.00") -> dict[str, Any]:
    """A paid order (status 11) below the order-review limits, so no order case: two mugs, a tent."""
    address = {
        "first_name": "Rita",
        "last_name": "Returner",
        "street_1": "1 Test Way",
        "city": "Austin",
        "zip": "78751",
        "country": "United States",
        "country_iso2": "US",
        "email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
    }
    products = [
        {"name": "Camp Mug", "quantity": mug_quantity, "price_inc_tax": "20.00", "price_ex_tax": "20.00"},
        {"name": "Tent", "quantity": 1, "price_inc_tax": tent_price, "price_ex_tax": tent_price},
    ]
    response = await stack.http.post(
        admin_url(stack, "/orders"), json={"billing_address": address, "products": products}
    )
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def sandbox_order(stack: Stack, order_id: int) -> dict[str, Any]:
    response = await stack.http.get(admin_url(stack, f"/orders/{order_id}"))
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


def product_id(order: dict[str, Any], name: str) -> int:
    return int(next(p["id"] for p in order["products"] if p["name"] == name))


def return_request(order: dict[str, Any], lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "platform": "bigcommerce",
        "store": BC_FLOW_STORE,
        "order_id": str(order["id"]),
        "lines": lines,
        "customer_note": "does not fit",
        "reference": f"RET-{uuid.uuid4().hex[:8]}",
        **extra,
    }


def signed_headers(raw: bytes, *, secret: str = SECRET, source: str = RETURNS_SOURCE) -> dict[str, str]:
    delivery_id, at = f"msg_{uuid.uuid4().hex}", int(time.time())
    return {
        "Content-Type": "application/json",
        "X-Casebridge-Source": source,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(at),
        "webhook-signature": sign(secret, delivery_id, at, raw),
    }


async def post(stack: Stack, body: dict[str, Any] | bytes, **signing: str) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = signed_headers(raw, **signing)
    return await stack.http.post(f"{stack.shim_url}/events/return-request", content=raw, headers=headers)


def case_of(request: dict[str, Any]) -> str:
    return RETURN_CASE.case_id("bigcommerce", BC_FLOW_STORE, f"{RETURNS_SOURCE}:{request['reference']}")


async def started(stack: Stack, request: dict[str, Any]) -> str:
    answer = await post(stack, request)
    for _ in range(5):
        # A 503 means "could not read the store right now, send it again" (its request quota is
        # shared with every app): a return form retries, and so does this test.
        if answer.status_code != 503:
            break
        await asyncio.sleep(1.0)
        answer = await post(stack, request)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "started"
    case_id = case_of(request)
    assert answer.json()["case_id"] == case_id
    return case_id


async def result_of(stack: Stack, case_id: str) -> ReturnCaseResult:
    handle = stack.client.get_workflow_handle(case_id, result_type=ReturnCaseResult)
    result: ReturnCaseResult = await handle.result()
    return result


async def test_small_low_risk_return_is_auto_approved_and_refunded_once(stack: Stack) -> None:
    order = await paid_order(stack)
    mug = product_id(order, "Camp Mug")
    request = return_request(order, [{"order_product_id": mug, "quantity": 1, "reason": "Too small"}])

    result = await result_of(stack, await started(stack, request))

    assert result.status is CaseStatus.APPROVED
    assert result.decision is None  # nobody reviewed it
    assert result.refunded == Decimal("20.00")
    after = await sandbox_order(stack, order["id"])
    [refund] = after["refunds"]
    assert Decimal(str(refund["total_amount"])) == Decimal("20.00")
    assert [(i["item_type"], i["item_id"], i["quantity"]) for i in refund["items"]] == [("PRODUCT", mug, 1)]
    assert f"[casebridge:{case_of(request)}]" in refund["items"][0]["reason"]
    assert "approved" in after["staff_notes"] and request["reference"] in after["staff_notes"]
    # Every BigCommerce call went through the store's rate-limited queue, not the cases' queue.
    store = stack.registry.store(Platform.BIGCOMMERCE, BC_FLOW_STORE)
    assert store is not None
    queues = {
        event.activity_task_scheduled_event_attributes.task_queue.name
        for event in (await stack.client.get_workflow_handle(case_of(request)).fetch_history()).events
        if event.activity_task_scheduled_event_attributes.activity_type.name.startswith("bigcommerce.")
    }
    assert queues == {store_task_queue(stack.settings.task_queue, store)}


async def test_reviewed_return_is_refunded_on_the_reviewers_decision(stack: Stack) -> None:
    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    request = return_request(
        order, [{"order_product_id": tent, "quantity": 1, "reason": "There was a problem with the product"}]
    )
    case_id = await started(stack, request)
    task_id = await stack.open_task_id(case_id)
    task = await stack.opentext.get_task(task_id)
    assert any(a.group == "returns-review" for a in task.assignments)
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []  # nothing before the decision

    await decide(stack.opentext, task_id, "refund")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    await keep_history(stack.client.get_workflow_handle(case_id), "return_bigcommerce_reviewed-refund")
    assert result.decision is not None and result.decision.outcome == "refund"
    [refund] = (await sandbox_order(stack, order["id"]))["refunds"]
    assert Decimal(str(refund["total_amount"])) == Decimal("300.00")
    assert [(i["item_id"], i["quantity"]) for i in refund["items"]] == [(tent, 1)]

    # BigCommerce e-mails no refunds: the customer gets Exstream's refund letter with its reference.
    async def refund_letter() -> list[dict[str, Any]] | None:
        path = f"{stack.sandbox_url}/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge/deliveries"
        listed = (await stack.http.get(path)).json()
        mine = [d for d in listed if (d["documentId"] or "").startswith(f"letter/{case_id}/")]
        return mine or None

    [letter] = await eventually(refund_letter, what="the refund letter")
    assert letter["communication"] == "Refund Letter" and letter["channel"] == "email"


async def test_replacement_is_a_free_offline_order_made_once(stack: Stack) -> None:
    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    request = return_request(order, [{"order_product_id": tent, "quantity": 1, "reason": "Damaged in transit"}])
    case_id = await started(stack, request)
    await decide(stack.opentext, await stack.open_task_id(case_id), "replacement")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []  # a replacement moves no money
    replacement_id = int(result.detail.rsplit("replacement order #", 1)[1].split(" ")[0])
    replacement = await sandbox_order(stack, replacement_id)
    assert replacement["external_order_id"] == f"casebridge-replacement-{case_id}"[:100]
    assert [(p["name"], p["quantity"]) for p in replacement["products"]] == [("Tent", 1)]
    assert Decimal(str(replacement["total_inc_tax"])) == Decimal(0)
    assert replacement["billing_address"]["email"] == order["billing_address"]["email"]
    assert replacement["status_id"] == 11  # Awaiting Fulfillment: ready to ship
    # BigCommerce tells the customer nothing itself: the Return Authorisation Letter announces the
    # replacement, numbers the return and names the item to send back (its SKU read from the order).
    letters = await emails_with(stack, f"#{replacement_id}")
    assert len(letters) == 1
    return_number = f"#{order['id']}-{request['reference']}"
    assert f"Return {return_number} for order {order['id']} is authorised" in letters[0]
    assert "1 x Tent (" in letters[0] and "Camp Mug" not in letters[0]
    assert "write the return number on the parcel" in letters[0]  # the policy's instructions


async def test_rejected_return_gets_a_staff_note_and_no_refund(stack: Stack) -> None:
    order = await paid_order(stack)
    request = return_request(
        order, [{"order_product_id": product_id(order, "Tent"), "quantity": 1, "reason": "Received wrong product"}]
    )
    case_id = await started(stack, request)

    await decide(stack.opentext, await stack.open_task_id(case_id), "reject")
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.REJECTED
    assert result.refunded is None
    after = await sandbox_order(stack, order["id"])
    assert after["refunds"] == []
    assert f"Casebridge: return #{order['id']}-{request['reference']} declined" in after["staff_notes"]
    assert after["status_id"] == 11  # the order itself is left as it was


async def test_refused_refund_parks_the_case_until_an_operator_retries(stack: Stack) -> None:
    order = await paid_order(stack)
    mug = product_id(order, "Camp Mug")
    await stack.fault(
        system="bigcommerce",
        operation="POST /v3/orders/{order_id}/payment_actions/refunds",
        effect="user_error",
        message="The payment gateway declined the refund",
    )
    request = return_request(order, [{"order_product_id": mug, "quantity": 2, "reason": "unwanted"}])
    case_id = await started(stack, request)

    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    assert parked.attention.step == "refund returned lines"
    assert "declined the refund" in parked.attention.reason
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []

    await stack.handle(case_id).signal("retry", {"operator": "olga", "note": "gateway fixed"})
    result = await result_of(stack, case_id)

    assert result.status is CaseStatus.APPROVED
    [refund] = (await sandbox_order(stack, order["id"]))["refunds"]
    assert Decimal(str(refund["total_amount"])) == Decimal("40.00")
    assert any(e.event == "operator retry" and e.actor == "olga" for e in await stack.audit(case_id))


async def test_a_repeated_refund_call_finds_the_first_refund(stack: Stack) -> None:
    """What a retry after a timed-out refund does: the second call pays nothing."""
    order = await paid_order(stack)
    activities = BigCommerceActivities(stack.connections)
    request = LinesRefundRequest(
        store=BC_FLOW_STORE,
        order_ref=str(order["id"]),
        key=f"return/bigcommerce/{BC_FLOW_STORE}/test:{uuid.uuid4().hex[:8]}",
        note="Return test",
        lines=[OrderLineUnits(line_ref=str(product_id(order, "Camp Mug")), quantity=1)],
    )

    first = await activities.refund_lines(request)
    again = await activities.refund_lines(request)

    assert (first.created, again.created) == (True, False)
    assert first.refund_id is not None
    assert again.refund_id == first.refund_id
    assert len((await sandbox_order(stack, order["id"]))["refunds"]) == 1


async def test_duplicate_deliveries_open_one_case(stack: Stack) -> None:
    order = await paid_order(stack)
    request = return_request(
        order, [{"order_product_id": product_id(order, "Tent"), "quantity": 1, "reason": "defective"}]
    )
    raw = json.dumps(request).encode()
    headers = signed_headers(raw)
    url = f"{stack.shim_url}/events/return-request"

    first = await stack.http.post(url, content=raw, headers=headers)
    redelivered = await stack.http.post(url, content=raw, headers=headers)  # same webhook-id
    resent = await post(stack, raw)  # the form sends the same return again, as a new delivery

    assert first.json()["result"] == "started"
    assert (redelivered.status_code, redelivered.json()["result"]) == (200, "duplicate")
    assert (resent.status_code, resent.json()["result"]) == (200, "duplicate")
    case_id = case_of(request)
    assert first.json()["case_id"] == redelivered.json()["case_id"] == resent.json()["case_id"] == case_id
    await decide(stack.opentext, await stack.open_task_id(case_id), "reject")
    assert (await result_of(stack, case_id)).status is CaseStatus.REJECTED


async def test_bad_requests_are_refused_with_reasons(stack: Stack) -> None:
    order = await paid_order(stack, mug_quantity=2)
    mug = product_id(order, "Camp Mug")
    good = return_request(order, [{"order_product_id": mug, "quantity": 1, "reason": "Too small"}])
    raw = json.dumps(good).encode()

    forged = await post(stack, raw, secret="not-the-secret")
    assert forged.status_code == 401 and "signature" in forged.text
    # The warehouse's secret does not sign return requests in the return form's name.
    borrowed = await post(stack, raw, secret=SECRETS["CASEBRIDGE_WAREHOUSE_SECRET"])
    assert borrowed.status_code == 401
    unknown_source = await post(stack, raw, source="someone")
    assert unknown_source.status_code == 401

    # The return form may report about two stores: any other is refused alike, served here or not.
    unknown_store = await post(stack, return_request(order, good["lines"], store="nosuchstore"))
    assert unknown_store.status_code == 403 and "nosuchstore" in unknown_store.text
    unknown_order = await post(stack, return_request(order, good["lines"], order_id="999999"))
    assert unknown_order.status_code == 404 and "999999" in unknown_order.text

    too_many = await post(stack, return_request(order, [{"order_product_id": mug, "quantity": 3, "reason": "x"}]))
    assert too_many.status_code == 422 and "only 2 of 2" in too_many.text
    not_in_order = await post(
        stack, return_request(order, [{"order_product_id": 987654, "quantity": 1, "reason": "x"}])
    )
    assert not_in_order.status_code == 422 and "987654 is not in order" in not_in_order.text
    malformed = await post(
        stack, {"platform": "bigcommerce", "store": BC_FLOW_STORE, "order_id": "abc", "lines": [], "reference": "r"}
    )
    assert malformed.status_code == 422
    assert "order_id" in malformed.text and "lines" in malformed.text
    twice = await post(
        stack,
        return_request(
            order,
            [
                {"order_product_id": mug, "quantity": 1, "reason": "x"},
                {"order_product_id": mug, "quantity": 1, "reason": "y"},
            ],
        ),
    )
    assert twice.status_code == 422 and "only once" in twice.text
    adobe = await post(stack, return_request(order, good["lines"], platform="adobe-commerce", store=ADOBE_STORE))
    assert adobe.status_code == 422 and "arrive from the platform itself" in adobe.text

    assert (await sandbox_order(stack, order["id"]))["refunds"] == []  # nothing refused reached a case


async def test_a_source_is_limited_to_its_stores_and_shopify_returns_come_from_shopify(stack: Stack) -> None:
    """A source is limited to its stores: the return form may not report about the Shopify shop."""
    order = await paid_order(stack)
    body = return_request(
        order, [{"order_product_id": product_id(order, "Camp Mug"), "quantity": 1, "reason": "x"}], platform="shopify"
    )
    body["store"] = "casebridge-test.myshopify.com"
    answer = await post(stack, body)
    assert answer.status_code == 403
    # The warehouse may report about that shop, but returns on Shopify come from Shopify itself.
    by_warehouse = await post(stack, body, secret=SECRETS["CASEBRIDGE_WAREHOUSE_SECRET"], source=WAREHOUSE_SOURCE)
    assert by_warehouse.status_code == 422


def test_platform_reasons_map_to_the_policys_codes() -> None:
    assert return_reason_code("bigcommerce", "  Too   SMALL ") == "SIZE_TOO_SMALL"
    assert return_reason_code("bigcommerce", "Received Wrong Product") == "WRONG_ITEM"
    assert return_reason_code("bigcommerce", "defective") == "DEFECTIVE"
    assert return_reason_code("bigcommerce", "size-too-large") == "SIZE_TOO_LARGE"  # a code itself
    assert return_reason_code("bigcommerce", "my dog chewed it") == "OTHER"  # unknown: reviewed
    assert return_reason_code("adobe-commerce", "Wrong Color") == "COLOR"
    assert return_reason_code("adobe-commerce", "Out of Service") == "DEFECTIVE"
    assert return_reason_code("adobe-commerce", "Wrong Size") == "SIZE_TOO_LARGE"


# --- routing by catalog category (the test policy: electronics = category 901, always reviewed,
# P2Y warranty; garden = 902, declined out of warranty; return window P30D, warranty P1Y) ----------


async def catalog_order(stack: Stack, category_id: int, price: str, days_ago: int) -> dict[str, Any]:
    """A paid order of one catalog product in `category_id`, placed `days_ago` (BigCommerce lets an
    order's `date_created` be set on creation, RFC-2822, to migrate historical orders)."""
    seeded = await stack.http.post(
        admin_url(stack, "/products"),
        json={"name": f"Catalog item {uuid.uuid4().hex[:6]}", "price": price, "categories": [category_id]},
    )
    seeded.raise_for_status()
    address = {
        "first_name": "Rita",
        "last_name": "Returner",
        "street_1": "1 Test Way",
        "city": "Austin",
        "zip": "78751",
        "country": "United States",
        "country_iso2": "US",
        "email": f"returner-{uuid.uuid4().hex[:8]}@example.test",
    }
    created = format_datetime(datetime.now(UTC) - timedelta(days=days_ago))
    response = await stack.http.post(
        admin_url(stack, "/orders"),
        json={
            "billing_address": address,
            "products": [{"product_id": seeded.json()["id"], "quantity": 1}],
            "date_created": created,
        },
    )
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def review_variables(stack: Stack, case_id: str) -> dict[str, object]:
    await stack.open_task_id(case_id)
    process_id = (await stack.view(case_id)).review_process_id
    assert process_id is not None
    return (await stack.opentext.get_process(process_id)).variable_values


async def test_small_return_in_an_always_reviewed_category_is_reviewed(stack: Stack) -> None:
    order = await catalog_order(stack, 901, "20.00", days_ago=2)
    [line] = order["products"]
    request = return_request(order, [{"order_product_id": line["id"], "quantity": 1, "reason": "Changed my mind"}])
    case_id = await started(stack, request)

    variables = await review_variables(stack, case_id)
    assert "category electronics is always reviewed" in str(variables["reasons"])
    assert variables["productCategories"] == "901"
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []  # not auto-approved
    await decide(stack.opentext, await stack.open_task_id(case_id), "reject")
    assert (await result_of(stack, case_id)).status is CaseStatus.REJECTED


async def test_defective_after_the_window_inside_the_warranty_is_a_warranty_claim(stack: Stack) -> None:
    order = await catalog_order(stack, 555, "60.00", days_ago=90)
    [line] = order["products"]
    request = return_request(order, [{"order_product_id": line["id"], "quantity": 1, "reason": "Defective"}])
    case_id = await started(stack, request)

    variables = await review_variables(stack, case_id)
    assert variables["warrantyClaim"] is True and variables["warrantyStatus"] == "warranty-claim"
    assert "warranty claim" in str(variables["reasons"])
    await decide(stack.opentext, await stack.open_task_id(case_id), "refund")
    result = await result_of(stack, case_id)
    assert result.status is CaseStatus.APPROVED
    [refund] = (await sandbox_order(stack, order["id"]))["refunds"]
    assert Decimal(str(refund["total_amount"])) == Decimal("60.00")


async def test_out_of_warranty_is_handled_per_policy(stack: Stack) -> None:
    reviewed_order = await catalog_order(stack, 555, "60.00", days_ago=400)
    [line] = reviewed_order["products"]
    reviewed = return_request(reviewed_order, [{"order_product_id": line["id"], "quantity": 1, "reason": "Damaged"}])
    reviewed_case = await started(stack, reviewed)
    variables = await review_variables(stack, reviewed_case)
    assert variables["warrantyStatus"] == "out-of-warranty" and "out of warranty" in str(variables["reasons"])
    await decide(stack.opentext, await stack.open_task_id(reviewed_case), "reject")
    assert (await result_of(stack, reviewed_case)).status is CaseStatus.REJECTED

    declined_order = await catalog_order(stack, 902, "60.00", days_ago=400)  # garden: declined by policy
    [line] = declined_order["products"]
    declined = return_request(declined_order, [{"order_product_id": line["id"], "quantity": 1, "reason": "Damaged"}])
    result = await result_of(stack, await started(stack, declined))
    assert result.status is CaseStatus.REJECTED and result.decision is None
    assert "declined by policy" in result.detail and "out of warranty" in result.detail
    after = await sandbox_order(stack, declined_order["id"])
    assert after["refunds"] == []
    assert "declined" in after["staff_notes"]


async def test_the_last_shipment_date_is_read_for_windows_counted_from_it(stack: Stack) -> None:
    """What the shim reads when a BigCommerce store's windows count from the shipment."""
    deps = cast(ShimDeps, SimpleNamespace(connections=stack.connections))
    store = stack.connections.registry.store(Platform.BIGCOMMERCE, BC_FLOW_STORE)
    assert store is not None
    order = await paid_order(stack)
    assert await _bigcommerce_shipped_at(deps, store, order["id"]) is None  # nothing shipped yet

    client = stack.connections.bigcommerce(BC_FLOW_STORE)
    [address] = await client.list_shipping_addresses(order["id"])
    shipment = NewShipment(
        order_address_id=address.id,
        items=[ShipmentItemRequest(order_product_id=product_id(order, "Tent"), quantity=1)],
    )
    await client.create_shipment(order["id"], shipment)
    shipped_at = await _bigcommerce_shipped_at(deps, store, order["id"])
    assert shipped_at is not None and abs(datetime.now(UTC) - shipped_at) < timedelta(minutes=5)
