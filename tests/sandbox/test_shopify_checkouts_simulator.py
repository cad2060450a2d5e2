"""The Shopify simulator's checkouts over real HTTP: `checkouts/create` and `checkouts/update`
webhooks with the REST checkout body, and the Admin GraphQL `abandonedCheckouts` query (filtered
by `id:` and `status:`, `completedAt` once paid, pagination arguments required)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from pydantic import SecretStr

from sandbox.config import ShopConfig
from sandbox.shopify.standalone import RunningShopify, WebhookRecorder, serve_recorder, serve_simulator

SHOP = "checkouts.myshopify.com"
TOKEN = "shpat_checkouts"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_checkouts"))
CHECKOUTS = """
query($q: String) {
  abandonedCheckouts(first: 5, query: $q) {
    nodes { id abandonedCheckoutUrl completedAt customer { id email } totalPriceSet { shopMoney { amount } }
            lineItems(first: 5) { nodes { title quantity sku } } }
  }
}
"""


@pytest_asyncio.fixture
async def shop() -> AsyncIterator[tuple[RunningShopify, WebhookRecorder, httpx.AsyncClient]]:
    async with serve_simulator([CONFIG]) as running, serve_recorder() as hooks, httpx.AsyncClient() as http:
        yield running, hooks, http


async def graphql(
    shop: tuple[RunningShopify, WebhookRecorder, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    running, _, http = shop
    answer = await http.post(
        f"{running.base_url(SHOP)}/admin/api/2025-01/graphql.json",
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_checkout_is_announced_listed_and_closed_when_paid(
    shop: tuple[RunningShopify, WebhookRecorder, httpx.AsyncClient],
) -> None:
    running, hooks, http = shop
    for topic in ("CHECKOUTS_CREATE", "CHECKOUTS_UPDATE"):
        subscribed = await graphql(
            shop,
            "mutation($t: WebhookSubscriptionTopic!, $u: URL!) { webhookSubscriptionCreate(topic: $t, "
            "webhookSubscription: {callbackUrl: $u, format: JSON}) { userErrors { message } } }",
            {"t": topic, "u": hooks.url},
        )
        assert subscribed["data"]["webhookSubscriptionCreate"]["userErrors"] == []
    opened = await http.post(
        f"{running.admin(SHOP)}/checkouts",
        json={
            "email": "guest@example.test",
            "lines": [{"title": "Lamp", "sku": "LAMP-1", "quantity": 2, "price": "40"}],
        },
    )
    assert opened.status_code == 201, opened.text
    checkout_id = opened.json()["checkout"]["id"]

    [created] = await hooks.wait_for("checkouts/create")
    body = created.json()
    assert {"id", "token", "cart_token", "email", "line_items", "abandoned_checkout_url", "completed_at"} <= set(body)
    assert {"customer", "updated_at"} <= set(body)
    assert body["id"] == checkout_id and body["completed_at"] is None and body["customer"] is None
    assert body["line_items"] == [
        {"title": "Lamp", "quantity": 2, "price": "40.00", "sku": "LAMP-1", "variant_id": None, "product_id": None}
    ]
    listed = await graphql(shop, CHECKOUTS, {"q": f"id:{checkout_id} status:open"})
    [node] = listed["data"]["abandonedCheckouts"]["nodes"]
    assert node["id"] == f"gid://shopify/AbandonedCheckout/{checkout_id}" and node["completedAt"] is None
    assert node["abandonedCheckoutUrl"] == body["abandoned_checkout_url"]
    assert node["totalPriceSet"]["shopMoney"]["amount"] == "80.0"
    assert node["lineItems"]["nodes"] == [{"title": "Lamp", "quantity": 2, "sku": "LAMP-1"}]

    paid = await http.post(f"{running.admin(SHOP)}/checkouts/{checkout_id}/complete")
    assert paid.status_code == 200, paid.text

    [updated] = await hooks.wait_for("checkouts/update")
    assert updated.json()["completed_at"] is not None
    assert (await graphql(shop, CHECKOUTS, {"q": f"id:{checkout_id} status:open"}))["data"]["abandonedCheckouts"][
        "nodes"
    ] == []
    [closed] = (await graphql(shop, CHECKOUTS, {"q": "status:closed"}))["data"]["abandonedCheckouts"]["nodes"]
    assert closed["completedAt"] is not None


async def test_abandoned_checkouts_needs_a_page_size(
    shop: tuple[RunningShopify, WebhookRecorder, httpx.AsyncClient],
) -> None:
    refused = await graphql(shop, "{ abandonedCheckouts { nodes { id } } }", {})
    assert refused["errors"][0]["message"] == "you must provide one of first or last"
