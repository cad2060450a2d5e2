"""Free replacement and exchange orders order the catalog's item when there is one, called directly
against the session sandbox: on Shopify the returned line's own variant (or the variant with the
asked SKU) in a draft order made free by a 100 % line discount, completed into an order that takes
the units out of stock; on BigCommerce the catalog product (the returned order product's own, or
the one with the asked SKU) at a price override of 0. Without a catalog item the line stays a
custom one at 0, and a second call finds the first order instead of making another."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from activities.bigcommerce import BigCommerceActivities
from activities.models import ReplacementLine, ReplacementOrderRequest, ReplacementOrderResult
from activities.shopify import ShopifyActivities
from connectors.shopify.assumptions import DRAFT_ORDER_BY_TAG, marker, search_value
from tests.support.activity_calls import run_activity
from tests.support.stack import Stack
from tests.support.world import BC_FLOW_STORE, SHOP

# --- Shopify ------------------------------------------------------------------------------------

ORDER_LINES = "query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes { id sku } } } }"
REPLACEMENT = """
query($id: ID!) {
  order(id: $id) {
    displayFinancialStatus
    totalPriceSet { shopMoney { amount } }
    lineItems(first: 5) {
      nodes {
        title sku quantity variant { id }
        originalUnitPriceSet { shopMoney { amount } }
        discountedTotalSet { shopMoney { amount } }
        discountAllocations {
          allocatedAmountSet { shopMoney { amount } }
          discountApplication {
            value { ... on PricingPercentageValue { percentage } }
            ... on ManualDiscountApplication { title }
          }
        }
      }
    }
  }
}
"""
STOCK = "query($id: ID!) { productVariant(id: $id) { inventoryQuantity } }"


async def shopify_variant(stack: Stack, sku: str, price: str, stock: int) -> str:
    response = await stack.http.post(
        f"{stack.sandbox_url}/shopify/{SHOP}/_admin/products",
        json={"title": f"Lamp {sku}", "variants": [{"sku": sku, "price": price, "inventory_quantity": stock}]},
    )
    response.raise_for_status()
    gid: str = response.json()["product"]["variants"][0]["admin_graphql_api_id"]
    return gid


async def shopify_query(stack: Stack, document: str, gid: str) -> dict[str, Any]:
    data: dict[str, Any] = await stack.shop(SHOP).client.execute(document, {"id": gid}, operation="test")
    return data


async def shopify_order(stack: Stack, lamp_variant: str, lamp_sku: str, shade_sku: str) -> tuple[str, dict[str, str]]:
    """Two lamps (a catalog variant) at 40.00 and a custom shade at 20.00: the order gid and its
    line gids by SKU."""
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}

    def money(amount: str) -> dict[str, Any]:
        return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}

    order = await stack.shop(SHOP).create_order(
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
                {"title": "Shade", "sku": shade_sku, "quantity": 1, "priceSet": money("20.00")},
            ],
            "shippingAddress": address,
            "billingAddress": address,
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("100.00")}],
        }
    )
    nodes = (await shopify_query(stack, ORDER_LINES, order.id))["order"]["lineItems"]["nodes"]
    return order.id, {n["sku"]: n["id"] for n in nodes}


def replacement_request(order_ref: str, store: str, *lines: ReplacementLine) -> ReplacementOrderRequest:
    return ReplacementOrderRequest(
        store=store,
        order_ref=order_ref,
        key=f"return/test/{uuid.uuid4().hex[:12]}",
        lines=list(lines),
        note="Casebridge: replacement in test",
    )


async def shopify_replacement(stack: Stack, request: ReplacementOrderRequest) -> tuple[ReplacementOrderResult, Any]:
    result = await run_activity(ShopifyActivities(stack.connections).create_replacement_order, request)
    return result, (await shopify_query(stack, REPLACEMENT, result.order_id))["order"]


async def stock(stack: Stack, variant: str) -> int:
    return int((await shopify_query(stack, STOCK, variant))["productVariant"]["inventoryQuantity"])


def amount(bag: dict[str, Any]) -> Decimal:
    return Decimal(str(bag["shopMoney"]["amount"]))


async def test_shopify_replacement_orders_the_returned_lines_variant_at_zero_once(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp_sku = f"LAMP-{tag}"
    lamp = await shopify_variant(stack, lamp_sku, "40.00", stock=10)
    order_gid, line_gids = await shopify_order(stack, lamp, lamp_sku, f"SHADE-{tag}")
    request = replacement_request(
        order_gid, SHOP, ReplacementLine(title="Lamp", quantity=2, order_line_ref=line_gids[lamp_sku])
    )

    result, order = await shopify_replacement(stack, request)

    assert result.created
    assert order["displayFinancialStatus"] == "PAID" and amount(order["totalPriceSet"]) == 0
    (line,) = order["lineItems"]["nodes"]
    assert (line["variant"], line["sku"], line["quantity"]) == ({"id": lamp}, lamp_sku, 2)
    assert amount(line["originalUnitPriceSet"]) == Decimal("40.00")  # the catalog's price ...
    assert amount(line["discountedTotalSet"]) == 0  # ... all of it discounted
    (allocation,) = line["discountAllocations"]
    assert amount(allocation["allocatedAmountSet"]) == Decimal("80.00")
    assert allocation["discountApplication"] == {"value": {"percentage": 100.0}, "title": "Casebridge replacement"}
    assert await stock(stack, lamp) == 8

    again, _ = await shopify_replacement(stack, request)

    assert (again.order_id, again.order_name, again.created) == (result.order_id, result.order_name, False)
    drafts = await stack.shop(SHOP).find_draft_orders(
        DRAFT_ORDER_BY_TAG.format(value=search_value(marker(f"replacement-{request.key}")))
    )
    assert len(drafts) == 1
    assert await stock(stack, lamp) == 8


async def test_shopify_exchange_by_sku_orders_the_catalog_variant(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp_sku, pro_sku = f"LAMP-{tag}", f"LAMP-PRO-{tag}"
    lamp = await shopify_variant(stack, lamp_sku, "40.00", stock=10)
    pro = await shopify_variant(stack, pro_sku, "55.00", stock=3)
    order_gid, _ = await shopify_order(stack, lamp, lamp_sku, f"SHADE-{tag}")
    request = replacement_request(
        order_gid, SHOP, ReplacementLine(title=f"Exchange item {pro_sku}", quantity=1, sku=pro_sku)
    )

    result, order = await shopify_replacement(stack, request)

    assert result.created and amount(order["totalPriceSet"]) == 0
    (line,) = order["lineItems"]["nodes"]
    assert (line["variant"], line["sku"], line["quantity"]) == ({"id": pro}, pro_sku, 1)
    assert amount(line["discountedTotalSet"]) == 0
    assert (await stock(stack, pro), await stock(stack, lamp)) == (2, 10)


async def test_shopify_lines_without_a_variant_stay_custom_lines_at_zero(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp_sku, shade_sku, unknown = f"LAMP-{tag}", f"SHADE-{tag}", f"NOPE-{tag}"
    lamp = await shopify_variant(stack, lamp_sku, "40.00", stock=10)
    order_gid, line_gids = await shopify_order(stack, lamp, lamp_sku, shade_sku)
    request = replacement_request(
        order_gid,
        SHOP,
        ReplacementLine(title=f"Exchange item {unknown}", quantity=1, sku=unknown),
        ReplacementLine(title="Shade", quantity=1, order_line_ref=line_gids[shade_sku]),  # a custom line returned
    )

    result, order = await shopify_replacement(stack, request)

    assert result.created and amount(order["totalPriceSet"]) == 0
    assert [(n["title"], n["sku"], n["variant"], n["discountAllocations"]) for n in order["lineItems"]["nodes"]] == [
        (f"Exchange item {unknown}", unknown, None, []),
        ("Shade", shade_sku, None, []),
    ]
    assert [amount(n["originalUnitPriceSet"]) for n in order["lineItems"]["nodes"]] == [0, 0]
    assert await stock(stack, lamp) == 10


# --- BigCommerce --------------------------------------------------------------------------------


def bc_admin_url(stack: Stack, path: str) -> str:
    return f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}{path}"


async def bc_post(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(bc_admin_url(stack, path), json=body)
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


async def bc_order(stack: Stack, order_id: int | str) -> dict[str, Any]:
    response = await stack.http.get(bc_admin_url(stack, f"/orders/{order_id}"))
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def bc_lamp_order(stack: Stack, lamp_id: int, shade_sku: str) -> dict[str, Any]:
    """Two lamps (a catalog product) at 40.00 and a custom shade at 20.00."""
    address = {"first_name": "Sam", "street_1": "1 Test Way", "city": "Austin", "zip": "78751", "country_iso2": "US"}
    return await bc_post(
        stack,
        "/orders",
        {
            "billing_address": address,
            "products": [
                {"product_id": lamp_id, "quantity": 2},
                {"name": "Shade", "sku": shade_sku, "quantity": 1, "price_inc_tax": "20.00", "price_ex_tax": "20.00"},
            ],
        },
    )


async def bc_replacement(stack: Stack, request: ReplacementOrderRequest) -> tuple[ReplacementOrderResult, Any]:
    activity = BigCommerceActivities(stack.connections).create_replacement_order
    result = await run_activity(activity, request)
    return result, await bc_order(stack, result.order_id)


def bc_lines(order: dict[str, Any]) -> list[tuple[int, str, str, int, Decimal, Decimal]]:
    return [
        (p["product_id"], p["name"], p["sku"], p["quantity"], Decimal(p["price_inc_tax"]), Decimal(p["price_ex_tax"]))
        for p in order["products"]
    ]


async def test_bigcommerce_replacement_orders_the_returned_product_at_zero_once(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp = await bc_post(stack, "/products", {"name": "Lamp", "sku": f"LAMP-{tag}", "price": "40.00"})
    original = await bc_lamp_order(stack, int(lamp["id"]), f"SHADE-{tag}")
    lamp_line = next(p for p in original["products"] if p["product_id"] == lamp["id"])
    request = replacement_request(
        str(original["id"]),
        BC_FLOW_STORE,
        ReplacementLine(title="Replacement lamp", quantity=2, order_line_ref=str(lamp_line["id"])),
    )

    result, order = await bc_replacement(stack, request)

    assert result.created and order["external_order_id"] == f"casebridge-replacement-{request.key}"
    assert bc_lines(order) == [(lamp["id"], "Lamp", f"LAMP-{tag}", 2, Decimal(0), Decimal(0))]
    assert Decimal(str(order["total_inc_tax"])) == 0

    again, _ = await bc_replacement(stack, request)

    assert (again.order_id, again.created) == (result.order_id, False)
    found = await stack.connections.bigcommerce(BC_FLOW_STORE).find_order_by_external_id(
        f"casebridge-replacement-{request.key}"
    )
    assert found is not None and str(found.id) == result.order_id


async def test_bigcommerce_exchange_by_sku_orders_the_catalog_product(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp = await bc_post(stack, "/products", {"name": "Lamp", "sku": f"LAMP-{tag}", "price": "40.00"})
    pro = await bc_post(stack, "/products", {"name": "Lamp Pro", "sku": f"LAMP-PRO-{tag}", "price": "55.00"})
    original = await bc_lamp_order(stack, int(lamp["id"]), f"SHADE-{tag}")
    request = replacement_request(
        str(original["id"]),
        BC_FLOW_STORE,
        ReplacementLine(title=f"Exchange item LAMP-PRO-{tag}", quantity=1, sku=f"LAMP-PRO-{tag}"),
    )

    result, order = await bc_replacement(stack, request)

    assert result.created
    assert bc_lines(order) == [(pro["id"], "Lamp Pro", f"LAMP-PRO-{tag}", 1, Decimal(0), Decimal(0))]
    assert Decimal(str(order["total_inc_tax"])) == 0


async def test_bigcommerce_lines_without_a_catalog_product_stay_custom_at_zero(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp = await bc_post(stack, "/products", {"name": "Lamp", "sku": f"LAMP-{tag}", "price": "40.00"})
    original = await bc_lamp_order(stack, int(lamp["id"]), f"SHADE-{tag}")
    shade_line = next(p for p in original["products"] if p["product_id"] == 0)
    request = replacement_request(
        str(original["id"]),
        BC_FLOW_STORE,
        ReplacementLine(title=f"Exchange item NOPE-{tag}", quantity=1, sku=f"NOPE-{tag}"),
        ReplacementLine(title="Shade", quantity=1, order_line_ref=str(shade_line["id"])),  # a custom product returned
    )

    result, order = await bc_replacement(stack, request)

    assert result.created
    assert bc_lines(order) == [
        (0, f"Exchange item NOPE-{tag}", f"NOPE-{tag}", 1, Decimal(0), Decimal(0)),
        (0, "Shade", f"SHADE-{tag}", 1, Decimal(0), Decimal(0)),
    ]
