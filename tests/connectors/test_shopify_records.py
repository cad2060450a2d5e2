"""Contract tests: `ShopifyAdmin` customer records (consent, Casebridge fields) and product documents
against the Shopify simulator, over real HTTP. Every request passes `SpecCheckingTransport` with the
official 2025-01 schema; effects are read back through the simulator's admin routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import JsonValue, SecretStr, ValidationError

from connectors.errors import RejectedError
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.client import ShopifyClient
from connectors.shopify.product_documents import ProductDocument
from sandbox.config import ShopConfig
from sandbox.shopify.graphql_contract import ShopifyGraphQLContract
from sandbox.shopify.standalone import RunningShopify, serve_simulator
from tests.support.spec_transport import SpecCheckingTransport

SHOP = "records-connector.myshopify.com"
TOKEN = "shpat_records_connector"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_records"))


@dataclass
class Connected:
    admin: ShopifyAdmin
    transport: SpecCheckingTransport
    running: RunningShopify

    def assert_conforms(self) -> None:
        assert self.transport.checked > 0
        assert self.transport.violations == []

    async def sandbox(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.request(method, f"{self.running.admin(SHOP)}{path}", json=body)
        assert response.status_code in (200, 201), response.text
        found: dict[str, Any] = response.json()
        return found


@pytest_asyncio.fixture(scope="module")
async def running() -> AsyncIterator[RunningShopify]:
    async with serve_simulator([CONFIG]) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def _fresh_shop(running: RunningShopify) -> Iterator[None]:
    running.simulator.reset(SHOP)
    running.world.faults.clear()
    yield


@pytest_asyncio.fixture
async def shop(running: RunningShopify) -> AsyncIterator[Connected]:
    transport = SpecCheckingTransport([(running.origin, ShopifyGraphQLContract())])
    admin = ShopifyAdmin(ShopifyClient(running.base_url(SHOP), SecretStr(TOKEN), transport=transport))
    yield Connected(admin, transport, running)
    await admin.aclose()


async def test_consent_and_fields_round_trip(shop: Connected) -> None:
    seeded = (
        await shop.sandbox(
            "POST",
            "/customers",
            {"email": "ada@example.test", "phone": "+15550100", "email_marketing_state": "SUBSCRIBED"},
        )
    )["customer"]
    customer = seeded["admin_graphql_api_id"]
    before = await shop.admin.customer_record(customer)
    assert before.email_marketing_consent is not None and before.email_marketing_consent.subscribed
    assert before.fields == {}

    after = await shop.admin.set_customer_consent(customer, "email", subscribed=False)
    consent = after.consent("email")
    assert consent is not None and consent.marketing_state == "UNSUBSCRIBED"
    await shop.admin.set_customer_consent(customer, "sms", subscribed=True, opt_in_level="CONFIRMED_OPT_IN")

    preferences: dict[str, JsonValue] = {"email": False, "print": True, "language": "fr"}
    last: dict[str, JsonValue] = {"template": "shipment_notice", "channel": "print", "outcome": "delivered"}
    await shop.admin.set_customer_fields(
        customer, {"communication_preferences": preferences, "last_communication": last}
    )
    await shop.admin.set_customer_fields(customer, {"last_communication": {**last, "outcome": "bounced"}})

    record = await shop.admin.customer_record(customer)
    assert record.fields == {
        "communication_preferences": preferences,
        "last_communication": {**last, "outcome": "bounced"},
    }
    sms = record.consent("sms")
    assert sms is not None and (sms.marketing_state, sms.marketing_opt_in_level) == ("SUBSCRIBED", "CONFIRMED_OPT_IN")

    stored = (await shop.sandbox("GET", f"/customers/{seeded['id']}"))["customer"]
    assert stored["email_marketing_consent"]["state"] == "UNSUBSCRIBED"
    assert sorted(m["key"] for m in stored["metafields"]) == ["communication_preferences", "last_communication"]
    shop.assert_conforms()


async def test_consent_refused_for_a_customer_without_a_phone(shop: Connected) -> None:
    customer = (await shop.sandbox("POST", "/customers", {"email": "bo@example.test"}))["customer"]
    with pytest.raises(RejectedError, match="phone number") as refused:
        await shop.admin.set_customer_consent(customer["admin_graphql_api_id"], "sms", subscribed=True)
    assert not refused.value.retryable
    with pytest.raises(RejectedError, match="invalid characters"):
        await shop.admin.set_customer_fields(customer["admin_graphql_api_id"], {"not a key": 1})
    shop.assert_conforms()


async def test_publish_and_withdraw_a_product_document(shop: Connected) -> None:
    product = (await shop.sandbox("POST", "/products", {"title": "Cordless Drill"}))["product"]
    product_gid = product["admin_graphql_api_id"]
    sheet = ProductDocument(
        document_id="90412", title="Spec sheet", url="https://docs.example.test/90412.pdf", version=1
    )

    published = await shop.admin.publish_product_document(product_gid, sheet)
    republished = await shop.admin.publish_product_document(product_gid, sheet.model_copy(update={"version": 2}))
    assert republished.metafield_id == published.metafield_id  # found by its document id, not duplicated
    manual = ProductDocument(document_id="90413", title="Manual", url="https://docs.example.test/90413.pdf")
    await shop.admin.publish_product_document(product_gid, manual)

    documents = {d.document_id: d for d in await shop.admin.product_documents(product_gid)}
    assert set(documents) == {"90412", "90413"} and documents["90412"].version == 2
    assert str(documents["90412"].url) == "https://docs.example.test/90412.pdf"

    assert await shop.admin.withdraw_product_document(product_gid, "90412") is True
    assert await shop.admin.withdraw_product_document(product_gid, "90412") is False  # already withdrawn
    stored = (await shop.sandbox("GET", f"/products/{product['id']}/metafields"))["metafields"]
    assert [m["key"] for m in stored] == ["doc_90413"]
    shop.assert_conforms()


def test_a_document_id_that_cannot_be_a_metafield_key_is_refused_before_sending() -> None:
    with pytest.raises(ValidationError):
        ProductDocument(document_id="a/b", title="x", url="https://docs.example.test/x.pdf")
