"""The Shopify simulator's after-sales, B2B and catalogue surface, over real HTTP with raw GraphQL:
the refusals a connector must be ready for, the webhooks, and the sandbox admin routes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from sandbox.config import ShopConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.shopify.standalone import RunningShopify, WebhookRecorder, serve_recorder, serve_simulator

SHOP = "commerce.myshopify.com"
TOKEN = "shpat_commerce"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_commerce"))

ORDER = """
mutation($o: OrderCreateOrderInput!) {
  orderCreate(order: $o) {
    order { id name lineItems(first: 5) { nodes { id } } fulfillmentOrders(first: 5) { nodes { id } }
            transactions { id } }
    userErrors { field message }
  }
}
"""
FULFIL = """
mutation($f: FulfillmentV2Input!) {
  fulfillmentCreateV2(fulfillment: $f) {
    fulfillment { id name fulfillmentLineItems(first: 5) { nodes { id quantity } } }
    userErrors { field message }
  }
}
"""
REFUND = """
mutation($i: RefundInput!) {
  refundCreate(input: $i) { refund { id } order { displayFinancialStatus } userErrors { field message } }
}
"""
RETURN = """
mutation($i: ReturnRequestInput!) {
  returnRequest(input: $i) { return { id status } userErrors { field message code } }
}
"""


def _money(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


@dataclass
class Sim:
    running: RunningShopify
    hooks: WebhookRecorder
    http: httpx.AsyncClient

    async def body(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.running.base_url(SHOP)}/admin/api/2025-01/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": TOKEN},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.body(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def subscribe(self, *topics: str) -> None:
        for topic in topics:
            await self.data(
                "mutation($t: WebhookSubscriptionTopic!, $u: URL!) { webhookSubscriptionCreate(topic: $t, "
                "webhookSubscription: {callbackUrl: $u, format: JSON}) { userErrors { message } } }",
                {"t": topic, "u": self.hooks.url},
            )

    async def order(self, **overrides: Any) -> dict[str, Any]:
        order_input = {
            "currency": "USD",
            "lineItems": [{"title": "Lamp", "quantity": 2, "priceSet": _money("40.00")}],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": _money("80.00")}],
            **overrides,
        }
        created = (await self.data(ORDER, {"o": order_input}))["orderCreate"]
        assert created["userErrors"] == [], created
        order: dict[str, Any] = created["order"]
        return order

    async def admin_post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.http.post(f"{self.running.admin(SHOP)}{path}", json=body)


@pytest_asyncio.fixture(scope="module")
async def running() -> AsyncIterator[tuple[RunningShopify, WebhookRecorder]]:
    async with serve_simulator([CONFIG]) as running, serve_recorder() as hooks:
        yield running, hooks


@pytest.fixture(autouse=True)
def _fresh(running: tuple[RunningShopify, WebhookRecorder]) -> Iterator[None]:
    running[0].simulator.reset(SHOP)
    running[0].world.faults.clear()
    running[1].received.clear()
    yield
    running[0].world.faults.clear()


@pytest_asyncio.fixture
async def sim(running: tuple[RunningShopify, WebhookRecorder]) -> AsyncIterator[Sim]:
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield Sim(running[0], running[1], http)


async def test_fulfilment_rules_and_webhooks(sim: Sim) -> None:
    await sim.subscribe("FULFILLMENTS_CREATE", "ORDERS_PARTIALLY_FULFILLED", "ORDERS_FULFILLED")
    order = await sim.order()
    fo = order["fulfillmentOrders"]["nodes"][0]["id"]
    items = await sim.data(
        "query($id: ID!) { fulfillmentOrder(id: $id) { lineItems(first: 5) { nodes { id remainingQuantity } } } }",
        {"id": fo},
    )
    fo_item = items["fulfillmentOrder"]["lineItems"]["nodes"][0]["id"]
    one = {
        "lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": [{"id": fo_item, "quantity": 1}]}
        ]
    }
    too_many = {
        "lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": [{"id": fo_item, "quantity": 3}]}
        ]
    }

    refused = (await sim.data(FULFIL, {"f": too_many}))["fulfillmentCreateV2"]
    assert refused["fulfillment"] is None and "exceeds" in refused["userErrors"][0]["message"]
    first = (await sim.data(FULFIL, {"f": one}))["fulfillmentCreateV2"]
    assert first["fulfillment"]["name"] == f"{order['name']}.1"
    status = await sim.data(
        "query($id: ID!) { order(id: $id) { displayFulfillmentStatus fulfillmentOrders(first: 5) { nodes { status } } "
        "lineItems(first: 5) { nodes { unfulfilledQuantity fulfillmentStatus } } } }",
        {"id": order["id"]},
    )
    assert status["order"]["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    assert status["order"]["fulfillmentOrders"]["nodes"][0]["status"] == "IN_PROGRESS"
    assert status["order"]["lineItems"]["nodes"][0] == {"unfulfilledQuantity": 1, "fulfillmentStatus": "partial"}

    held_order = await sim.order()
    held_fo = held_order["fulfillmentOrders"]["nodes"][0]["id"]
    await sim.data(
        "mutation($id: ID!) { fulfillmentOrderHold(id: $id, fulfillmentHold: {reason: OTHER}) "
        "{ userErrors { message } } }",
        {"id": held_fo},
    )
    held = await sim.data(FULFIL, {"f": {"lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": held_fo}]}})
    assert "unfulfillable status= on_hold" in held["fulfillmentCreateV2"]["userErrors"][0]["message"]
    other = await sim.order()
    mixed = {
        "lineItemsByFulfillmentOrder": [
            {"fulfillmentOrderId": fo},
            {"fulfillmentOrderId": other["fulfillmentOrders"]["nodes"][0]["id"]},
        ]
    }
    assert (await sim.data(FULFIL, {"f": mixed}))["fulfillmentCreateV2"]["userErrors"]

    shipped = await sim.admin_post(f"/orders/{other['id'].rsplit('/', 1)[1]}/fulfill", {})
    assert shipped.status_code == 201 and shipped.json()["fulfillment"]["status"] == "success"
    assert (await sim.admin_post(f"/orders/{other['id'].rsplit('/', 1)[1]}/fulfill", {})).status_code == 422
    [done] = await sim.hooks.wait_for("orders/fulfilled")
    assert done.json()["fulfillment_status"] == "fulfilled" and len(done.json()["fulfillments"]) == 1
    assert (await sim.hooks.wait_for("orders/partially_fulfilled"))[0].json()["fulfillment_status"] == "partial"
    assert len(await sim.hooks.wait_for("fulfillments/create", count=2)) == 2


async def test_refund_input_is_the_schema_not_the_reference_wording(sim: Sim) -> None:
    """`RefundInput.shipping` is `ShippingRefundInput {amount, fullRefund}`; the reference's
    `shippingRefundAmount` belongs to another input type and is refused before anything runs."""
    order = await sim.order(
        shippingLines=[{"title": "Std", "priceSet": _money("5.00")}],
        transactions=[{"kind": "SALE", "status": "SUCCESS", "amountSet": _money("85.00")}],
    )
    body = await sim.body(
        REFUND,
        {"i": {"orderId": order["id"], "shipping": {"shippingRefundAmount": {"amount": "5", "currencyCode": "USD"}}}},
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    ok = (await sim.data(REFUND, {"i": {"orderId": order["id"], "shipping": {"amount": "5.00"}}}))["refundCreate"]
    assert ok["userErrors"] == [] and ok["order"]["displayFinancialStatus"] == "PAID"  # no money moved
    again = (await sim.data(REFUND, {"i": {"orderId": order["id"], "shipping": {"amount": "0.01"}}}))["refundCreate"]
    assert "exceeds the refundable shipping" in again["userErrors"][0]["message"]


async def test_refund_transaction_rules(sim: Sim) -> None:
    await sim.subscribe("REFUNDS_CREATE")
    order = await sim.order()
    [sale] = order["transactions"]

    def tx(**overrides: Any) -> dict[str, Any]:
        return {
            "orderId": order["id"],
            "parentId": sale["id"],
            "amount": "10.00",
            "gateway": "manual",
            "kind": "REFUND",
            **overrides,
        }

    cases = [
        (tx(kind="CAPTURE"), "Kind must be REFUND"),
        (tx(gateway="paypal"), "Gateway must be the parent's gateway"),
        (tx(parentId="gid://shopify/OrderTransaction/1"), "Parent transaction does not exist"),
        (tx(amount="80.01"), "left to refund"),
    ]
    for transaction, message in cases:
        refused = (await sim.data(REFUND, {"i": {"orderId": order["id"], "transactions": [transaction]}}))[
            "refundCreate"
        ]
        assert refused["refund"] is None and message in refused["userErrors"][0]["message"], refused
    partial = (await sim.data(REFUND, {"i": {"orderId": order["id"], "transactions": [tx()]}}))["refundCreate"]
    assert partial["order"]["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    rest = (await sim.data(REFUND, {"i": {"orderId": order["id"], "transactions": [tx(amount="70.00")]}}))[
        "refundCreate"
    ]
    assert rest["order"]["displayFinancialStatus"] == "REFUNDED"
    [first, _second] = await sim.hooks.wait_for("refunds/create", count=2)
    assert first.json()["transactions"][0]["parent_id"] == int(sale["id"].rsplit("/", 1)[1])


async def test_returns_need_shipped_units_and_a_valid_state(sim: Sim) -> None:
    await sim.subscribe("RETURNS_REQUEST")
    order = await sim.order()
    unshipped = (
        await sim.data(
            RETURN,
            {
                "i": {
                    "orderId": order["id"],
                    "returnLineItems": [
                        {
                            "fulfillmentLineItemId": "gid://shopify/FulfillmentLineItem/1",
                            "quantity": 1,
                            "returnReason": "UNWANTED",
                        }
                    ],
                }
            },
        )
    )["returnRequest"]
    assert unshipped["userErrors"][0]["code"] == "NOT_FOUND"
    await sim.admin_post(f"/orders/{order['id'].rsplit('/', 1)[1]}/fulfill", {})
    found = await sim.data(
        "query($id: ID!) { returnableFulfillments(orderId: $id, first: 5) { nodes { returnableFulfillmentLineItems("
        "first: 5) { nodes { quantity fulfillmentLineItem { id } } } } } }",
        {"id": order["id"]},
    )
    [item] = found["returnableFulfillments"]["nodes"][0]["returnableFulfillmentLineItems"]["nodes"]
    line = {"fulfillmentLineItemId": item["fulfillmentLineItem"]["id"], "quantity": 2, "returnReason": "DEFECTIVE"}
    created = (await sim.data(RETURN, {"i": {"orderId": order["id"], "returnLineItems": [line]}}))["returnRequest"]
    assert created["return"]["status"] == "REQUESTED"
    none_left = await sim.data(RETURN, {"i": {"orderId": order["id"], "returnLineItems": [{**line, "quantity": 1}]}})
    assert none_left["returnRequest"]["userErrors"][0]["code"] == "LESS_THAN_OR_EQUAL_TO"
    status = await sim.data("query($id: ID!) { order(id: $id) { returnStatus } }", {"id": order["id"]})
    assert status["order"]["returnStatus"] == "RETURN_REQUESTED"

    sim.running.world.faults.add(
        FaultRule(system="shopify", operation="returnApproveRequest", effect=FaultEffect.USER_ERROR, message="Paused")
    )
    approve = (
        "mutation($i: ReturnApproveRequestInput!) { returnApproveRequest(input: $i) "
        "{ return { status } userErrors { message } } }"
    )
    forced = (await sim.data(approve, {"i": {"id": created["return"]["id"]}}))["returnApproveRequest"]
    assert forced == {"return": None, "userErrors": [{"message": "Paused"}]}
    [request] = await sim.hooks.wait_for("returns/request")
    payload = request.json()
    assert payload["status"] == "requested" and payload["order"]["admin_graphql_api_id"] == order["id"]
    assert payload["return_line_items"][0]["return_reason"] == "defective"


async def test_disputes_admin_route_and_node_lookups(sim: Sim) -> None:
    unpaid = await sim.order(transactions=[])
    refused = await sim.admin_post("/disputes", {"order_id": unpaid["id"]})
    assert refused.status_code == 422 and "no captured payment" in refused.text
    assert (await sim.admin_post("/disputes", {"order_id": "gid://shopify/Order/1"})).status_code == 422
    assert (await sim.admin_post("/disputes", {"order_id": unpaid["id"], "reason": "BORED"})).status_code == 422
    order = await sim.order()
    opened = (await sim.admin_post("/disputes", {"order_id": order["id"], "amount": "30.00", "type": "INQUIRY"})).json()
    dispute = opened["dispute"]
    assert (dispute["amount"], dispute["type"], dispute["status"]) == ("30.00", "inquiry", "needs_response")
    nodes = await sim.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        {"ids": [dispute["admin_graphql_api_id"], dispute["evidence_admin_graphql_api_id"]]},
    )
    assert [n["__typename"] for n in nodes["nodes"]] == ["ShopifyPaymentsDispute", "ShopifyPaymentsDisputeEvidence"]
    summary = await sim.data(
        "query($id: ID!) { order(id: $id) { disputes { initiatedAs status } } }", {"id": order["id"]}
    )
    assert summary["order"]["disputes"] == [{"initiatedAs": "INQUIRY", "status": "NEEDS_RESPONSE"}]
    files = await sim.data(
        "mutation($id: ID!) { disputeEvidenceUpdate(id: $id, input: {uncategorizedFile: "
        '{id: "gid://shopify/ShopifyPaymentsDisputeFileUpload/1"}}) '
        "{ userErrors { code field } } }",
        {"id": dispute["evidence_admin_graphql_api_id"]},
    )
    assert files["disputeEvidenceUpdate"]["userErrors"][0]["code"] == "INVALID"


async def test_b2b_and_catalogue_refusals(sim: Sim) -> None:
    assert (await sim.admin_post("/products", {"title": "Bulb", "published_on": ["Moon"]})).status_code == 422
    product = (
        await sim.admin_post("/products", {"title": "Bulb", "variants": [{"price": "3.00", "sku": "B"}]})
    ).json()["product"]
    company = await sim.data(
        'mutation { companyCreate(input: {company: {name: "  "}}) { company { id } userErrors { code field } } }'
    )
    assert company["companyCreate"]["userErrors"] == [{"code": "BLANK", "field": ["input", "company", "name"]}]
    draft = await sim.data(
        "mutation($v: ID!) { draftOrderCreate(input: {lineItems: [{variantId: $v, quantity: 1}]}) "
        "{ draftOrder { id totalPriceSet { shopMoney { amount } } } userErrors { message } } }",
        {"v": product["variants"][0]["admin_graphql_api_id"]},
    )
    draft_id = draft["draftOrderCreate"]["draftOrder"]["id"]
    assert draft["draftOrderCreate"]["draftOrder"]["totalPriceSet"]["shopMoney"]["amount"] == "3.0"
    no_email = await sim.data(
        "mutation($id: ID!) { draftOrderInvoiceSend(id: $id) { draftOrder { id } userErrors { message } } }",
        {"id": draft_id},
    )
    assert no_email["draftOrderInvoiceSend"]["userErrors"][0]["message"] == "To can't be blank"
    tagged = await sim.data(
        'mutation($id: ID!) { tagsAdd(id: $id, tags: ["casebridge-x"]) '
        "{ node { ... on DraftOrder { tags } } userErrors { message } } }",
        {"id": draft_id},
    )
    assert tagged["tagsAdd"]["node"]["tags"] == ["casebridge-x"]
    search = await sim.body('{ draftOrders(first: 5, query: "tagz:casebridge-x") { nodes { id } } }')
    assert search["extensions"]["search"][0]["warnings"][0]["field"] == "tagz"
    assert len(search["data"]["draftOrders"]["nodes"]) == 1  # an unknown filter matches everything
    too_deep = await sim.data(
        'mutation { priceListCreate(input: {name: "Deep", currency: USD, parent: {adjustment: '
        "{type: PERCENTAGE_DECREASE, value: 150}}}) { priceList { id } userErrors { code } } }"
    )
    assert too_deep["priceListCreate"]["userErrors"] == [{"code": "INVALID_ADJUSTMENT_MAX_VALUE"}]
    state = (await sim.http.get(f"{sim.running.admin(SHOP)}/commerce")).json()
    assert [p["handle"] for p in state["products"]] == ["bulb"] and state["price_lists"] == []
    assert (await sim.http.get(f"{sim.running.origin}/shopify/nobody.myshopify.com/_admin/commerce")).status_code == 404


def test_rest_topics_cover_every_emitted_topic() -> None:
    from sandbox.shopify.webhooks import REST_TOPICS, rest_topic

    assert rest_topic("DRAFT_ORDERS_CREATE") == "draft_orders/create" == REST_TOPICS["DRAFT_ORDERS_CREATE"]
    assert rest_topic("COMPANY_CONTACTS_DELETE") == "company_contacts/delete"  # derived, not listed
    assert json.dumps(sorted(REST_TOPICS.values()))  # all plain strings
