"""Adding variants in an order edit, in the Shopify simulator over real HTTP: `orderEditAddVariant`
(the variant must exist and be sellable; one already on the order only with `allowDuplicates`),
`orderEditAddLineItemDiscount` (only on lines added in the same edit), the commit's effects on the
lines, stock and totals, and `productVariants(query: "sku:...")`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from sandbox.config import ShopConfig
from sandbox.shopify.standalone import RunningShopify, serve_simulator

SHOP = "add-variant.myshopify.com"
TOKEN = "shpat_add_variant"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_add_variant"))

ORDER = """
mutation($o: OrderCreateOrderInput!) {
  orderCreate(order: $o) { order { id lineItems(first: 5) { nodes { id } } } userErrors { field message } }
}
"""
BEGIN = "mutation($id: ID!) { orderEditBegin(id: $id) { calculatedOrder { id } userErrors { field message } } }"
ADD = """
mutation($id: ID!, $variant: ID!, $q: Int!, $dup: Boolean) {
  orderEditAddVariant(id: $id, variantId: $variant, quantity: $q, allowDuplicates: $dup) {
    calculatedLineItem { id quantity sku originalUnitPriceSet { shopMoney { amount } } }
    calculatedOrder { addedLineItems(first: 5) { nodes { id } } lineItems(first: 5) { nodes { id } } }
    userErrors { field message }
  }
}
"""
DISCOUNT = """
mutation($id: ID!, $line: ID!, $discount: OrderEditAppliedDiscountInput!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $line, discount: $discount) {
    calculatedLineItem { id hasStagedLineItemDiscount discountedUnitPriceSet { shopMoney { amount } } }
    addedDiscountStagedChange { description value { ... on MoneyV2 { amount } } }
    userErrors { field message }
  }
}
"""
SET_QUANTITY = """
mutation($id: ID!, $line: ID!, $q: Int!) {
  orderEditSetQuantity(id: $id, lineItemId: $line, quantity: $q, restock: true) { userErrors { field message } }
}
"""
COMMIT = """
mutation($id: ID!) {
  orderEditCommit(id: $id, notifyCustomer: false, staffNote: "substitute") { order { id } userErrors { field message } }
}
"""
ORDER_STATE = """
query($id: ID!) {
  order(id: $id) {
    totalPriceSet { shopMoney { amount } }
    totalOutstandingSet { shopMoney { amount } }
    lineItems(first: 5) {
      nodes { id sku quantity currentQuantity totalDiscountSet { shopMoney { amount } } variant { id } }
    }
    fulfillmentOrders(first: 5) { nodes { lineItems(first: 5) { nodes { remainingQuantity lineItem { sku } } } } }
    suggestedRefund(refundLineItems: []) { maximumRefundableSet { shopMoney { amount } } }
  }
}
"""
VARIANTS = "query($q: String!) { productVariants(first: 5, query: $q) { nodes { id sku price } } }"
VARIANT_STOCK = "query($id: ID!) { productVariant(id: $id) { inventoryQuantity } }"


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


class Sim:
    def __init__(self, running: RunningShopify, http: httpx.AsyncClient) -> None:
        self.running = running
        self.http = http

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.running.base_url(SHOP)}/admin/api/2025-01/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": TOKEN},
        )
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def variant(self, sku: str, price: str, *, stock: int = 10, status: str = "ACTIVE") -> str:
        seed = {
            "title": f"Product {sku}",
            "status": status,
            "variants": [{"sku": sku, "price": price, "inventory_quantity": stock}],
        }
        response = await self.http.post(f"{self.running.admin(SHOP)}/products", json=seed)
        assert response.status_code == 201, response.text
        gid: str = response.json()["product"]["variants"][0]["admin_graphql_api_id"]
        return gid

    async def order(self, variant_gid: str | None = None) -> tuple[str, str]:
        """A paid order of two lamps at 40.00 (of the given variant, if any): its gid and the line's."""
        lamp: dict[str, Any] = {"title": "Lamp", "sku": "LAMP", "quantity": 2, "priceSet": _money("40.00")}
        if variant_gid:
            lamp["variantId"] = variant_gid
        order_input = {
            "currency": "USD",
            "lineItems": [lamp],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": _money("80.00")}],
        }
        created = (await self.data(ORDER, {"o": order_input}))["orderCreate"]
        assert created["userErrors"] == [], created
        return created["order"]["id"], created["order"]["lineItems"]["nodes"][0]["id"]

    async def begin(self, order_gid: str) -> str:
        calculated: str = (await self.data(BEGIN, {"id": order_gid}))["orderEditBegin"]["calculatedOrder"]["id"]
        return calculated

    async def add(self, calculated: str, variant: str, quantity: int, dup: bool | None = None) -> dict[str, Any]:
        added: dict[str, Any] = (
            await self.data(ADD, {"id": calculated, "variant": variant, "q": quantity, "dup": dup})
        )["orderEditAddVariant"]
        return added


@pytest_asyncio.fixture(scope="module")
async def running() -> AsyncIterator[RunningShopify]:
    async with serve_simulator([CONFIG]) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(running: RunningShopify) -> Iterator[None]:
    running.simulator.reset(SHOP)
    yield


@pytest_asyncio.fixture
async def sim(running: RunningShopify) -> AsyncIterator[Sim]:
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield Sim(running, http)


def _calculated(line_gid: str) -> str:
    return "gid://shopify/CalculatedLineItem/" + line_gid.rsplit("/", 1)[1]


async def test_variants_are_found_by_sku(sim: Sim) -> None:
    wanted = await sim.variant("SUB-A", "55.00")
    await sim.variant("SUB-AB", "10.00")
    found = (await sim.data(VARIANTS, {"q": "sku:'SUB-A'"}))["productVariants"]["nodes"]
    assert [(v["id"], v["sku"], Decimal(v["price"])) for v in found] == [(wanted, "SUB-A", Decimal("55.00"))]
    assert (await sim.data(VARIANTS, {"q": "sku:NOPE"}))["productVariants"]["nodes"] == []


async def test_add_variant_refusals(sim: Sim) -> None:
    lamp_variant = await sim.variant("LAMP", "40.00")
    archived = await sim.variant("OLD", "10.00", status="ARCHIVED")
    scarce = await sim.variant("SCARCE", "10.00", stock=1)
    order, _ = await sim.order(lamp_variant)
    calculated = await sim.begin(order)
    for variant, quantity, field, message in [
        ("gid://shopify/ProductVariant/1", 1, ["variantId"], "does not exist"),
        (archived, 1, ["variantId"], "not available for sale"),
        (scarce, 2, ["quantity"], "in stock"),
        (scarce, 0, ["quantity"], "greater than 0"),
        (lamp_variant, 1, ["variantId"], "already on the order"),  # no allowDuplicates: refused
    ]:
        refused = await sim.add(calculated, variant, quantity)
        assert refused["calculatedLineItem"] is None, refused
        assert refused["userErrors"][0]["field"] == field and message in refused["userErrors"][0]["message"]

    duplicate = await sim.add(calculated, lamp_variant, 1, dup=True)
    assert duplicate["userErrors"] == [] and duplicate["calculatedLineItem"]["sku"] == "LAMP"


async def test_discounts_only_on_lines_added_in_the_edit(sim: Sim) -> None:
    dearer = await sim.variant("SUB-DEAR", "55.00")
    order, lamp = await sim.order()
    calculated = await sim.begin(order)
    added = (await sim.add(calculated, dearer, 2))["calculatedLineItem"]
    usd = {"amount": "15.00", "currencyCode": "USD"}

    on_original = await sim.data(
        DISCOUNT, {"id": calculated, "line": _calculated(lamp), "discount": {"fixedValue": usd}}
    )
    refused = on_original["orderEditAddLineItemDiscount"]
    assert refused["calculatedLineItem"] is None and "added in this edit" in refused["userErrors"][0]["message"]
    both = {"fixedValue": usd, "percentValue": 10.0}
    refused = (await sim.data(DISCOUNT, {"id": calculated, "line": added["id"], "discount": both}))[
        "orderEditAddLineItemDiscount"
    ]
    assert refused["userErrors"][0]["field"] == ["discount"]

    discount = {"fixedValue": usd, "description": "same price"}
    done = (await sim.data(DISCOUNT, {"id": calculated, "line": added["id"], "discount": discount}))[
        "orderEditAddLineItemDiscount"
    ]
    assert done["userErrors"] == []
    assert done["calculatedLineItem"]["hasStagedLineItemDiscount"] is True
    assert Decimal(done["calculatedLineItem"]["discountedUnitPriceSet"]["shopMoney"]["amount"]) == 40  # per unit
    staged = done["addedDiscountStagedChange"]
    assert (staged["description"], Decimal(staged["value"]["amount"])) == ("same price", Decimal(15))


async def test_commit_adds_the_line_and_changes_the_totals(sim: Sim) -> None:
    dearer = await sim.variant("SUB-DEAR", "55.00", stock=5)
    cheaper = await sim.variant("SUB-CHEAP", "30.00", stock=5)
    order, lamp = await sim.order()
    calculated = await sim.begin(order)
    assert (await sim.data(SET_QUANTITY, {"id": calculated, "line": _calculated(lamp), "q": 0}))[
        "orderEditSetQuantity"
    ]["userErrors"] == []
    dear_line = (await sim.add(calculated, dearer, 1))["calculatedLineItem"]["id"]
    await sim.data(
        DISCOUNT,
        {"id": calculated, "line": dear_line, "discount": {"fixedValue": {"amount": "15.00", "currencyCode": "USD"}}},
    )
    await sim.add(calculated, cheaper, 1)
    before = (await sim.data(ORDER_STATE, {"id": order}))["order"]
    assert Decimal(before["totalPriceSet"]["shopMoney"]["amount"]) == 80  # nothing applied before the commit

    committed = (await sim.data(COMMIT, {"id": calculated}))["orderEditCommit"]
    assert committed["userErrors"] == []
    after = (await sim.data(ORDER_STATE, {"id": order}))["order"]
    lines = {li["sku"]: li for li in after["lineItems"]["nodes"]}
    assert lines["LAMP"]["currentQuantity"] == 0
    assert lines["SUB-DEAR"]["id"] == "gid://shopify/LineItem/" + dear_line.rsplit("/", 1)[1]  # the id it was given
    assert (lines["SUB-DEAR"]["quantity"], lines["SUB-DEAR"]["variant"]["id"]) == (1, dearer)
    assert Decimal(lines["SUB-DEAR"]["totalDiscountSet"]["shopMoney"]["amount"]) == 15
    assert Decimal(lines["SUB-CHEAP"]["totalDiscountSet"]["shopMoney"]["amount"]) == 0
    # 80.00 of lamps out; 40.00 (55.00 less 15.00) and 30.00 in: the customer is owed 10.00.
    assert Decimal(after["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("70.00")
    assert Decimal(after["totalOutstandingSet"]["shopMoney"]["amount"]) == 0
    # The lamps' fulfillment order closed with nothing left in it; the substitutes ship from a new one.
    shipping = [
        [(i["lineItem"]["sku"], i["remainingQuantity"]) for i in fo["lineItems"]["nodes"]]
        for fo in after["fulfillmentOrders"]["nodes"]
    ]
    assert shipping == [[("LAMP", 0)], [("SUB-DEAR", 1), ("SUB-CHEAP", 1)]]
    stock = (await sim.data(VARIANT_STOCK, {"id": dearer}))["productVariant"]["inventoryQuantity"]
    assert stock == 4
