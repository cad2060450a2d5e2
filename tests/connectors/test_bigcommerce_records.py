"""Contract tests: `BigCommerceClient` customer records (consent and fields as customer attributes,
storefront consent) and product documents (custom fields) against the simulator over real HTTP,
every request checked against BigCommerce's official specs."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import JsonValue, SecretStr

from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.product_documents import ProductDocument
from connectors.errors import NotFoundError, RateLimitedError, RejectedError
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.specs import BigCommerceContract
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator
from sandbox.faults import FaultEffect, FaultRule
from tests.support.spec_transport import SpecCheckingTransport

STORE = BigCommerceStoreConfig(
    store_hash="cbrecords1", access_token=SecretStr("bc-token-rec"), client_secret=SecretStr("bc-secret-rec")
)


@pytest_asyncio.fixture
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE]) as running:
        yield running


@contextlib.asynccontextmanager
async def connect(bc: RunningSimulator) -> AsyncIterator[BigCommerceClient]:
    transport = SpecCheckingTransport([(bc.origin, BigCommerceContract())])
    async with BigCommerceClient(
        STORE.store_hash, STORE.access_token, base_url=bc.rest_url, transport=transport, max_local_wait=0.0
    ) as client:
        yield client
    assert transport.checked > 0
    assert transport.violations == []


@pytest_asyncio.fixture
async def client(bc: RunningSimulator) -> AsyncIterator[BigCommerceClient]:
    async with connect(bc) as connected:
        yield connected


async def sandbox(bc: RunningSimulator, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.request(method, f"{bc.admin(STORE.store_hash)}{path}", json=body)
    assert response.is_success, response.text
    return response.json()


async def test_consent_and_fields_round_trip(bc: RunningSimulator, client: BigCommerceClient) -> None:
    ada = await sandbox(
        bc, "POST", "/customers", {"email": "ada@example.test", "accepts_product_review_abandoned_cart_emails": True}
    )
    assert (await client.customer_record(ada["id"])).consents == {}

    record = await client.set_customer_consent(ada["id"], "email", subscribed=False)
    email = record.consent("email")
    assert email is not None and not email.subscribed
    assert record.accepts_product_review_abandoned_cart_emails is False
    await client.set_customer_consent(ada["id"], "sms", subscribed=True)

    preferences: dict[str, JsonValue] = {"email": False, "print": True}
    await client.set_customer_fields(
        ada["id"], {"communication_preferences": preferences, "last_communication": {"t": 1}}
    )
    await client.set_customer_fields(ada["id"], {"last_communication": {"t": 2}})  # upsert, reuses the attribute

    record = await client.customer_record(ada["id"])
    assert record.fields == {"communication_preferences": preferences, "last_communication": {"t": 2}}
    sms = record.consent("sms")
    assert sms is not None and sms.subscribed
    stored = await sandbox(bc, "GET", f"/customers/{ada['id']}/records")
    assert sorted(stored["attributes"]) == [
        "casebridge.communication_preferences",
        "casebridge.consent.email",
        "casebridge.consent.sms",
        "casebridge.last_communication",
    ]
    assert stored["accepts_product_review_abandoned_cart_emails"] is False

    consent = await client.set_storefront_consent(ada["id"], allow=["analytics"], deny=["targeting"])
    assert consent.allow == ["essential", "analytics"]
    assert (await client.storefront_consent(ada["id"])).deny == ["targeting"]


async def test_refusals_map_to_the_taxonomy(bc: RunningSimulator, client: BigCommerceClient) -> None:
    ada = await sandbox(bc, "POST", "/customers", {"email": "ada@example.test"})
    with pytest.raises(RejectedError, match="255") as too_long:
        await client.set_customer_fields(ada["id"], {"last_communication": "x" * 300})
    assert not too_long.value.retryable
    with pytest.raises(NotFoundError):
        await client.customer_record(999)
    with pytest.raises(RejectedError):  # the simulator refuses an unknown customer's values
        await client.set_customer_fields(999, {"last_communication": 1})

    bc.world.faults.add(
        FaultRule(
            system="bigcommerce",
            operation="PUT /v3/customers/attribute-values",
            effect=FaultEffect.THROTTLE,
            seconds=30,
        )
    )
    with pytest.raises(RateLimitedError) as throttled:
        await client.set_customer_fields(ada["id"], {"last_communication": 1})
    assert throttled.value.retryable


async def test_publish_and_withdraw_a_product_document(bc: RunningSimulator, client: BigCommerceClient) -> None:
    drill = await sandbox(bc, "POST", "/products", {"name": "Drill", "price": "99.00"})
    sheet = ProductDocument(document_id="90412", title="Spec sheet", url="https://docs.example.test/90412.pdf")

    published = await client.publish_product_document(drill["id"], sheet)
    again = await client.publish_product_document(drill["id"], sheet)
    assert again == published  # found by its document id: nothing written twice
    renamed = await client.publish_product_document(drill["id"], sheet.model_copy(update={"title": "Spec sheet v2"}))
    assert renamed.custom_field_id == published.custom_field_id and renamed.title == "Spec sheet v2"
    manual = ProductDocument(document_id="90413", title="Manual", url="https://docs.example.test/90413.pdf")
    await client.publish_product_document(drill["id"], manual)

    assert {d.document_id for d in await client.product_documents(drill["id"])} == {"90412", "90413"}
    assert await client.withdraw_product_document(drill["id"], "90412") is True
    assert await client.withdraw_product_document(drill["id"], "90412") is False
    stored = await sandbox(bc, "GET", f"/products/{drill['id']}/custom_fields")
    assert [(f["name"], f["value"]) for f in stored] == [
        ("Manual", "https://docs.example.test/90413.pdf#casebridge-doc=90413")
    ]

    long_url = ProductDocument(document_id="1", title="Long", url="https://docs.example.test/" + "a" * 240)
    with pytest.raises(RejectedError, match="250"):
        await client.publish_product_document(drill["id"], long_url)
    with pytest.raises(NotFoundError):
        await client.publish_product_document(999, manual)
