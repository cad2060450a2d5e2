"""The Adobe Commerce simulator's customers (custom attributes, newsletter subscription) and product
custom attributes, over raw HTTP: accepted per the 2.4.9 schema, refused where Magento refuses
(required customer fields, unknown attribute codes, missing values), nothing changed on a refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from pydantic import SecretStr

from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.config import SandboxConfig
from sandbox.world import SandboxWorld
from tests.support.servers import serve

STORE = AdobeStoreConfig(
    store_code="records",
    admin_username="rec-admin",
    admin_password=SecretStr("rec-password"),
    consumer_key="ck-rec",
    consumer_secret=SecretStr("cs-rec"),
    access_token="at-rec",
    access_token_secret=SecretStr("ats-rec"),
    ims_client_id="ims-rec",
    ims_client_secret=SecretStr("ims-secret-rec"),
    ims_org_id="RECORG@AdobeOrg",
    io_events_client_id="io-rec",
)


@dataclass
class Sim:
    origin: str
    http: httpx.AsyncClient
    token: str

    async def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        url = f"{self.origin}/adobe-commerce/rest/{STORE.store_code}{path}"
        return await self.http.request(method, url, headers={"Authorization": f"Bearer {self.token}"}, **kw)

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        url = f"{self.origin}/adobe-commerce/_admin/stores/{STORE.store_code}{path}"
        response = await self.http.request(method, url, json=body)
        assert response.is_success, response.text
        return response.json()


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Sim]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    app, _ = create_adobe_app(world, [STORE])
    async with serve(app) as origin, httpx.AsyncClient() as http:
        response = await http.post(
            f"{origin}/adobe-commerce/rest/{STORE.store_code}/V1/integration/admin/token",
            json={"username": STORE.admin_username, "password": "rec-password"},
        )
        assert response.status_code == 200
        yield Sim(origin, http, response.json())


def _customer(seeded: dict[str, Any], **changes: Any) -> dict[str, Any]:
    base = {k: seeded[k] for k in ("email", "firstname", "lastname", "website_id")}
    return {"customer": {**base, **changes}}


async def test_customer_attributes_and_subscription(sim: Sim) -> None:
    ada = await sim.admin("POST", "/customers", {"email": "ada@example.test", "is_subscribed": True})
    got = await sim.call("GET", f"/V1/customers/{ada['id']}")
    assert got.status_code == 200 and got.json()["extension_attributes"]["is_subscribed"] is True

    put = await sim.call(
        "PUT",
        f"/V1/customers/{ada['id']}",
        json=_customer(
            ada,
            extension_attributes={"is_subscribed": False},
            custom_attributes=[{"attribute_code": "casebridge_last_communication", "value": '{"channel":"print"}'}],
        ),
    )
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["extension_attributes"]["is_subscribed"] is False
    assert body["custom_attributes"] == [
        {"attribute_code": "casebridge_last_communication", "value": '{"channel":"print"}'}
    ]
    # A later PUT without the attribute or the flag keeps both.
    again = await sim.call("PUT", f"/V1/customers/{ada['id']}", json=_customer(ada, firstname="Augusta"))
    assert again.status_code == 200
    stored = await sim.admin("GET", f"/customers/{ada['id']}")
    assert stored["firstname"] == "Augusta" and stored["extension_attributes"]["is_subscribed"] is False
    assert len(stored["custom_attributes"]) == 1


async def test_customer_refusals_change_nothing(sim: Sim) -> None:
    ada = await sim.admin("POST", "/customers", {"email": "ada@example.test"})
    await sim.admin("POST", "/customers", {"email": "bo@example.test"})
    refusals = [
        ({"customer": {"firstname": "A", "lastname": "L"}}, 400, None),  # email required (schema)
        (_customer(ada, custom_attributes=[{"attribute_code": "loyalty_tier", "value": "gold"}]), 400, "doesn't exist"),
        (
            _customer(ada, custom_attributes=[{"attribute_code": "casebridge_last_communication", "value": None}]),
            400,
            "schema",  # `value` is required
        ),
        (_customer(ada, email="bo@example.test"), 400, "same email address"),
        (_customer(ada, email="not-an-email"), 400, "not a valid email"),
        (_customer(ada, firstname="Ada"), 404, None),  # to an unknown customer (path below)
    ]
    for body, status, message in refusals:
        path = "/V1/customers/999" if status == 404 else f"/V1/customers/{ada['id']}"
        response = await sim.call("PUT", path, json=body)
        assert response.status_code == status, response.text
        assert "message" in response.json()
        if message:
            assert message in response.json()["message"]
    assert (await sim.call("GET", "/V1/customers/999")).status_code == 404
    stored = await sim.admin("GET", f"/customers/{ada['id']}")
    assert stored["email"] == "ada@example.test" and stored["custom_attributes"] == []


async def test_product_custom_attributes_must_exist(sim: Sim) -> None:
    await sim.admin("POST", "/products", {"sku": "DRILL-1", "name": "Drill", "price": 99})
    documents = '[{"document_id":"90412","title":"Spec sheet","url":"https://docs.example.test/90412.pdf"}]'
    ok = await sim.call(
        "PUT",
        "/V1/products/DRILL-1",
        json={
            "product": {
                "sku": "DRILL-1",
                "custom_attributes": [{"attribute_code": "casebridge_documents", "value": documents}],
            }
        },
    )
    assert ok.status_code == 200, ok.text
    unknown = await sim.call(
        "PUT",
        "/V1/products/DRILL-1",
        json={"product": {"sku": "DRILL-1", "custom_attributes": [{"attribute_code": "spec_sheet_pdf", "value": "x"}]}},
    )
    assert unknown.status_code == 400 and unknown.json()["parameters"] == ["spec_sheet_pdf"]
    stored = await sim.admin("GET", "/products/DRILL-1")
    assert stored["custom_attributes"] == [{"attribute_code": "casebridge_documents", "value": documents}]


async def test_demo_catalog_is_created_once(sim: Sim) -> None:
    first = await sim.admin("POST", "/demo_catalog")
    again = await sim.admin("POST", "/demo_catalog")
    assert [p["sku"] for p in first] == ["DRILL-18V", "GOGGLES-1"]
    assert [p["id"] for p in again] == [p["id"] for p in first]
