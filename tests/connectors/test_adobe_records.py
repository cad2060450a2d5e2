"""Contract tests: the Adobe Commerce connector's customer records (newsletter subscription,
Casebridge's customer attributes) and product documents (a product custom attribute) against the
simulator over real HTTP, every request checked against the official 2.4.9 schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import JsonValue, SecretStr

from connectors.adobe_commerce import AdminTokenCredentials, AdobeCommerce
from connectors.adobe_commerce.product_documents import ProductDocument
from connectors.errors import NotFoundError, RateLimitedError, RejectedError
from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.adobe_commerce.contract import spec_contract
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport

STORE = AdobeStoreConfig(
    store_code="default",
    admin_username="casebridge-records",
    admin_password=SecretStr("records-password"),
    consumer_key="ck-records",
    consumer_secret=SecretStr("cs-records"),
    access_token="at-records",
    access_token_secret=SecretStr("ats-records"),
    ims_client_id="ims-records",
    ims_client_secret=SecretStr("ims-secret-records"),
    ims_org_id="RECORDS@AdobeOrg",
    io_events_client_id="io-records",
)


@dataclass
class Stack:
    world: SandboxWorld
    origin: str
    commerce: AdobeCommerce
    transport: SpecCheckingTransport

    async def admin(self, method: str, path: str, body: object = None) -> Any:
        url = f"{self.origin}/adobe-commerce/_admin/stores/{STORE.store_code}{path}"
        async with httpx.AsyncClient() as client:
            response = await client.request(method, url, json=body)
        assert response.is_success, response.text
        return response.json()

    def assert_conforms(self) -> None:
        assert self.transport.checked > 0
        assert self.transport.violations == []


@pytest_asyncio.fixture
async def stack() -> AsyncIterator[Stack]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    app, _ = create_adobe_app(world, [STORE])
    async with serve(app) as origin:
        transport = SpecCheckingTransport([(f"{origin}/adobe-commerce/rest/", spec_contract())])
        credentials = AdminTokenCredentials(username=STORE.admin_username, password=STORE.admin_password)
        commerce = AdobeCommerce(
            f"{origin}/adobe-commerce/rest/{STORE.store_code}", credentials, transport=transport, max_local_wait=0.0
        )
        yield Stack(world, origin, commerce, transport)
        await commerce.aclose()


async def test_consent_and_fields_round_trip(stack: Stack) -> None:
    ada = await stack.admin("POST", "/customers", {"email": "ada@example.test", "is_subscribed": True})
    records = stack.commerce.customer_records
    before = await records.customer_record(ada["id"])
    email = before.consent("email")
    assert email is not None and email.subscribed and before.consent("sms") is None

    after = await records.set_customer_consent(ada["id"], "email", subscribed=False)
    email = after.consent("email")
    assert email is not None and not email.subscribed
    await records.set_customer_consent(ada["id"], "sms", subscribed=True)

    preferences: dict[str, JsonValue] = {"email": False, "print": True, "language": "de"}
    await records.set_customer_fields(
        ada["id"], {"communication_preferences": preferences, "last_communication": {"t": 1}}
    )
    record = await records.set_customer_fields(ada["id"], {"last_communication": {"t": 2}})
    assert record.fields == {"communication_preferences": preferences, "last_communication": {"t": 2}}
    sms = record.consent("sms")
    assert sms is not None and sms.subscribed

    stored = await stack.admin("GET", f"/customers/{ada['id']}")
    assert stored["extension_attributes"]["is_subscribed"] is False
    assert stored["email"] == "ada@example.test"  # sent back as read: nothing else changed
    assert sorted(a["attribute_code"] for a in stored["custom_attributes"]) == [
        "casebridge_communication_preferences",
        "casebridge_last_communication",
        "casebridge_sms_consent",
    ]
    stack.assert_conforms()


async def test_refusals_map_to_the_taxonomy(stack: Stack) -> None:
    ada = await stack.admin("POST", "/customers", {"email": "ada@example.test"})
    records = stack.commerce.customer_records
    with pytest.raises(RejectedError, match="doesn't exist") as refused:
        await records.set_customer_fields(ada["id"], {"loyalty_tier": "gold"})  # no such attribute on the store
    assert not refused.value.retryable
    with pytest.raises(NotFoundError):
        await records.customer_record(999)

    stack.world.faults.add(
        FaultRule(
            system="adobe-commerce", operation="PUT /V1/customers/{customerId}", effect=FaultEffect.THROTTLE, seconds=30
        )
    )
    with pytest.raises(RateLimitedError) as throttled:
        await records.set_customer_consent(ada["id"], "email", subscribed=True)
    assert throttled.value.retryable
    stack.assert_conforms()


async def test_publish_and_withdraw_a_product_document(stack: Stack) -> None:
    await stack.admin("POST", "/products", {"sku": "DRILL 1", "name": "Drill", "price": 99})
    documents = stack.commerce.product_documents
    sheet = ProductDocument(
        document_id="90412", title="Spec sheet", url="https://docs.example.test/90412.pdf", version=1
    )
    manual = ProductDocument(document_id="90413", title="Manual", url="https://docs.example.test/90413.pdf")

    await documents.publish_product_document("DRILL 1", sheet)
    await documents.publish_product_document("DRILL 1", manual)
    assert await documents.publish_product_document("DRILL 1", manual) == manual  # again: nothing written
    published = await documents.publish_product_document("DRILL 1", sheet.model_copy(update={"version": 2}))
    assert published.version == 2
    after = await documents.product_documents("DRILL 1")
    assert [(d.document_id, d.version) for d in after] == [("90412", 2), ("90413", None)]  # replaced, not added

    assert await documents.withdraw_product_document("DRILL 1", "90412") is True
    assert await documents.withdraw_product_document("DRILL 1", "90412") is False
    assert [d.document_id for d in await documents.product_documents("DRILL 1")] == ["90413"]
    with pytest.raises(NotFoundError):
        await documents.publish_product_document("NO-SUCH-SKU", manual)
    stack.assert_conforms()


async def test_a_products_manufacturer_is_named_by_its_attribute_option(stack: Stack) -> None:
    acme = await stack.admin("POST", "/attributes/manufacturer/options", {"label": "Acme"})
    assert (await stack.admin("POST", "/attributes/manufacturer/options", {"label": "Acme"})) == acme  # found again
    await stack.admin(
        "POST", "/products", {"sku": "ANVIL", "name": "Anvil", "custom_attributes": {"manufacturer": acme["value"]}}
    )
    catalog = stack.commerce.catalog

    option = (await catalog.get_product("ANVIL")).attribute("manufacturer")

    assert option == acme["value"]
    assert await catalog.option_label("manufacturer", option) == "Acme"
    assert await catalog.option_label("manufacturer", "999999") is None
    assert await catalog.option_label("manufacturer", "") is None  # the blank option names no one
    with pytest.raises(NotFoundError, match="no_such_code"):
        await catalog.attribute_options("no_such_code")
    stack.assert_conforms()


async def test_a_customers_orders_created_in_a_range(stack: Stack) -> None:
    customer = await stack.admin("POST", "/customers", {"email": "cam@example.test", "firstname": "C", "lastname": "P"})
    start = datetime.now(UTC) - timedelta(seconds=1)

    async def order(customer_id: int | None) -> int:
        owner = {"customer_id": customer_id} if customer_id is not None else {}
        body = {"items": [{"sku": "GAS-230", "name": "Gas", "price": "5.00", "qty": 1}], **owner}
        placed = await stack.admin("POST", "/orders", body | {"customer_email": "cam@example.test"})
        return int(placed["entity_id"])

    theirs = [await order(customer["id"]) for _ in range(3)]
    await order(None)  # a guest's, in the same range
    until = datetime.now(UTC) + timedelta(minutes=1)
    archive = stack.commerce.archive

    first = await archive.orders_created_page(start, until, page=1, page_size=2, customer_id=customer["id"])
    second = await archive.orders_created_page(start, until, page=2, page_size=2, customer_id=customer["id"])

    assert [o.entity_id for o in first.orders] == theirs[:2] and first.more
    assert [o.entity_id for o in second.orders] == theirs[2:] and not second.more
    assert all(o.customer_id == customer["id"] for o in first.orders + second.orders)
    stack.assert_conforms()
