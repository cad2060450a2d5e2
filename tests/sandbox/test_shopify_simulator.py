"""The Shopify Admin GraphQL simulator over real HTTP: a uvicorn server with the simulator's router,
and a second server that receives its webhooks, both on random local ports.

The app is assembled here (router + deliverer lifecycle) rather than taken from `sandbox.app`, so
these tests depend on nothing but the Shopify package.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import SecretStr

from sandbox.config import SandboxConfig, ShopConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.shopify.api import ShopifySimulator
from sandbox.shopify.webhooks import sign
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld

SHOP = "casebridge-demo.myshopify.com"
SMALL_SHOP = "tiny-bucket.myshopify.com"
TOKEN = "shpat_test_token"
SECRET = "shpss_test_secret"
SPECS = specs_dir() / "shopify" / "webhooks"

CREATE_ORDER = """
mutation Create($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) {
    order {
      id legacyResourceId name email tags note currencyCode sourceIdentifier
      displayFinancialStatus displayFulfillmentStatus cancelledAt
      totalPriceSet { shopMoney { amount currencyCode } }
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalDiscountsSet { shopMoney { amount currencyCode } }
      customer { id email tags firstName lastName }
      shippingAddress { countryCodeV2 country city }
      risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } }
      lineItems(first: 10) { nodes { id title quantity } }
      fulfillmentOrders(first: 5) { nodes { id status fulfillmentHolds { id } } }
    }
    userErrors { field message code }
  }
}
"""

GET_ORDER = """
query Get($id: ID!) {
  order(id: $id) {
    id name tags note cancelledAt cancelReason closed displayFinancialStatus displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    fulfillmentOrders(first: 5) {
      nodes { id status requestStatus fulfillmentHolds { id handle reason reasonNotes heldByRequestingApp } }
    }
  }
}
"""

HOLD = """
mutation Hold($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    fulfillmentHold { id handle reason reasonNotes heldByRequestingApp }
    fulfillmentOrder { id status }
    remainingFulfillmentOrder { id status }
    userErrors { field message code }
  }
}
"""

RELEASE = """
mutation Release($id: ID!, $holdIds: [ID!]) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
    fulfillmentOrder { id status fulfillmentHolds { id } }
    userErrors { field message code }
  }
}
"""

CANCEL = """
mutation Cancel($id: ID!) {
  orderCancel(orderId: $id, reason: CUSTOMER, refund: true, restock: true, staffNote: "buyer asked") {
    job { id done }
    orderCancelUserErrors { field message code }
    userErrors { field message }
  }
}
"""

SUBSCRIBE = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $url: URL!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {callbackUrl: $url, format: JSON}) {
    webhookSubscription { id topic endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
    userErrors { field message }
  }
}
"""

TAGS_ADD = """
mutation Tag($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id ... on Order { tags } } userErrors { field message } }
}
"""


def _money(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def order_input(**overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "email": "ada.buyer@example.test",
        "currency": "USD",
        "tags": ["vip", "ext-42"],
        "note": "Leave at the side door",
        "sourceIdentifier": "ext-42",
        "lineItems": [
            {"title": "Field Tee", "quantity": 2, "priceSet": _money("29.00")},
            {"title": "Camp Mug", "quantity": 2, "priceSet": _money("30.00")},
        ],
        "customer": {"toUpsert": {"email": "ada.buyer@example.test", "firstName": "Ada", "lastName": "Buyer"}},
        "shippingAddress": {"countryCode": "US", "city": "Springfield"},
        "billingAddress": {"countryCode": "US", "city": "Springfield"},
        "discountCode": {"itemFixedDiscountCode": {"code": "WELCOME", "amountSet": _money("8.00")}},
        "shippingLines": [{"title": "Standard", "priceSet": _money("10.00")}],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": _money("120.00")}],
    }
    order.update(overrides)
    return order


# ------------------------------------------------------------------------------ servers


class _InProcessServer(uvicorn.Server):
    """uvicorn inside the test's event loop: no signal handlers of its own."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _serve(app: FastAPI) -> tuple[_InProcessServer, asyncio.Task[None], int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    server = _InProcessServer(uvicorn.Config(app, log_level="critical", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    return server, task, port


@dataclass
class Received:
    path: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Harness:
    sim: ShopifySimulator
    world: SandboxWorld
    http: httpx.AsyncClient
    api_port: int
    hook_port: int
    received: list[Received] = field(default_factory=list)

    def endpoint(self, shop: str = SHOP, version: str = "2025-01") -> str:
        return f"http://127.0.0.1:{self.api_port}/shopify/{shop}/admin/api/{version}/graphql.json"

    def hook_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.hook_port}/hooks/{name}"

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, shop: str = SHOP, token: str = TOKEN
    ) -> httpx.Response:
        return await self.http.post(
            self.endpoint(shop),
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
        )

    async def gql(self, query: str, variables: dict[str, Any] | None = None, *, shop: str = SHOP) -> dict[str, Any]:
        response = await self.post(query, variables, shop=shop)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, shop: str = SHOP) -> dict[str, Any]:
        body = await self.gql(query, variables, shop=shop)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def subscribe(self, topic: str, name: str) -> None:
        data = await self.data(SUBSCRIBE, {"topic": topic, "url": self.hook_url(name)})
        assert data["webhookSubscriptionCreate"]["userErrors"] == []

    async def create_order(self, **overrides: Any) -> dict[str, Any]:
        data = await self.data(CREATE_ORDER, {"order": order_input(**overrides)})
        assert data["orderCreate"]["userErrors"] == [], data
        order: dict[str, Any] = data["orderCreate"]["order"]
        return order

    async def wait_for(
        self, predicate: Callable[[Received], bool], count: int = 1, timeout: float = 5.0
    ) -> list[Received]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            hits = [r for r in self.received if predicate(r)]
            if len(hits) >= count or asyncio.get_running_loop().time() > deadline:
                return hits
            await asyncio.sleep(0.02)


@pytest.fixture(scope="module")
async def harness() -> AsyncIterator[Harness]:
    config = SandboxConfig(
        shops=[
            ShopConfig(
                domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr(SECRET), cancel_job_seconds=0.3
            ),
            ShopConfig(
                domain=SMALL_SHOP,
                access_token=SecretStr(TOKEN),
                app_client_secret=SecretStr(SECRET),
                bucket_size=40.0,
                restore_rate=50.0,
            ),
        ],
        tenants=[],
        delivery_retry_seconds=0.05,
    )
    world = SandboxWorld(config=config)
    sim = ShopifySimulator(world)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await world.deliverer.start()
        yield
        await world.deliverer.stop()

    api = FastAPI(lifespan=lifespan)
    api.include_router(sim.router, prefix="/shopify")

    received: list[Received] = []
    hooks = FastAPI()

    @hooks.post("/hooks/{name}")
    async def hook(name: str, request: Request) -> Response:
        received.append(Received(name, await request.body(), dict(request.headers)))
        return Response(status_code=200)

    api_server, api_task, api_port = await _serve(api)
    hook_server, hook_task, hook_port = await _serve(hooks)
    async with httpx.AsyncClient(timeout=10.0) as http:
        yield Harness(sim, world, http, api_port, hook_port, received)
    for server, task in ((api_server, api_task), (hook_server, hook_task)):
        server.should_exit = True
        await task
    sim.close()


@pytest.fixture
async def h(harness: Harness) -> Harness:
    """A clean world per test: fresh shops, no fault rules, no captured webhooks."""
    await harness.world.deliverer.idle(timeout=2.0)
    harness.sim.reset()
    harness.world.faults.clear()
    harness.received.clear()
    return harness


def _valid_signature(received: Received) -> bool:
    expected = base64.b64encode(hmac.new(SECRET.encode(), received.body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, received.headers["x-shopify-hmac-sha256"])


# ------------------------------------------------------------------------------ signature vector


def test_signature_matches_the_published_test_vector() -> None:
    headers = json.loads((SPECS / "_delivery_headers.example.json").read_text())
    body = (SPECS / "orders_create.json").read_bytes()
    expected = headers["deliveries"]["orders_create.json"]["X-Shopify-Hmac-Sha256"]
    assert sign(headers["_test_secret"], body) == expected


# ------------------------------------------------------------------------------ transport


async def test_auth_and_transport_failures(h: Harness) -> None:
    query = {"query": "{ shop { name } }"}
    wrong = await h.http.post(h.endpoint(), json=query, headers={"X-Shopify-Access-Token": "nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    missing = await h.http.post(h.endpoint(), json=query)
    assert missing.status_code == 401

    unknown_shop = await h.http.post(
        h.endpoint("nobody.myshopify.com"), json=query, headers={"X-Shopify-Access-Token": TOKEN}
    )
    assert (unknown_shop.status_code, unknown_shop.json()) == (404, {"errors": "Not Found"})
    old_version = await h.http.post(
        h.endpoint(version="2023-01"), json=query, headers={"X-Shopify-Access-Token": TOKEN}
    )
    assert old_version.status_code == 404

    for bad in (b"not json", b'{"variables": {}}', b'{"query": "{ shop { name } }", "variables": [1]}'):
        response = await h.http.post(
            h.endpoint(), content=bad, headers={"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json() == {"errors": {"query": "Required parameter missing or invalid"}}

    ok = await h.post("{ shop { myshopifyDomain } }")
    assert ok.status_code == 200
    assert ok.headers["x-shopify-api-version"] == "2025-01"
    assert ok.json()["data"] == {"shop": {"myshopifyDomain": SHOP}}


async def test_documents_are_validated_against_the_official_schema(h: Harness) -> None:
    body = await h.gql('{ order(id: "gid://shopify/Order/1") { id nmae } }')
    assert "data" not in body
    [error] = body["errors"]
    assert error["message"] == "Field 'nmae' doesn't exist on type 'Order'"
    assert error["extensions"]["code"] == "undefinedField"
    assert error["locations"]
    assert "cost" in body["extensions"]

    bad_enum = await h.gql(
        'mutation($r: OrderCancelReason!) { orderCancel(orderId: "gid://shopify/Order/1", reason: $r, '
        "refund: false, restock: false) { job { id } } }",
        {"r": "BORED"},
    )
    [error] = bad_enum["errors"]
    assert error["message"] == "Variable $r of type OrderCancelReason! was provided invalid value"
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert "BORED" in error["extensions"]["problems"][0]["explanation"]

    bad_decimal = await h.gql(
        CREATE_ORDER, {"order": order_input(lineItems=[{"title": "x", "quantity": 1, "priceSet": _money("twelve")}])}
    )
    assert bad_decimal["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"

    malformed_id = await h.gql('{ order(id: "5550000000001") { id } }')
    assert malformed_id["errors"][0]["message"] == "Invalid global id '5550000000001'"

    not_simulated = await h.gql("{ collections(first: 1) { nodes { id } } }")
    assert not_simulated["errors"][0]["extensions"]["code"] == "NOT_SIMULATED"

    no_page_size = await h.gql("{ orders { nodes { id } } }")
    assert no_page_size["errors"][0]["message"] == "you must provide one of first or last"


# ------------------------------------------------------------------------------ orders


async def test_order_create_round_trip_and_orders_create_webhook(h: Harness) -> None:
    await h.subscribe("ORDERS_CREATE", "created")
    order = await h.create_order()

    assert order["id"].startswith("gid://shopify/Order/")
    assert order["legacyResourceId"] == order["id"].rsplit("/", 1)[1]
    assert order["name"] == "#1001"
    assert order["tags"] == ["ext-42", "vip"]
    assert order["subtotalPriceSet"]["shopMoney"] == {"amount": "110.0", "currencyCode": "USD"}
    assert order["totalDiscountsSet"]["shopMoney"]["amount"] == "8.0"
    assert order["totalPriceSet"]["shopMoney"]["amount"] == "120.0"
    assert order["displayFinancialStatus"] == "PAID"
    assert order["displayFulfillmentStatus"] == "UNFULFILLED"
    assert order["customer"]["email"] == "ada.buyer@example.test"
    assert order["shippingAddress"] == {"countryCodeV2": "US", "country": "United States", "city": "Springfield"}
    assert [fo["status"] for fo in order["fulfillmentOrders"]["nodes"]] == ["OPEN"]
    assert order["risk"]["recommendation"] == "ACCEPT"
    assert order["risk"]["assessments"][0]["riskLevel"] == "LOW"
    assert order["risk"]["assessments"][0]["provider"] is None

    second = await h.create_order(tags=["other"])
    assert second["name"] == "#1002"

    fetched = await h.data(GET_ORDER, {"id": order["id"]})
    assert fetched["order"]["note"] == "Leave at the side door"
    found = await h.data('{ orders(first: 5, query: "tag:ext-42") { nodes { id name } } }')
    assert found["orders"]["nodes"] == [{"id": order["id"], "name": "#1001"}]
    by_name = await h.data('{ orders(first: 5, query: "name:#1002") { nodes { id } } }')
    assert by_name["orders"]["nodes"] == [{"id": second["id"]}]
    nodes = await h.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        {"ids": [order["id"], order["fulfillmentOrders"]["nodes"][0]["id"], "gid://shopify/Order/9"]},
    )
    assert [n and n["__typename"] for n in nodes["nodes"]] == ["Order", "FulfillmentOrder", None]

    deliveries = await h.wait_for(lambda r: r.path == "created", count=2)
    assert len(deliveries) == 2
    [delivery] = [d for d in deliveries if d.json()["admin_graphql_api_id"] == order["id"]]
    assert _valid_signature(delivery)
    assert delivery.headers["x-shopify-topic"] == "orders/create"
    assert delivery.headers["x-shopify-shop-domain"] == SHOP
    assert delivery.headers["x-shopify-api-version"] == "2025-01"
    assert delivery.headers["x-shopify-webhook-id"]
    payload = delivery.json()
    assert payload["admin_graphql_api_id"] == order["id"]
    assert payload["id"] == int(order["legacyResourceId"])
    assert payload["total_price"] == "120.00"
    assert payload["subtotal_price"] == "110.00"
    assert payload["tags"] == "ext-42, vip"
    assert payload["discount_codes"] == [{"code": "WELCOME", "amount": "8.00", "type": "fixed_amount"}]
    assert payload["customer"]["email"] == "ada.buyer@example.test"
    assert payload["shipping_address"]["country_code"] == "US"
    assert len(payload["line_items"]) == 2


async def test_order_create_refusals(h: Harness) -> None:
    data = await h.data(CREATE_ORDER, {"order": order_input(lineItems=[])})
    assert data["orderCreate"]["order"] is None
    assert data["orderCreate"]["userErrors"][0]["field"] == ["order", "lineItems"]
    assert data["orderCreate"]["userErrors"][0]["code"] == "INVALID"
    euros = await h.data(
        CREATE_ORDER,
        {"order": order_input(lineItems=[{"title": "x", "quantity": 1, "priceSet": _money("5.00", "EUR")}])},
    )
    assert euros["orderCreate"]["userErrors"]
    assert h.sim.state(SHOP).orders == {}


@pytest.mark.parametrize(
    ("overrides", "level", "recommendation"),
    [
        ({"billingAddress": {"countryCode": "DE"}}, "HIGH", "CANCEL"),
        ({"email": "mallory@risky.example", "customer": None}, "HIGH", "CANCEL"),
        (
            {"lineItems": [{"title": "Sofa", "quantity": 1, "priceSet": _money("6000.00")}], "transactions": []},
            "MEDIUM",
            "INVESTIGATE",
        ),
    ],
)
async def test_risk_is_assessed_deterministically(
    h: Harness, overrides: dict[str, Any], level: str, recommendation: str
) -> None:
    order = await h.create_order(**overrides)
    assert order["risk"]["assessments"][0]["riskLevel"] == level
    assert order["risk"]["recommendation"] == recommendation


async def test_tags_add_is_idempotent_and_update_replaces(h: Harness) -> None:
    await h.subscribe("ORDERS_UPDATED", "updated")
    order = await h.create_order()
    first = await h.data(TAGS_ADD, {"id": order["id"], "tags": ["review", "VIP"]})
    assert first["tagsAdd"]["node"]["tags"] == ["ext-42", "review", "vip"]
    again = await h.data(TAGS_ADD, {"id": order["id"], "tags": ["review"]})
    assert again["tagsAdd"]["node"]["tags"] == ["ext-42", "review", "vip"]
    removed = await h.data(
        'mutation($id: ID!) { tagsRemove(id: $id, tags: ["review"]) { node { ... on Order { tags } } '
        "userErrors { message } } }",
        {"id": order["id"]},
    )
    assert removed["tagsRemove"]["node"]["tags"] == ["ext-42", "vip"]
    updated = await h.data(
        "mutation($input: OrderInput!) { orderUpdate(input: $input) { order { note tags } userErrors { message } } }",
        {"input": {"id": order["id"], "note": "checked", "tags": ["fresh"]}},
    )
    assert updated["orderUpdate"]["order"] == {"note": "checked", "tags": ["fresh"]}
    missing = await h.data(TAGS_ADD, {"id": "gid://shopify/Order/1", "tags": ["x"]})
    assert missing["tagsAdd"]["userErrors"][0]["field"] == ["id"]
    # tagsAdd(review), tagsRemove, orderUpdate changed the order; the repeated tagsAdd did not.
    hits = await h.wait_for(lambda r: r.path == "updated", count=3)
    await asyncio.sleep(0.1)
    assert len([r for r in h.received if r.path == "updated"]) == len(hits) == 3


# ------------------------------------------------------------------------------ holds


async def test_hold_duplicate_handle_and_release(h: Harness) -> None:
    await h.subscribe("FULFILLMENT_ORDERS_PLACED_ON_HOLD", "held")
    await h.subscribe("FULFILLMENT_ORDERS_HOLD_RELEASED", "released")
    order = await h.create_order()
    fo = order["fulfillmentOrders"]["nodes"][0]["id"]

    hold = {"reason": "HIGH_RISK_OF_FRAUD", "reasonNotes": "manual review", "handle": "case-1"}
    first = (await h.data(HOLD, {"id": fo, "hold": hold}))["fulfillmentOrderHold"]
    assert first["userErrors"] == []
    assert first["fulfillmentOrder"] == {"id": fo, "status": "ON_HOLD"}
    assert first["remainingFulfillmentOrder"] is None
    assert first["fulfillmentHold"]["handle"] == "case-1"
    assert first["fulfillmentHold"]["heldByRequestingApp"] is True

    duplicate = (await h.data(HOLD, {"id": fo, "hold": hold}))["fulfillmentOrderHold"]
    assert duplicate["userErrors"][0]["code"] == "DUPLICATE_FULFILLMENT_HOLD_HANDLE"
    assert duplicate["fulfillmentHold"] is None

    second = (await h.data(HOLD, {"id": fo, "hold": {**hold, "handle": "case-2"}}))["fulfillmentOrderHold"]
    assert second["userErrors"] == []

    state = await h.data(GET_ORDER, {"id": order["id"]})
    assert state["order"]["displayFulfillmentStatus"] == "ON_HOLD"
    holds = state["order"]["fulfillmentOrders"]["nodes"][0]["fulfillmentHolds"]
    assert [x["handle"] for x in holds] == ["case-1", "case-2"]

    partly = await h.data(RELEASE, {"id": fo, "holdIds": [first["fulfillmentHold"]["id"]]})
    assert partly["fulfillmentOrderReleaseHold"]["fulfillmentOrder"]["status"] == "ON_HOLD"
    fully = await h.data(RELEASE, {"id": fo})
    assert fully["fulfillmentOrderReleaseHold"]["fulfillmentOrder"] == {
        "id": fo,
        "status": "OPEN",
        "fulfillmentHolds": [],
    }

    not_held = (await h.data(RELEASE, {"id": fo}))["fulfillmentOrderReleaseHold"]
    assert not_held["fulfillmentOrder"] is None
    assert not_held["userErrors"][0]["message"] == "The fulfillment order is not on hold."
    unknown = (await h.data(RELEASE, {"id": "gid://shopify/FulfillmentOrder/1"}))["fulfillmentOrderReleaseHold"]
    assert unknown["userErrors"][0]["code"] == "FULFILLMENT_ORDER_NOT_FOUND"

    [placed] = await h.wait_for(lambda r: r.path == "held")
    assert _valid_signature(placed)
    assert placed.headers["x-shopify-topic"] == "fulfillment_orders/placed_on_hold"
    assert placed.json()["fulfillment_order"]["status"] == "on_hold"
    [released] = await h.wait_for(lambda r: r.path == "released")
    assert released.json()["fulfillment_order"] == {"id": fo, "status": "open", "fulfillment_holds": []}


async def test_partial_hold_splits_the_fulfillment_order(h: Harness) -> None:
    order = await h.create_order()
    fo_id = order["fulfillmentOrders"]["nodes"][0]["id"]
    items = await h.data(
        "query($id: ID!) { fulfillmentOrder(id: $id) { lineItems(first: 5) { nodes { id } } } }", {"id": fo_id}
    )
    first_item = items["fulfillmentOrder"]["lineItems"]["nodes"][0]["id"]
    hold = {"reason": "INVENTORY_OUT_OF_STOCK", "fulfillmentOrderLineItems": [{"id": first_item, "quantity": 1}]}
    result = (await h.data(HOLD, {"id": fo_id, "hold": hold}))["fulfillmentOrderHold"]
    assert result["userErrors"] == []
    assert result["fulfillmentOrder"]["status"] == "ON_HOLD"
    assert result["remainingFulfillmentOrder"]["status"] == "OPEN"
    again = (await h.data(HOLD, {"id": fo_id, "hold": {**hold, "handle": "other"}}))["fulfillmentOrderHold"]
    assert again["userErrors"][0]["code"] == "FULFILLMENT_ORDER_NOT_SPLITTABLE"


# ------------------------------------------------------------------------------ cancel


async def test_order_cancel_is_an_asynchronous_job(h: Harness) -> None:
    await h.subscribe("ORDERS_CANCELLED", "cancelled")
    order = await h.create_order()
    fo = order["fulfillmentOrders"]["nodes"][0]["id"]
    await h.data(HOLD, {"id": fo, "hold": {"reason": "OTHER"}})

    started = (await h.data(CANCEL, {"id": order["id"]}))["orderCancel"]
    assert started["orderCancelUserErrors"] == []
    assert started["job"]["done"] is False
    job_id = started["job"]["id"]
    pending = (await h.data(CANCEL, {"id": order["id"]}))["orderCancel"]
    assert pending["orderCancelUserErrors"][0]["code"] == "INVALID"
    still_open = await h.data(GET_ORDER, {"id": order["id"]})
    assert still_open["order"]["cancelledAt"] is None

    done = False
    for _ in range(100):
        done = (await h.data("query($id: ID!) { job(id: $id) { id done } }", {"id": job_id}))["job"]["done"]
        if done:
            break
        await asyncio.sleep(0.05)
    assert done

    cancelled = (await h.data(GET_ORDER, {"id": order["id"]}))["order"]
    assert cancelled["cancelledAt"] is not None
    assert cancelled["cancelReason"] == "CUSTOMER"
    assert cancelled["displayFinancialStatus"] == "REFUNDED"
    assert cancelled["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert cancelled["fulfillmentOrders"]["nodes"][0]["fulfillmentHolds"] == []

    again = (await h.data(CANCEL, {"id": order["id"]}))["orderCancel"]
    assert again["orderCancelUserErrors"][0]["code"] == "INVALID"
    unknown = (await h.data(CANCEL, {"id": "gid://shopify/Order/12"}))["orderCancel"]
    assert unknown["orderCancelUserErrors"][0]["code"] == "NOT_FOUND"

    [delivery] = await h.wait_for(lambda r: r.path == "cancelled")
    assert _valid_signature(delivery)
    assert delivery.headers["x-shopify-topic"] == "orders/cancelled"
    payload = delivery.json()
    assert payload["admin_graphql_api_id"] == order["id"]
    assert payload["cancel_reason"] == "customer"
    assert payload["cancelled_at"] is not None
    assert payload["financial_status"] == "refunded"


# ------------------------------------------------------------------------------ cost and faults


async def test_throttling_and_recovery(h: Harness) -> None:
    mutation = 'mutation($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }'
    variables = {"id": "gid://shopify/Order/1"}
    ok = await h.gql(mutation, variables, shop=SMALL_SHOP)
    cost = ok["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 10
    assert cost["throttleStatus"]["maximumAvailable"] == 40.0
    assert cost["throttleStatus"]["restoreRate"] == 50.0

    h.sim.bucket(SMALL_SHOP).set_available(4)
    throttled = await h.gql(mutation, variables, shop=SMALL_SHOP)
    assert "data" not in throttled
    assert throttled["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    status = throttled["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] < 10
    await asyncio.sleep((10 - status["currentlyAvailable"]) / 50.0 + 0.05)
    recovered = await h.gql(mutation, variables, shop=SMALL_SHOP)
    assert "errors" not in recovered

    too_big = await h.gql("{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }")
    assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


async def test_actual_cost_is_refunded_for_short_pages(h: Harness) -> None:
    await h.create_order()
    body = await h.gql("{ orders(first: 50) { nodes { id } } }")
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 52
    assert cost["actualQueryCost"] == 3


async def test_user_error_fault_on_release_changes_nothing(h: Harness) -> None:
    order = await h.create_order()
    fo = order["fulfillmentOrders"]["nodes"][0]["id"]
    await h.data(HOLD, {"id": fo, "hold": {"reason": "OTHER"}})
    h.world.faults.add(
        FaultRule(
            system="shopify",
            operation="fulfillmentOrderReleaseHold",
            effect=FaultEffect.USER_ERROR,
            message="Simulated refusal",
        )
    )
    refused = (await h.data(RELEASE, {"id": fo}))["fulfillmentOrderReleaseHold"]
    assert refused["fulfillmentOrder"] is None
    assert refused["userErrors"] == [{"field": None, "message": "Simulated refusal", "code": None}]
    assert h.sim.state(SHOP).fulfillment_orders[int(fo.rsplit("/", 1)[1])].status == "ON_HOLD"
    released = (await h.data(RELEASE, {"id": fo}))["fulfillmentOrderReleaseHold"]
    assert released["fulfillmentOrder"]["status"] == "OPEN"


async def test_transport_faults(h: Harness) -> None:
    query = "{ shop { name } }"
    h.world.faults.add(FaultRule(system="shopify", operation="shop", effect=FaultEffect.HTTP_503))
    unavailable = await h.post(query)
    assert unavailable.status_code == 503
    h.world.faults.add(FaultRule(system="shopify", operation="shop", effect=FaultEffect.THROTTLE))
    throttled = (await h.post(query)).json()
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    h.world.faults.add(FaultRule(system="shopify", operation="shop", effect=FaultEffect.DROP_CONNECTION))
    with pytest.raises(httpx.RemoteProtocolError):
        await h.post(query)
    h.world.faults.add(FaultRule(system="shopify", operation="shop", effect=FaultEffect.LATENCY, seconds=0.2))
    started = asyncio.get_running_loop().time()
    assert (await h.post(query)).status_code == 200
    assert asyncio.get_running_loop().time() - started >= 0.2


# ------------------------------------------------------------------------------ subscriptions


async def test_webhook_subscriptions(h: Harness) -> None:
    await h.subscribe("ORDERS_CREATE", "a")
    duplicate = await h.data(SUBSCRIBE, {"topic": "ORDERS_CREATE", "url": h.hook_url("a")})
    assert duplicate["webhookSubscriptionCreate"]["userErrors"] == [
        {"field": ["webhookSubscription", "callbackUrl"], "message": "Address for this topic has already been taken"}
    ]
    listed = await h.data(
        "{ webhookSubscriptions(first: 10) { nodes { id topic endpoint { __typename "
        "... on WebhookHttpEndpoint { callbackUrl } } } } }"
    )
    [subscription] = listed["webhookSubscriptions"]["nodes"]
    assert subscription["topic"] == "ORDERS_CREATE"
    assert subscription["endpoint"] == {"__typename": "WebhookHttpEndpoint", "callbackUrl": h.hook_url("a")}
    deleted = await h.data(
        "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId "
        "userErrors { message } } }",
        {"id": subscription["id"]},
    )
    assert deleted["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] == subscription["id"]
    admin = await h.http.get(f"http://127.0.0.1:{h.api_port}/shopify/{SHOP}/_admin/webhook_subscriptions")
    assert admin.json() == {"webhook_subscriptions": []}


async def test_holds_of_other_apps_cannot_be_released(h: Harness) -> None:
    order = await h.create_order()
    fo = order["fulfillmentOrders"]["nodes"][0]["id"]
    foreign = h.sim.operations(SHOP).hold(fo, {"reason": "AWAITING_PAYMENT", "handle": "erp"}, app_id=4242)
    assert foreign.errors == []
    refused = (await h.data(RELEASE, {"id": fo}))["fulfillmentOrderReleaseHold"]
    assert refused["userErrors"][0]["code"] == "INVALID_ACCESS"
    mine = (await h.data(HOLD, {"id": fo, "hold": {"reason": "OTHER", "handle": "erp"}}))["fulfillmentOrderHold"]
    assert mine["userErrors"] == []  # handles are unique per app, not per fulfillment order
    released = (await h.data(RELEASE, {"id": fo}))["fulfillmentOrderReleaseHold"]
    assert released["fulfillmentOrder"]["status"] == "ON_HOLD"  # the other app's hold remains


async def test_app_risk_assessments_raise_the_recommendation(h: Harness) -> None:
    order = await h.create_order()
    assert order["risk"]["recommendation"] == "ACCEPT"
    created = await h.data(
        "mutation($input: OrderRiskAssessmentCreateInput!) { orderRiskAssessmentCreate("
        "orderRiskAssessmentInput: $input) { orderRiskAssessment { riskLevel provider { title } } "
        "userErrors { code message } } }",
        {
            "input": {
                "orderId": order["id"],
                "riskLevel": "MEDIUM",
                "facts": [{"description": "Velocity check", "sentiment": "NEGATIVE"}],
            }
        },
    )
    assessment = created["orderRiskAssessmentCreate"]["orderRiskAssessment"]
    assert assessment == {"riskLevel": "MEDIUM", "provider": {"title": "Casebridge"}}
    risk = await h.data("query($id: ID!) { order(id: $id) { risk { recommendation } } }", {"id": order["id"]})
    assert risk["order"]["risk"]["recommendation"] == "INVESTIGATE"
