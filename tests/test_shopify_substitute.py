"""`shopify.substitute_items` called directly against the session sandbox: the ordered units that
cannot ship are replaced by another variant in one order edit, the customer never pays more (a
dearer substitute discounted, a cheaper one's difference refunded once), and a second call finds
the edit done instead of adding or refunding again."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.models import SubstituteItemsRequest, Substitution
from activities.shopify import ShopifyActivities
from connectors.shopify.models import Order
from tests.support.stack import Stack
from tests.support.world import SHOP

ORDER_STATE = """
query($id: ID!) {
  order(id: $id) {
    totalPriceSet { shopMoney { amount } }
    lineItems(first: 10) {
      nodes { sku quantity currentQuantity totalDiscountSet { shopMoney { amount } } }
    }
    refunds(first: 5) { note totalRefundedSet { shopMoney { amount } } }
  }
}
"""
STOCK = "query($id: ID!) { productVariant(id: $id) { inventoryQuantity } }"


async def seeded_variant(stack: Stack, sku: str, price: str, stock: int = 10) -> str:
    """A catalog variant (the sandbox's seeding route): its gid."""
    response = await stack.http.post(
        f"{stack.sandbox_url}/shopify/{SHOP}/_admin/products",
        json={"title": f"Lamp {sku}", "variants": [{"sku": sku, "price": price, "inventory_quantity": stock}]},
    )
    response.raise_for_status()
    gid: str = response.json()["product"]["variants"][0]["admin_graphql_api_id"]
    return gid


async def lamp_order(stack: Stack, lamp_variant: str, lamp_sku: str) -> Order:
    """Two lamps at 40.00 (a catalog variant) and a shade at 20.00, paid 100.00."""
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}

    def money(amount: str) -> dict[str, Any]:
        return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}

    return await stack.shop(SHOP).create_order(
        {
            "email": f"buyer-{uuid.uuid4().hex[:8]}@example.test",
            "currency": "USD",
            "lineItems": [
                {
                    "title": "Lamp",
                    "sku": lamp_sku,
                    "variantId": lamp_variant,
                    "quantity": 2,
                    "priceSet": money("40.00"),
                },
                {"title": "Shade", "sku": f"SHADE-{uuid.uuid4().hex[:6]}", "quantity": 1, "priceSet": money("20.00")},
            ],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("100.00")}],
        }
    )


class Catalog:
    """A lamp on order and two substitutes for it, with SKUs of their own per test."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6].upper()
        self.lamp, self.dearer, self.cheaper = f"LAMP-{tag}", f"LAMP-PRO-{tag}", f"LAMP-MINI-{tag}"

    async def seed(self, stack: Stack) -> dict[str, str]:
        return {
            self.lamp: await seeded_variant(stack, self.lamp, "40.00"),
            self.dearer: await seeded_variant(stack, self.dearer, "55.00"),
            self.cheaper: await seeded_variant(stack, self.cheaper, "30.00"),
        }


def request(order: Order, key: str, *substitutions: Substitution) -> SubstituteItemsRequest:
    return SubstituteItemsRequest(
        store=SHOP,
        order_ref=order.id,
        key=key,
        substitutions=list(substitutions),
        restock=True,
        notify_customer=False,
        staff_note="Substituted: out of stock",
        refund_note="Substitute is cheaper",
    )


async def state(stack: Stack, order: Order) -> dict[str, Any]:
    data = await stack.shop(SHOP).client.execute(ORDER_STATE, {"id": order.id}, operation="order")
    found: dict[str, Any] = data["order"]
    return found


async def stock(stack: Stack, variant: str) -> int:
    data = await stack.shop(SHOP).client.execute(STOCK, {"id": variant}, operation="productVariant")
    return int(data["productVariant"]["inventoryQuantity"])


async def test_dearer_substitute_is_discounted_to_the_replaced_price(stack: Stack) -> None:
    catalog = Catalog()
    variants = await catalog.seed(stack)
    order = await lamp_order(stack, variants[catalog.lamp], catalog.lamp)
    activities = ShopifyActivities(stack.connections)
    env = ActivityEnvironment()
    lamps_in_stock = await stock(stack, variants[catalog.lamp])

    result = await env.run(
        activities.substitute_items,
        request(
            order,
            f"sub-{uuid.uuid4().hex[:8]}",
            Substitution(sku=catalog.lamp, quantity=2, substitute_sku=catalog.dearer),
        ),
    )

    assert result.applied and result.refund_id is None and result.refunded == 0
    assert result.absorbed == Decimal("30.00") and result.currency == "USD"
    [line] = result.lines
    assert (line.sku, line.substitute_sku, line.quantity) == (catalog.lamp, catalog.dearer, 2)
    assert line.substitute_title == f"Lamp {catalog.dearer}"  # no "Default Title": the only variant
    after = await state(stack, order)
    assert Decimal(after["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("100.00")  # the customer pays the same
    lines = {li["sku"]: li for li in after["lineItems"]["nodes"]}
    assert lines[catalog.lamp]["currentQuantity"] == 0
    assert (
        lines[catalog.dearer]["quantity"],
        Decimal(lines[catalog.dearer]["totalDiscountSet"]["shopMoney"]["amount"]),
    ) == (
        2,
        Decimal("30.00"),
    )
    assert after["refunds"] == []
    assert await stock(stack, variants[catalog.lamp]) == lamps_in_stock + 2  # restocked
    assert await stock(stack, variants[catalog.dearer]) == 8


async def test_cheaper_substitute_refunds_the_difference_once(stack: Stack) -> None:
    catalog = Catalog()
    variants = await catalog.seed(stack)
    order = await lamp_order(stack, variants[catalog.lamp], catalog.lamp)
    activities = ShopifyActivities(stack.connections)
    env = ActivityEnvironment()
    asked = request(
        order, f"sub-{uuid.uuid4().hex[:8]}", Substitution(sku=catalog.lamp, quantity=1, substitute_sku=catalog.cheaper)
    )

    first = await env.run(activities.substitute_items, asked)
    again = await env.run(activities.substitute_items, asked)  # a retry after a lost answer

    assert first.applied and not again.applied
    assert first.refunded == again.refunded == Decimal("10.00") and first.absorbed == 0
    assert first.refund_id is not None and again.refund_id == first.refund_id
    after = await state(stack, order)
    assert [(li["sku"], li["currentQuantity"]) for li in after["lineItems"]["nodes"]] == [
        (catalog.lamp, 1),
        (after["lineItems"]["nodes"][1]["sku"], 1),
        (catalog.cheaper, 1),  # one substitute line, not two
    ]
    assert Decimal(after["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("90.00")
    [refund] = after["refunds"]
    assert Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]) == Decimal("10.00")
    assert refund["note"].startswith("Substitute is cheaper")


async def test_dearer_substitute_twice_edits_once(stack: Stack) -> None:
    catalog = Catalog()
    variants = await catalog.seed(stack)
    order = await lamp_order(stack, variants[catalog.lamp], catalog.lamp)
    activities = ShopifyActivities(stack.connections)
    asked = request(
        order, f"sub-{uuid.uuid4().hex[:8]}", Substitution(sku=catalog.lamp, quantity=1, substitute_sku=catalog.dearer)
    )

    first = await ActivityEnvironment().run(activities.substitute_items, asked)
    again = await ActivityEnvironment().run(activities.substitute_items, asked)

    assert first.applied and not again.applied and again.absorbed == first.absorbed == Decimal("15.00")
    after = await state(stack, order)
    assert [li["sku"] for li in after["lineItems"]["nodes"]].count(catalog.dearer) == 1
    assert after["refunds"] == []
    assert Decimal(after["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("100.00")


async def test_unknown_substitute_or_too_many_units_is_refused_before_any_change(stack: Stack) -> None:
    catalog = Catalog()
    variants = await catalog.seed(stack)
    order = await lamp_order(stack, variants[catalog.lamp], catalog.lamp)
    activities = ShopifyActivities(stack.connections)
    env = ActivityEnvironment()

    unknown = f"NOT-SOLD-{uuid.uuid4().hex[:6]}"
    with pytest.raises(ApplicationError, match=unknown) as refused:
        await env.run(
            activities.substitute_items,
            request(
                order, f"sub-{uuid.uuid4().hex[:8]}", Substitution(sku=catalog.lamp, quantity=1, substitute_sku=unknown)
            ),
        )
    assert refused.value.type == "ConflictError" and refused.value.non_retryable
    with pytest.raises(ApplicationError, match="only 2 unshipped") as refused:
        await env.run(
            activities.substitute_items,
            request(
                order,
                f"sub-{uuid.uuid4().hex[:8]}",
                Substitution(sku=catalog.lamp, quantity=3, substitute_sku=catalog.cheaper),
            ),
        )

    assert refused.value.type == "ConflictError"
    after = await state(stack, order)
    assert [li["currentQuantity"] for li in after["lineItems"]["nodes"]] == [2, 1]
    assert after["refunds"] == []
