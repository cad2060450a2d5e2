"""A draft order line's `appliedDiscount` in the Shopify simulator over real HTTP: PERCENTAGE and
FIXED_AMOUNT (off each unit) on variant and custom lines, the draft's discounted totals, the order
that completing it creates (line discount allocations, discount applications, totals, payment) and
the stock it takes, and the values Shopify refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from sandbox.config import ShopConfig
from sandbox.shopify.standalone import RunningShopify, serve_simulator

SHOP = "draft-discounts.myshopify.com"
TOKEN = "shpat_draft_discounts"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_draft_discounts"))

_MONEY = "shopMoney { amount currencyCode }"
CREATE = f"""
mutation($input: DraftOrderInput!) {{
  draftOrderCreate(input: $input) {{
    draftOrder {{
      id
      subtotalPriceSet {{ {_MONEY} }}
      totalLineItemsPriceSet {{ {_MONEY} }}
      totalDiscountsSet {{ {_MONEY} }}
      totalPriceSet {{ {_MONEY} }}
      lineItems(first: 5) {{
        nodes {{
          sku custom
          originalTotalSet {{ {_MONEY} }}
          discountedTotalSet {{ {_MONEY} }}
          totalDiscountSet {{ {_MONEY} }}
          approximateDiscountedUnitPriceSet {{ {_MONEY} }}
          appliedDiscount {{ title description value valueType amountSet {{ {_MONEY} }} }}
        }}
      }}
    }}
    userErrors {{ field message }}
  }}
}}
"""
COMPLETE = """
mutation($id: ID!) {
  draftOrderComplete(id: $id) { draftOrder { status order { id } } userErrors { field message } }
}
"""
ORDER = f"""
query($id: ID!) {{
  order(id: $id) {{
    displayFinancialStatus
    totalPriceSet {{ {_MONEY} }}
    subtotalPriceSet {{ {_MONEY} }}
    totalDiscountsSet {{ {_MONEY} }}
    transactions(first: 5) {{ amountSet {{ {_MONEY} }} }}
    discountApplications(first: 5) {{
      nodes {{ __typename index allocationMethod targetSelection targetType }}
    }}
    lineItems(first: 5) {{
      nodes {{
        sku quantity variant {{ id }}
        discountedTotalSet {{ {_MONEY} }}
        totalDiscountSet {{ {_MONEY} }}
        discountAllocations {{
          allocatedAmountSet {{ {_MONEY} }}
          discountApplication {{
            __typename index
            value {{
              __typename
              ... on PricingPercentageValue {{ percentage }}
              ... on MoneyV2 {{ amount currencyCode }}
            }}
            ... on ManualDiscountApplication {{ title description }}
          }}
        }}
      }}
    }}
  }}
}}
"""
STOCK = "query($id: ID!) { productVariant(id: $id) { inventoryQuantity } }"
DRAFTS = "{ draftOrders(first: 10) { nodes { id } } }"


def _amount(bag: dict[str, Any]) -> str:
    money: dict[str, Any] = bag["shopMoney"]
    assert money["currencyCode"] == "USD"
    return str(money["amount"])


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

    async def variant(self, sku: str, price: str, stock: int) -> str:
        seed = {"title": f"Lamp {sku}", "variants": [{"sku": sku, "price": price, "inventory_quantity": stock}]}
        response = await self.http.post(f"{self.running.admin(SHOP)}/products", json=seed)
        assert response.status_code == 201, response.text
        gid: str = response.json()["product"]["variants"][0]["admin_graphql_api_id"]
        return gid

    async def create(self, *lines: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = (await self.data(CREATE, {"input": {"lineItems": list(lines)}}))["draftOrderCreate"]
        return payload

    async def complete(self, draft_gid: str) -> str:
        payload = (await self.data(COMPLETE, {"id": draft_gid}))["draftOrderComplete"]
        assert payload["userErrors"] == [] and payload["draftOrder"]["status"] == "COMPLETED", payload
        order_gid: str = payload["draftOrder"]["order"]["id"]
        return order_gid

    async def order(self, order_gid: str) -> dict[str, Any]:
        order: dict[str, Any] = (await self.data(ORDER, {"id": order_gid}))["order"]
        return order

    async def stock(self, variant_gid: str) -> int:
        return int((await self.data(STOCK, {"id": variant_gid}))["productVariant"]["inventoryQuantity"])

    async def draft_count(self) -> int:
        return len((await self.data(DRAFTS))["draftOrders"]["nodes"])


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


def _percent(value: float, title: str | None = "Casebridge replacement") -> dict[str, Any]:
    return {"value": value, "valueType": "PERCENTAGE", **({"title": title} if title else {})}


async def test_a_free_variant_line_becomes_a_free_order_of_that_variant(sim: Sim) -> None:
    lamp = await sim.variant("LAMP-1", "40.00", stock=10)
    created = await sim.create({"variantId": lamp, "quantity": 2, "appliedDiscount": _percent(100)})
    assert created["userErrors"] == []
    draft = created["draftOrder"]
    assert _amount(draft["totalLineItemsPriceSet"]) == "80.0"
    assert _amount(draft["totalDiscountsSet"]) == "80.0"
    assert _amount(draft["subtotalPriceSet"]) == _amount(draft["totalPriceSet"]) == "0.0"
    line = draft["lineItems"]["nodes"][0]
    assert (line["sku"], line["custom"]) == ("LAMP-1", False)
    assert _amount(line["originalTotalSet"]) == "80.0"
    assert _amount(line["discountedTotalSet"]) == _amount(line["approximateDiscountedUnitPriceSet"]) == "0.0"
    assert _amount(line["totalDiscountSet"]) == "80.0"
    applied = line["appliedDiscount"]
    assert (applied["title"], applied["value"], applied["valueType"]) == ("Casebridge replacement", 100.0, "PERCENTAGE")
    assert applied["description"] == "" and _amount(applied["amountSet"]) == "80.0"

    order = await sim.order(await sim.complete(draft["id"]))

    assert order["displayFinancialStatus"] == "PAID"
    assert order["transactions"] == []  # nothing to pay
    assert _amount(order["totalPriceSet"]) == _amount(order["subtotalPriceSet"]) == "0.0"
    assert _amount(order["totalDiscountsSet"]) == "80.0"
    (item,) = order["lineItems"]["nodes"]
    assert (item["sku"], item["quantity"], item["variant"]) == ("LAMP-1", 2, {"id": lamp})
    assert _amount(item["discountedTotalSet"]) == "0.0" and _amount(item["totalDiscountSet"]) == "80.0"
    (allocation,) = item["discountAllocations"]
    assert _amount(allocation["allocatedAmountSet"]) == "80.0"
    assert allocation["discountApplication"] == {
        "__typename": "ManualDiscountApplication",
        "index": 0,
        "value": {"__typename": "PricingPercentageValue", "percentage": 100.0},
        "title": "Casebridge replacement",
        "description": None,
    }
    assert order["discountApplications"]["nodes"] == [
        {
            "__typename": "ManualDiscountApplication",
            "index": 0,
            "allocationMethod": "ONE",
            "targetSelection": "EXPLICIT",
            "targetType": "LINE_ITEM",
        }
    ]
    assert await sim.stock(lamp) == 8  # completing took the units out of stock


async def test_a_fixed_amount_comes_off_each_unit_and_never_below_zero(sim: Sim) -> None:
    lamp = await sim.variant("LAMP-2", "40.00", stock=5)
    fixed = {"value": 5, "valueType": "FIXED_AMOUNT", "description": "Scratched box"}
    too_much = {"value": 25, "valueType": "FIXED_AMOUNT"}
    created = await sim.create(
        {"variantId": lamp, "quantity": 2, "appliedDiscount": fixed},
        {
            "title": "Shade",
            "sku": "SHADE",
            "quantity": 1,
            "originalUnitPriceWithCurrency": {"amount": "20.00", "currencyCode": "USD"},
            "appliedDiscount": too_much,
        },
    )
    assert created["userErrors"] == []
    draft = created["draftOrder"]
    lamp_line, shade_line = draft["lineItems"]["nodes"]
    assert _amount(lamp_line["discountedTotalSet"]) == "70.0" and _amount(lamp_line["totalDiscountSet"]) == "10.0"
    assert _amount(shade_line["discountedTotalSet"]) == "0.0" and _amount(shade_line["totalDiscountSet"]) == "20.0"
    assert _amount(draft["totalPriceSet"]) == "70.0" and _amount(draft["totalDiscountsSet"]) == "30.0"

    order = await sim.order(await sim.complete(draft["id"]))

    assert _amount(order["totalPriceSet"]) == "70.0"
    assert [_amount(t["amountSet"]) for t in order["transactions"]] == ["70.0"]
    lamp_item, shade_item = order["lineItems"]["nodes"]
    assert [a["discountApplication"]["index"] for a in lamp_item["discountAllocations"]] == [0]
    assert lamp_item["discountAllocations"][0]["discountApplication"]["value"] == {
        "__typename": "MoneyV2",
        "amount": "5.0",
        "currencyCode": "USD",
    }
    assert lamp_item["discountAllocations"][0]["discountApplication"]["title"] == "Scratched box"
    assert _amount(shade_item["discountAllocations"][0]["allocatedAmountSet"]) == "20.0"
    assert shade_item["discountAllocations"][0]["discountApplication"]["index"] == 1
    assert len(order["discountApplications"]["nodes"]) == 2
    assert await sim.stock(lamp) == 3


async def test_lines_without_a_discount_complete_as_before(sim: Sim) -> None:
    lamp = await sim.variant("LAMP-3", "40.00", stock=4)
    created = await sim.create({"variantId": lamp, "quantity": 1})
    draft = created["draftOrder"]
    assert _amount(draft["totalPriceSet"]) == "40.0" and draft["lineItems"]["nodes"][0]["appliedDiscount"] is None

    order = await sim.order(await sim.complete(draft["id"]))

    assert order["lineItems"]["nodes"][0]["discountAllocations"] == []
    assert order["discountApplications"]["nodes"] == []
    assert _amount(order["totalPriceSet"]) == "40.0"
    assert await sim.stock(lamp) == 3


@pytest.mark.parametrize(
    ("discount", "message", "field"),
    [
        (_percent(100.5), "Value must be less than or equal to 100", "value"),
        (_percent(-1), "Value must be greater than or equal to 0", "value"),
        ({"value": -2, "valueType": "FIXED_AMOUNT"}, "Value must be greater than or equal to 0", "value"),
        (
            {**_percent(50), "amountWithCurrency": {"amount": "10.00", "currencyCode": "USD"}},
            "Amount must correspond to that calculated from the value",
            "amountWithCurrency",
        ),
        (
            {**_percent(50), "amountWithCurrency": {"amount": "40.00", "currencyCode": "EUR"}},
            "Amount must be in the draft order's currency (USD)",
            "amountWithCurrency",
        ),
    ],
)
async def test_refused_discounts_create_no_draft(sim: Sim, discount: dict[str, Any], message: str, field: str) -> None:
    lamp = await sim.variant("LAMP-4", "40.00", stock=4)
    created = await sim.create({"variantId": lamp, "quantity": 2, "appliedDiscount": discount})
    assert created["draftOrder"] is None
    assert created["userErrors"] == [{"field": ["lineItems", "0", "appliedDiscount", field], "message": message}]
    assert await sim.draft_count() == 0


async def test_an_amount_that_matches_the_value_is_accepted(sim: Sim) -> None:
    lamp = await sim.variant("LAMP-5", "40.00", stock=4)
    discount = {**_percent(50), "amountWithCurrency": {"amount": "40.00", "currencyCode": "USD"}}
    created = await sim.create({"variantId": lamp, "quantity": 2, "appliedDiscount": discount})
    assert created["userErrors"] == []
    assert _amount(created["draftOrder"]["totalPriceSet"]) == "40.0"
