"""`AdobeCommerceActivities.item_prices` and `refund_amount` called directly against the session
sandbox: what an exchange costs in the catalog, and a cheaper exchange's difference paid back once
as an adjustment-only credit memo. Effects are read back from the simulator's admin routes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from activities.adobe_commerce import AdobeCommerceActivities
from activities.models import AmountRefundRequest, AmountRefundResult, ItemPrices, ItemPricesRequest
from connectors.adobe_commerce.models import SpecialPrice
from tests.support.stack import Stack
from tests.support.world import ADOBE_STORE


def admin_url(stack: Stack, path: str) -> str:
    return f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}{path}"


async def admin(stack: Stack, method: str, path: str, body: object = None) -> Any:
    response = await stack.http.request(method, admin_url(stack, path), json=body)
    response.raise_for_status()
    return response.json()


async def invoiced_order(stack: Stack, *, shipping: str = "10.00") -> dict[str, Any]:
    """An invoiced order of a tent (300.00) and two mugs (20.00 each), plus shipping: 350.00 paid."""
    tag = uuid.uuid4().hex[:8]
    order: dict[str, Any] = await admin(
        stack,
        "POST",
        "/orders",
        {
            "items": [
                {"sku": f"TENT-{tag}", "name": "Tent", "price": "300.00", "qty": 1},
                {"sku": f"MUG-{tag}", "name": "Camp Mug", "price": "20.00", "qty": 2},
            ],
            "customer_email": f"exchanger-{tag}@example.test",
            "invoiced": True,
            "shipping_amount": shipping,
        },
    )
    assert order["state"] == "processing"
    return order


async def credit_memos(stack: Stack, order_id: int) -> list[dict[str, Any]]:
    state = await admin(stack, "GET", "/state")
    return [m for m in state["credit_memos"] if m["order_id"] == order_id]


def refund_request(order: dict[str, Any], amount: str) -> AmountRefundRequest:
    return AmountRefundRequest(
        store=ADOBE_STORE,
        order_ref=str(order["entity_id"]),
        key=f"case-{uuid.uuid4().hex[:8]}/exchange-difference",
        amount=Decimal(amount),
        reason="Return #R-7: exchange for less (reviewer)",
        notify_customer=False,
    )


async def test_prices_are_todays_catalog_prices_and_unknown_skus_are_left_out(stack: Stack) -> None:
    order = await invoiced_order(stack)
    tag = uuid.uuid4().hex[:8]
    plain, on_sale, sale_over, dearer_sale = (f"{name}-{tag}" for name in ("JACKET", "BOOTS", "HAT", "SCARF"))
    for sku, price in ((plain, "89.00"), (on_sale, "120.00"), (sale_over, "25.00"), (dearer_sale, "15.00")):
        await admin(stack, "POST", "/products", {"sku": sku, "name": sku, "price": price})
    now = datetime.now(UTC)
    day = "%Y-%m-%d %H:%M:%S"
    await stack.connections.adobe_commerce(ADOBE_STORE).catalog.update_special_prices(
        [
            SpecialPrice(
                sku=on_sale,
                price=Decimal("99.50"),
                price_from=(now - timedelta(days=1)).strftime(day),
                price_to=(now + timedelta(days=1)).strftime(day),
            ),
            SpecialPrice(sku=sale_over, price=Decimal("10.00"), price_from="2020-01-01", price_to="2020-01-31"),
            SpecialPrice(
                sku=dearer_sale,
                price=Decimal("18.00"),
                price_from=(now - timedelta(days=1)).strftime(day),
                price_to=(now + timedelta(days=1)).strftime(day),
            ),
        ]
    )
    unknown = f"NOPE-{tag}"

    prices = await AdobeCommerceActivities(stack.connections).item_prices(
        ItemPricesRequest(
            store=ADOBE_STORE,
            order_ref=str(order["entity_id"]),
            skus=[plain, on_sale, unknown, sale_over, plain, dearer_sale],
        )
    )

    assert prices == ItemPrices(
        currency=order["order_currency_code"],
        prices={
            plain: Decimal("89.00"),
            on_sale: Decimal("99.50"),  # the special price of today wins
            sale_over: Decimal("25.00"),  # its special price ended in 2020
            dearer_sale: Decimal("15.00"),  # a special price above the price is not the final price
        },
    )
    assert prices.currency == "USD"


async def test_an_amount_is_paid_back_once_as_an_adjustment_credit_memo(stack: Stack) -> None:
    order = await invoiced_order(stack)
    request = refund_request(order, "42.50")
    activities = AdobeCommerceActivities(stack.connections)

    first = await activities.refund_amount(request)
    again = await activities.refund_amount(request)

    assert first == AmountRefundResult(refund_id=first.refund_id, amount=Decimal("42.50"), currency="USD", created=True)
    assert again == first.model_copy(update={"created": False})
    [memo] = await credit_memos(stack, order["entity_id"])
    assert str(memo["entity_id"]) == first.refund_id
    # Only the adjustment: no returned unit, no shipping.
    assert (memo["grand_total"], memo["adjustment_positive"], memo["shipping_amount"]) == (42.5, 42.5, 0.0)
    assert memo["items"] == []
    [comment] = [c["comment"] for c in memo["comments"]]
    assert request.reason in comment and f"[casebridge:{request.key}]" in comment
    after = await admin(stack, "GET", f"/orders/{order['entity_id']}")
    assert after["total_refunded"] == 42.5 and after["state"] == "processing"
    assert all(i["qty_refunded"] == 0 for i in after["items"])


async def test_more_than_is_left_to_refund_is_refused_for_good(stack: Stack) -> None:
    order = await invoiced_order(stack)
    activities = AdobeCommerceActivities(stack.connections)
    await activities.refund_amount(refund_request(order, "300.00"))

    with pytest.raises(ApplicationError) as refused:
        await activities.refund_amount(refund_request(order, "50.01"))  # 50.00 is left

    assert refused.value.non_retryable is True
    assert "The most money available to refund is $50.00." in str(refused.value)
    assert [m["grand_total"] for m in await credit_memos(stack, order["entity_id"])] == [300.0]


async def test_an_order_without_shipping_left_refuses_an_adjustment_only_memo(stack: Stack) -> None:
    # Magento's QuantityValidator: a memo of no unit needs shipping left to refund on the order.
    order = await invoiced_order(stack, shipping="0.00")

    with pytest.raises(ApplicationError) as refused:
        await AdobeCommerceActivities(stack.connections).refund_amount(refund_request(order, "5.00"))

    assert refused.value.non_retryable is True
    assert "You can't create a creditmemo without products." in str(refused.value)
    assert await credit_memos(stack, order["entity_id"]) == []
