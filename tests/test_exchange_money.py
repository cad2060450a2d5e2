"""The money side of an exchange, called directly against the session sandbox on Shopify and
BigCommerce: `item_prices` reads the catalog price of what is sent (unknown SKUs left out), and
`refund_amount` pays a cheaper exchange's difference once per key, refusing (non-retryable) more
than the order has left to refund."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.bigcommerce import BigCommerceActivities
from activities.models import AmountRefundRequest, ItemPricesRequest
from activities.shopify import ShopifyActivities
from connectors.shopify.models import Order
from tests.support.activity_calls import run_activity
from tests.support.stack import Stack
from tests.support.world import BC_FLOW_STORE, SHOP

SHOPIFY_REFUNDS = """
query($id: ID!) {
  order(id: $id) { refunds(first: 5) { id note totalRefundedSet { shopMoney { amount currencyCode } } } }
}
"""


def tagged(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


def refund_request(store: str, order_ref: str, amount: str, key: str) -> AmountRefundRequest:
    return AmountRefundRequest(
        store=store,
        order_ref=order_ref,
        key=key,
        amount=Decimal(amount),
        reason="Exchange is cheaper",
        notify_customer=False,
    )


# -- Shopify ------------------------------------------------------------------------------------


async def shopify_variant(stack: Stack, sku: str, price: str) -> str:
    response = await stack.http.post(
        f"{stack.sandbox_url}/shopify/{SHOP}/_admin/products",
        json={"title": f"Mug {sku}", "variants": [{"sku": sku, "price": price, "inventory_quantity": 10}]},
    )
    response.raise_for_status()
    gid: str = response.json()["product"]["variants"][0]["admin_graphql_api_id"]
    return gid


async def shopify_order(stack: Stack, variant: str, sku: str) -> Order:
    """Two mugs at 30.00, paid 60.00."""
    money = {"shopMoney": {"amount": "30.00", "currencyCode": "USD"}}
    paid = {"shopMoney": {"amount": "60.00", "currencyCode": "USD"}}
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
    return await stack.shop(SHOP).create_order(
        {
            "email": f"buyer-{uuid.uuid4().hex[:8]}@example.test",
            "currency": "USD",
            "lineItems": [{"title": "Mug", "sku": sku, "variantId": variant, "quantity": 2, "priceSet": money}],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": paid}],
        }
    )


async def shopify_refunds(stack: Stack, order: Order) -> list[dict[str, Any]]:
    data = await stack.shop(SHOP).client.execute(SHOPIFY_REFUNDS, {"id": order.id}, operation="order")
    refunds: list[dict[str, Any]] = data["order"]["refunds"]
    return refunds


async def test_shopify_prices_the_known_skus_in_the_order_currency(stack: Stack) -> None:
    red, blue, unknown = tagged("MUG-RED"), tagged("MUG-BLUE"), tagged("MUG-NONE")
    red_variant = await shopify_variant(stack, red, "30.00")
    await shopify_variant(stack, blue, "24.50")
    order = await shopify_order(stack, red_variant, red)

    prices = await ActivityEnvironment().run(
        ShopifyActivities(stack.connections).item_prices,
        ItemPricesRequest(store=SHOP, order_ref=order.id, skus=[blue, unknown, red, blue]),
    )

    assert prices.currency == "USD"
    assert prices.prices == {blue: Decimal("24.50"), red: Decimal("30.00")}


async def test_shopify_refunds_an_amount_once_and_refuses_more_than_is_left(stack: Stack) -> None:
    sku = tagged("MUG")
    order = await shopify_order(stack, await shopify_variant(stack, sku, "30.00"), sku)
    activities = ShopifyActivities(stack.connections)
    asked = refund_request(SHOP, order.id, "5.50", f"return/shopify/{SHOP}/{uuid.uuid4().hex[:8]}/exchange")

    first = await ActivityEnvironment().run(activities.refund_amount, asked)
    again = await ActivityEnvironment().run(activities.refund_amount, asked)  # a retry after a lost answer

    assert first.created and not again.created and again.refund_id == first.refund_id
    assert first.amount == again.amount == Decimal("5.50") and first.currency == "USD"
    [refund] = await shopify_refunds(stack, order)
    assert refund["id"] == first.refund_id and refund["note"].startswith("Exchange is cheaper")
    assert Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]) == Decimal("5.50")

    too_much = refund_request(SHOP, order.id, "54.51", f"return/shopify/{SHOP}/{uuid.uuid4().hex[:8]}/exchange")
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.refund_amount, too_much)
    assert refused.value.non_retryable and refused.value.type == "ConflictError"
    assert len(await shopify_refunds(stack, order)) == 1


# -- BigCommerce --------------------------------------------------------------------------------


def bigcommerce_url(stack: Stack, path: str) -> str:
    return f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}{path}"


async def bigcommerce_post(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(bigcommerce_url(stack, path), json=body)
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


async def bigcommerce_order(stack: Stack, product_id: int) -> dict[str, Any]:
    """Two mugs of the catalog product (30.00 each), paid 60.00."""
    address = {"first_name": "Sam", "street_1": "1 Test Way", "city": "Austin", "zip": "78751", "country_iso2": "US"}
    return await bigcommerce_post(
        stack, "/orders", {"billing_address": address, "products": [{"product_id": product_id, "quantity": 2}]}
    )


async def bigcommerce_refunds(stack: Stack, order_id: int) -> list[dict[str, Any]]:
    response = await stack.http.get(bigcommerce_url(stack, f"/orders/{order_id}"))
    response.raise_for_status()
    refunds: list[dict[str, Any]] = response.json()["refunds"]
    return refunds


async def test_bigcommerce_prices_the_known_skus_at_their_storefront_price(stack: Stack) -> None:
    red, blue, unknown = tagged("MUG-RED"), tagged("MUG-BLUE"), tagged("MUG-NONE")
    product = await bigcommerce_post(stack, "/products", {"name": "Red mug", "sku": red, "price": "30.00"})
    # On sale: the storefront's (calculated) price is the sale price, as a substitute is priced.
    on_sale = {"name": "Blue mug", "sku": blue, "price": "28.00", "sale_price": "22.00"}
    await bigcommerce_post(stack, "/products", on_sale)
    order = await bigcommerce_order(stack, int(product["id"]))

    prices = await run_activity(
        BigCommerceActivities(stack.connections).item_prices,
        ItemPricesRequest(store=BC_FLOW_STORE, order_ref=str(order["id"]), skus=[blue, unknown, red, blue]),
    )

    assert prices.currency == "USD"
    assert prices.prices == {blue: Decimal("22.00"), red: Decimal("30.00")}


async def test_bigcommerce_refunds_an_amount_once_and_refuses_more_than_is_left(stack: Stack) -> None:
    product = await bigcommerce_post(stack, "/products", {"name": "Mug", "sku": tagged("MUG"), "price": "30.00"})
    order = await bigcommerce_order(stack, int(product["id"]))
    activities = BigCommerceActivities(stack.connections)
    key = f"return/bigcommerce/{BC_FLOW_STORE}/{uuid.uuid4().hex[:8]}/exchange"
    asked = refund_request(BC_FLOW_STORE, str(order["id"]), "5.50", key)

    first = await run_activity(activities.refund_amount, asked)
    again = await run_activity(activities.refund_amount, asked)  # a retry after a lost answer

    assert first.created and not again.created and again.refund_id == first.refund_id
    assert first.amount == again.amount == Decimal("5.50") and first.currency == "USD"
    [refund] = await bigcommerce_refunds(stack, order["id"])
    assert str(refund["id"]) == first.refund_id and Decimal(str(refund["total_amount"])) == Decimal("5.50")
    assert [(i["item_type"], i["item_id"]) for i in refund["items"]] == [("ORDER", order["id"])]
    assert refund["items"][0]["reason"].startswith("Exchange is cheaper")

    too_much = refund_request(
        BC_FLOW_STORE, str(order["id"]), "54.51", f"return/bigcommerce/{BC_FLOW_STORE}/{uuid.uuid4().hex[:8]}/x"
    )
    with pytest.raises(ApplicationError) as refused:
        await run_activity(activities.refund_amount, too_much)
    assert refused.value.non_retryable and refused.value.type == "RejectedError"
    assert len(await bigcommerce_refunds(stack, order["id"])) == 1
