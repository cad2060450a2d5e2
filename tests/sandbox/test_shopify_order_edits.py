"""Order edits in the Shopify simulator, over real HTTP: raw GraphQL for the rules Shopify enforces
(staged changes touch nothing until the commit; a committed calculated order takes no more changes;
shipped units cannot be edited away), then the connector's repeat-safe edit and refund; and
`fulfillmentOrderSplit`, which moves the units given to a new fulfillment order."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.errors import ConflictError
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.client import ShopifyClient
from sandbox.config import ShopConfig
from sandbox.shopify.standalone import RunningShopify, WebhookRecorder, serve_recorder, serve_simulator

SHOP = "edits.myshopify.com"
TOKEN = "shpat_edits"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_edits"))

ORDER = """
mutation($o: OrderCreateOrderInput!) {
  orderCreate(order: $o) {
    order { id lineItems(first: 5) { nodes { id sku } } fulfillmentOrders(first: 5) { nodes { id } } }
    userErrors { field message }
  }
}
"""
BEGIN = "mutation($id: ID!) { orderEditBegin(id: $id) { calculatedOrder { id } userErrors { field message } } }"
SET_QUANTITY = """
mutation($id: ID!, $line: ID!, $q: Int!) {
  orderEditSetQuantity(id: $id, lineItemId: $line, quantity: $q, restock: true) {
    calculatedLineItem { id quantity editableQuantity restocking }
    calculatedOrder { id lineItems(first: 5) { nodes { id quantity } } }
    userErrors { field message }
  }
}
"""
COMMIT = """
mutation($id: ID!) {
  orderEditCommit(id: $id, notifyCustomer: false, staffNote: "out of stock") {
    order { id lineItems(first: 5) { nodes { sku currentQuantity refundableQuantity } } }
    userErrors { field message }
  }
}
"""
LINES = """
query($id: ID!) {
  order(id: $id) {
    displayFinancialStatus
    lineItems(first: 5) { nodes { sku quantity currentQuantity unfulfilledQuantity } }
    fulfillmentOrders(first: 5) { nodes { status lineItems(first: 5) { nodes { remainingQuantity } } } }
    refunds(first: 5) { note totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes { id } } }
  }
}
"""


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


@dataclass
class Sim:
    running: RunningShopify
    http: httpx.AsyncClient

    @property
    def graphql_url(self) -> str:
        return f"{self.running.base_url(SHOP)}/admin/api/2025-01/graphql.json"

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(
            self.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": TOKEN},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def order(self) -> dict[str, Any]:
        order_input = {
            "currency": "USD",
            "lineItems": [
                {"title": "Lamp", "sku": "LAMP", "quantity": 2, "priceSet": _money("40.00")},
                {"title": "Shade", "sku": "SHADE", "quantity": 1, "priceSet": _money("20.00")},
            ],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": _money("100.00")}],
        }
        created = (await self.data(ORDER, {"o": order_input}))["orderCreate"]
        assert created["userErrors"] == [], created
        order: dict[str, Any] = created["order"]
        return order

    async def lines(self, order_gid: str) -> dict[str, Any]:
        order: dict[str, Any] = (await self.data(LINES, {"id": order_gid}))["order"]
        return order


@pytest_asyncio.fixture(scope="module")
async def running() -> AsyncIterator[tuple[RunningShopify, WebhookRecorder]]:
    async with serve_simulator([CONFIG]) as running, serve_recorder() as hooks:
        yield running, hooks


@pytest.fixture(autouse=True)
def _fresh(running: tuple[RunningShopify, WebhookRecorder]) -> Iterator[None]:
    running[0].simulator.reset(SHOP)
    yield


@pytest_asyncio.fixture
async def sim(running: tuple[RunningShopify, WebhookRecorder]) -> AsyncIterator[Sim]:
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield Sim(running[0], http)


def _calculated(line_gid: str) -> str:
    return "gid://shopify/CalculatedLineItem/" + line_gid.rsplit("/", 1)[1]


async def test_staged_changes_apply_only_on_commit(sim: Sim) -> None:
    order = await sim.order()
    lamp = order["lineItems"]["nodes"][0]["id"]
    begun = (await sim.data(BEGIN, {"id": order["id"]}))["orderEditBegin"]
    assert begun["userErrors"] == []
    calculated = begun["calculatedOrder"]["id"]
    assert calculated.startswith("gid://shopify/CalculatedOrder/")

    staged = (await sim.data(SET_QUANTITY, {"id": calculated, "line": _calculated(lamp), "q": 1}))[
        "orderEditSetQuantity"
    ]
    assert staged["userErrors"] == []
    assert staged["calculatedLineItem"] == {
        "id": _calculated(lamp),
        "quantity": 1,
        "editableQuantity": 1,
        "restocking": True,
    }
    before = await sim.lines(order["id"])
    assert [li["currentQuantity"] for li in before["lineItems"]["nodes"]] == [2, 1]  # nothing applied yet

    committed = (await sim.data(COMMIT, {"id": calculated}))["orderEditCommit"]
    assert committed["userErrors"] == []
    assert committed["order"]["lineItems"]["nodes"][0] == {"sku": "LAMP", "currentQuantity": 1, "refundableQuantity": 1}
    after = await sim.lines(order["id"])
    assert [li["quantity"] for li in after["lineItems"]["nodes"]] == [2, 1]  # the ordered quantity stays
    assert [li["unfulfilledQuantity"] for li in after["lineItems"]["nodes"]] == [1, 1]
    assert [i["remainingQuantity"] for i in after["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"]] == [1, 1]
    assert after["refunds"] == [] and after["displayFinancialStatus"] == "PAID"  # Shopify refunds nothing itself

    again = (await sim.data(COMMIT, {"id": calculated}))["orderEditCommit"]
    assert again["order"] is None and "already been committed" in again["userErrors"][0]["message"]
    late = (await sim.data(SET_QUANTITY, {"id": calculated, "line": _calculated(lamp), "q": 0}))["orderEditSetQuantity"]
    assert "already been committed" in late["userErrors"][0]["message"]


async def test_refusals(sim: Sim) -> None:
    order = await sim.order()
    begun = (await sim.data(BEGIN, {"id": "gid://shopify/Order/1"}))["orderEditBegin"]
    assert begun["calculatedOrder"] is None and begun["userErrors"][0]["field"] == ["id"]
    calculated = (await sim.data(BEGIN, {"id": order["id"]}))["orderEditBegin"]["calculatedOrder"]["id"]
    for line, quantity, message in [
        ("gid://shopify/CalculatedLineItem/1", 0, "does not exist"),
        (_calculated(order["lineItems"]["nodes"][0]["id"]), -1, "greater than or equal to 0"),
    ]:
        refused = (await sim.data(SET_QUANTITY, {"id": calculated, "line": line, "q": quantity}))[
            "orderEditSetQuantity"
        ]
        assert refused["calculatedLineItem"] is None and message in refused["userErrors"][0]["message"]

    # Shipped units cannot be edited away.
    shipped = await sim.http.post(f"{sim.running.admin(SHOP)}/orders/{order['id'].rsplit('/', 1)[1]}/fulfill", json={})
    assert shipped.status_code == 201
    calculated = (await sim.data(BEGIN, {"id": order["id"]}))["orderEditBegin"]["calculatedOrder"]["id"]
    refused = (
        await sim.data(
            SET_QUANTITY, {"id": calculated, "line": _calculated(order["lineItems"]["nodes"][0]["id"]), "q": 1}
        )
    )["orderEditSetQuantity"]
    assert "already fulfilled" in refused["userErrors"][0]["message"]


async def test_connector_edit_and_refund_are_repeat_safe(sim: Sim) -> None:
    order = await sim.order()
    lamp, shade = (line["id"] for line in order["lineItems"]["nodes"])
    shop = ShopifyAdmin(ShopifyClient(sim.running.base_url(SHOP), SecretStr(TOKEN)))
    try:
        targets = {lamp: 1, shade: 0}
        assert await shop.set_line_quantities(order["id"], targets, restock=True, notify_customer=False, staff_note="x")
        # A retry after a lost answer: the lines are at their targets already, nothing is edited again.
        assert not await shop.set_line_quantities(
            order["id"], targets, restock=True, notify_customer=False, staff_note="x"
        )
        first = await shop.refund_owed_once(order["id"], "case-1", Decimal("60.00"), note="lines cancelled")
        again = await shop.refund_owed_once(order["id"], "case-1", Decimal("60.00"), note="lines cancelled")
        assert first.created and not again.created and again.refund.id == first.refund.id
        with pytest.raises(ConflictError):
            await shop.refund_owed_once(order["id"], "case-2", Decimal("40.01"))
    finally:
        await shop.aclose()

    after = await sim.lines(order["id"])
    assert [li["currentQuantity"] for li in after["lineItems"]["nodes"]] == [1, 0]
    [refund] = after["refunds"]
    assert Decimal(refund["totalRefundedSet"]["shopMoney"]["amount"]) == Decimal("60.00")
    assert refund["refundLineItems"]["nodes"] == []  # money only: the edit already took the units off
    assert after["displayFinancialStatus"] == "PARTIALLY_REFUNDED"


SPLIT = """
mutation($splits: [FulfillmentOrderSplitInput!]!) {
  fulfillmentOrderSplit(fulfillmentOrderSplits: $splits) {
    fulfillmentOrderSplits {
      fulfillmentOrder { id status lineItems(first: 5) { nodes { remainingQuantity lineItem { sku } } } }
      remainingFulfillmentOrder { id status lineItems(first: 5) { nodes { remainingQuantity lineItem { sku } } } }
    }
    userErrors { field message code }
  }
}
"""
FO_LINES = "query($id: ID!) { fulfillmentOrder(id: $id) { lineItems(first: 5) { nodes { id remainingQuantity } } } }"


async def test_split_moves_the_given_units_to_a_new_fulfillment_order(sim: Sim) -> None:
    order = await sim.order()
    fo = order["fulfillmentOrders"]["nodes"][0]["id"]
    lamp_item, shade_item = (
        item["id"] for item in (await sim.data(FO_LINES, {"id": fo}))["fulfillmentOrder"]["lineItems"]["nodes"]
    )

    def split(*items: tuple[str, int], fo_id: str = fo) -> dict[str, Any]:
        return {
            "splits": [
                {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": [{"id": i, "quantity": q} for i, q in items]}
            ]
        }

    for variables, code in [
        (split(), "NO_LINE_ITEMS_PROVIDED_TO_SPLIT"),
        (split((lamp_item, 0)), "GREATER_THAN"),
        (split((lamp_item, 3)), "INVALID_LINE_ITEM_QUANTITY"),
        (split((lamp_item, 2), (shade_item, 1)), "INVALID_LINE_ITEM_QUANTITY"),  # nothing would remain
        (split((lamp_item, 1), fo_id="gid://shopify/FulfillmentOrder/1"), "FULFILLMENT_ORDER_NOT_FOUND"),
    ]:
        refused = (await sim.data(SPLIT, variables))["fulfillmentOrderSplit"]
        assert refused["fulfillmentOrderSplits"] is None and refused["userErrors"][0]["code"] == code, refused

    done = (await sim.data(SPLIT, split((lamp_item, 1))))["fulfillmentOrderSplit"]
    assert done["userErrors"] == []
    [result] = done["fulfillmentOrderSplits"]
    kept = [(i["lineItem"]["sku"], i["remainingQuantity"]) for i in result["fulfillmentOrder"]["lineItems"]["nodes"]]
    moved = [
        (i["lineItem"]["sku"], i["remainingQuantity"])
        for i in result["remainingFulfillmentOrder"]["lineItems"]["nodes"]
    ]
    assert result["fulfillmentOrder"]["id"] == fo
    assert kept == [("LAMP", 1), ("SHADE", 1)] and moved == [("LAMP", 1)]
    assert result["remainingFulfillmentOrder"]["status"] == "OPEN"

    hold = (
        "mutation($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER}) "
        "{ userErrors { message } } }"
    )
    assert (await sim.data(hold, {"id": fo}))["fulfillmentOrderHold"]["userErrors"] == []
    held = (await sim.data(SPLIT, split((lamp_item, 1))))["fulfillmentOrderSplit"]
    assert "must be open" in held["userErrors"][0]["message"]
