"""`AdobeCommerceActivities.create_replacement_order` called directly against the session sandbox:
a free replacement order for returned lines, exactly one per case key, whatever retries follow.
Effects are read back from the simulator's admin routes (orders, comments, carts)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from activities.adobe_commerce import AdobeCommerceActivities
from activities.models import ReplacementLine, ReplacementOrderRequest, ReplacementOrderResult
from sandbox.adobe_commerce.cart_routes import PLACE_ORDER
from sandbox.adobe_commerce.config import REPLACEMENT_COUPON
from tests.support.stack import Stack
from tests.support.world import ADOBE_STORE


def admin_url(stack: Stack, path: str) -> str:
    return f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}{path}"


async def admin(stack: Stack, method: str, path: str, body: object = None) -> Any:
    response = await stack.http.request(method, admin_url(stack, path), json=body)
    response.raise_for_status()
    return response.json()


async def returned_order(stack: Stack) -> dict[str, Any]:
    """An invoiced order of a lamp and two mugs, shipped to Austin."""
    tag = uuid.uuid4().hex[:8]
    order: dict[str, Any] = await admin(
        stack,
        "POST",
        "/orders",
        {
            "items": [
                {"sku": f"LAMP-{tag}", "name": "Desk Lamp", "price": "45.00", "qty": 1},
                {"sku": f"MUG-{tag}", "name": "Camp Mug", "price": "12.00", "qty": 2},
            ],
            "customer_email": f"replaced-{tag}@example.test",
            "customer_firstname": "Rita",
            "customer_lastname": "Return",
            "customer_id": 4242,
            "shipping_address": {"street": ["7 Elm Row"], "city": "Denver", "postcode": "80202", "region": "Colorado"},
            "invoiced": True,
            "shipping_amount": "8.00",
        },
    )
    return order


def item_of(order: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(i for i in order["items"] if str(i["sku"]).startswith(prefix))


def replacement_request(order: dict[str, Any], *, coupon: str | None = REPLACEMENT_COUPON) -> ReplacementOrderRequest:
    lamp, mug = item_of(order, "LAMP-"), item_of(order, "MUG-")
    return ReplacementOrderRequest(
        store=ADOBE_STORE,
        order_ref=str(order["entity_id"]),
        key=f"return-case-{uuid.uuid4().hex[:8]}",
        lines=[
            ReplacementLine(title="Desk Lamp", quantity=1, order_line_ref=str(lamp["item_id"])),
            ReplacementLine(title="Camp Mug", quantity=1, sku=mug["sku"]),
        ],
        note="Casebridge: replacement for return #R-1 (approved by reviewer)",
        coupon_code=coupon,
    )


async def replacement_orders(stack: Stack, original: dict[str, Any]) -> list[dict[str, Any]]:
    """Orders placed from carts for the original's customer (each test's customer is new)."""
    state = await admin(stack, "GET", "/state")
    return [
        o
        for o in state["orders"]
        if o.get("quote_id") is not None and o["customer_email"] == original["customer_email"]
    ]


async def comments(stack: Stack, order_id: int | str) -> list[str]:
    order = await admin(stack, "GET", f"/orders/{order_id}")
    return [h["comment"] for h in order["status_histories"]]


async def test_replacement_order_is_free_has_the_returned_skus_and_is_created_once(stack: Stack) -> None:
    original = await returned_order(stack)
    request = replacement_request(original)
    activities = AdobeCommerceActivities(stack.connections)

    first = await activities.create_replacement_order(request)
    again = await activities.create_replacement_order(request)

    assert first.created is True
    assert again == ReplacementOrderResult(order_id=first.order_id, order_name=first.order_name, created=False)
    placed = await admin(stack, "GET", f"/orders/{first.order_id}")
    assert first.order_name == f"#{placed['increment_id']}"
    assert sorted((i["sku"], i["qty_ordered"]) for i in placed["items"]) == sorted(
        [(item_of(original, "LAMP-")["sku"], 1.0), (item_of(original, "MUG-")["sku"], 1.0)]
    )
    assert all(i["price"] - i["discount_amount"] / i["qty_ordered"] == 0 for i in placed["items"])
    assert placed["grand_total"] == 0.0 and placed["payment"]["method"] == "free"
    assert placed["coupon_code"] == REPLACEMENT_COUPON
    # A guest order of the integration's own cart: the customer's email and the original's address.
    assert placed["customer_is_guest"] == 1 and placed["customer_email"] == original["customer_email"]
    shipping = placed["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]
    assert (shipping["city"], shipping["street"]) == ("Denver", ["7 Elm Row"])
    cart = next(c for c in (await admin(stack, "GET", "/state"))["carts"] if c["id"] == placed["quote_id"])
    assert cart["is_active"] is False and cart["customer_is_guest"] is True
    # Each order names the other, once, whatever the retries.
    on_original = [c for c in await comments(stack, original["entity_id"]) if request.key in c]
    assert [c for c in on_original if f"replacement order #{placed['increment_id']}" in c and request.note in c]
    assert len([c for c in on_original if "replacement order #" in c]) == 1
    on_replacement = [c for c in await comments(stack, first.order_id) if request.key in c]
    assert len(on_replacement) == 1 and f"order #{original['increment_id']}" in on_replacement[0]
    assert [o["entity_id"] for o in await replacement_orders(stack, original)] == [int(first.order_id)]


async def test_a_lost_place_order_answer_does_not_place_a_second_order(stack: Stack) -> None:
    original = await returned_order(stack)
    request = replacement_request(original)
    activities = AdobeCommerceActivities(stack.connections)
    await stack.fault(system="adobe-commerce", operation=PLACE_ORDER, effect="drop_connection")

    with pytest.raises(ApplicationError) as lost:
        await activities.create_replacement_order(request)
    assert lost.value.non_retryable is False  # Temporal retries it

    retried = await activities.create_replacement_order(request)

    assert retried.created is False
    [order] = await replacement_orders(stack, original)
    assert str(order["entity_id"]) == retried.order_id
    assert any(request.key in c for c in await comments(stack, retried.order_id))


async def test_no_replacement_coupon_is_a_non_retryable_conflict_and_changes_nothing(stack: Stack) -> None:
    original = await returned_order(stack)
    carts_before = len((await admin(stack, "GET", "/state"))["carts"])

    with pytest.raises(ApplicationError) as refused:
        await AdobeCommerceActivities(stack.connections).create_replacement_order(
            replacement_request(original, coupon=None)
        )

    assert refused.value.non_retryable is True and refused.value.type == "ConflictError"
    assert "names no replacement coupon" in str(refused.value)
    assert len((await admin(stack, "GET", "/state"))["carts"]) == carts_before
    assert not [c for c in await comments(stack, original["entity_id"]) if "replacement" in c]


async def test_unknown_sku_and_a_coupon_that_is_not_free_are_non_retryable(stack: Stack) -> None:
    original = await returned_order(stack)
    activities = AdobeCommerceActivities(stack.connections)
    unknown = replacement_request(original).model_copy(
        update={"lines": [ReplacementLine(title="Ghost", quantity=1, sku=f"GHOST-{uuid.uuid4().hex[:6]}")]}
    )
    half = f"HALF-{uuid.uuid4().hex[:6]}"
    await admin(stack, "POST", "/cart-price-rules", {"name": "Half", "coupon_code": half, "discount_percent": "50"})
    not_free = replacement_request(original, coupon=half)

    with pytest.raises(ApplicationError) as no_product:
        await activities.create_replacement_order(unknown)
    with pytest.raises(ApplicationError) as to_pay:
        await activities.create_replacement_order(not_free)

    assert no_product.value.non_retryable is True and no_product.value.type == "NotFoundError"
    assert to_pay.value.non_retryable is True and to_pay.value.type == "ConflictError"
    assert f"coupon {half} leaves" in str(to_pay.value)
    assert await replacement_orders(stack, original) == []
