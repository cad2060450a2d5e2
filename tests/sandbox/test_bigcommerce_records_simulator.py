"""The BigCommerce simulator's customer attributes, storefront consent and product custom fields,
over raw HTTP: accepted per the specs, refused (v3 `ErrorResponse`, nothing changed) where
BigCommerce refuses, and read back through the sandbox admin routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio
from pydantic import SecretStr

from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator

STORE = BigCommerceStoreConfig(
    store_hash="recstore1", access_token=SecretStr("rec-token"), client_secret=SecretStr("rec-app-secret")
)
HEADERS = {"X-Auth-Token": "rec-token", "Accept": "application/json", "Content-Type": "application/json"}


@pytest_asyncio.fixture
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE]) as running:
        yield running


@pytest_asyncio.fixture
async def http(bc: RunningSimulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{bc.rest_url}/stores/{STORE.store_hash}", headers=HEADERS) as client:
        yield client


async def admin(bc: RunningSimulator, method: str, path: str, body: object = None) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.request(method, f"{bc.admin(STORE.store_hash)}{path}", json=body)
    assert response.is_success, response.text
    return response.json() if response.content else None


def refused(response: httpx.Response, status: int = 422) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"status", "title", "type"}
    return str(body["title"])


async def test_attributes_and_values_upsert(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    ada = await admin(bc, "POST", "/customers", {"email": "ada@example.test"})
    created = await http.post(
        "/v3/customers/attributes",
        json=[{"name": "casebridge.last_communication", "type": "string"}, {"name": "Joined", "type": "date"}],
    )
    assert created.status_code == 200, created.text
    last, joined = (a["id"] for a in created.json()["data"])

    found = (await http.get("/v3/customers/attributes", params={"name": "casebridge.last_communication"})).json()
    assert [a["id"] for a in found["data"]] == [last]

    first = await http.put(
        "/v3/customers/attribute-values",
        json=[
            {"attribute_id": last, "customer_id": ada["id"], "value": '{"channel":"email"}'},
            {"attribute_id": joined, "customer_id": ada["id"], "value": "2024-05-14"},
        ],
    )
    assert first.status_code == 200, first.text
    again = await http.put(
        "/v3/customers/attribute-values",
        json=[{"attribute_id": last, "customer_id": ada["id"], "value": '{"channel":"print"}'}],
    )
    assert again.json()["data"][0]["id"] == first.json()["data"][0]["id"]  # upserted, not added

    values = (await http.get("/v3/customers/attribute-values", params={"customer_id:in": str(ada["id"])})).json()
    assert sorted(v["attribute_value"] for v in values["data"]) == ["2024-05-14", '{"channel":"print"}']
    records = await admin(bc, "GET", f"/customers/{ada['id']}/records")
    assert records["attributes"] == {"casebridge.last_communication": '{"channel":"print"}', "Joined": "2024-05-14"}

    assert (await http.delete("/v3/customers/attributes", params={"id:in": str(joined)})).status_code == 204
    records = await admin(bc, "GET", f"/customers/{ada['id']}/records")
    assert list(records["attributes"]) == ["casebridge.last_communication"]  # its values went with it


async def test_attribute_refusals(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    ada = await admin(bc, "POST", "/customers", {"email": "ada@example.test"})
    number = (await http.post("/v3/customers/attributes", json=[{"name": "Age", "type": "number"}])).json()["data"][0]

    assert "already exists" in refused(
        await http.post("/v3/customers/attributes", json=[{"name": "Age", "type": "string"}])
    )
    refused(await http.post("/v3/customers/attributes", json=[{"name": "Colour", "type": "color"}]))  # spec enum
    refused(await http.post("/v3/customers/attributes", json=[{"name": "", "type": "string"}]))  # minLength
    many = [{"name": f"attribute {n}", "type": "string"} for n in range(50)]
    assert "50" in refused(await http.post("/v3/customers/attributes", json=many))

    bad_values = [
        [{"attribute_id": number["id"], "customer_id": ada["id"], "value": "forty"}],  # not a number
        [{"attribute_id": 999, "customer_id": ada["id"], "value": "1"}],  # no such attribute
        [{"attribute_id": number["id"], "customer_id": 999, "value": "1"}],  # no such customer
        [{"attribute_id": number["id"], "customer_id": ada["id"], "value": "1" * 256}],  # maxLength 255
        [{"attribute_id": number["id"], "customer_id": ada["id"]}],  # value is required
        [{"attribute_id": number["id"], "customer_id": c, "value": "1"} for c in range(1, 12)],  # > 10 customers
    ]
    for body in bad_values:
        refused(await http.put("/v3/customers/attribute-values", json=body))
    assert (await admin(bc, "GET", f"/customers/{ada['id']}/records"))["attributes"] == {}


async def test_storefront_consent(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    ada = await admin(bc, "POST", "/customers", {"email": "ada@example.test"})
    initial = (await http.get(f"/v3/customers/{ada['id']}/consent")).json()
    assert (initial["allow"], initial["deny"]) == (["essential"], [])

    put = await http.put(f"/v3/customers/{ada['id']}/consent", json={"allow": ["analytics"], "deny": ["targeting"]})
    assert put.status_code == 200 and put.json()["allow"] == ["essential", "analytics"]
    refused(await http.put(f"/v3/customers/{ada['id']}/consent", json={"allow": ["marketing"]}))  # spec enum
    refused(await http.put(f"/v3/customers/{ada['id']}/consent", json={"allow": ["analytics"], "deny": ["analytics"]}))
    refused(await http.get("/v3/customers/999/consent"), 404)
    assert (await admin(bc, "GET", f"/customers/{ada['id']}/records"))["consent"] == {
        "allow": ["essential", "analytics"],
        "deny": ["targeting"],
    }


async def test_accepts_marketing_emails_flag_on_customers(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    ada = await admin(
        bc, "POST", "/customers", {"email": "ada@example.test", "accepts_product_review_abandoned_cart_emails": True}
    )
    assert ada["accepts_product_review_abandoned_cart_emails"] is True
    put = await http.put(
        "/v3/customers", json=[{"id": ada["id"], "accepts_product_review_abandoned_cart_emails": False}]
    )
    assert put.status_code == 200 and put.json()["data"][0]["accepts_product_review_abandoned_cart_emails"] is False


async def test_custom_fields(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    drill = await admin(bc, "POST", "/products", {"name": "Drill", "price": "99.00"})
    base = f"/v3/catalog/products/{drill['id']}/custom-fields"
    created = await http.post(base, json={"name": "Spec sheet", "value": "https://docs.example.test/1.pdf"})
    assert created.status_code == 200, created.text
    field_id = created.json()["data"]["id"]

    assert "unique" in refused(
        await http.post(base, json={"name": "Spec sheet", "value": "https://docs.example.test/1.pdf"})
    )
    refused(await http.post(base, json={"name": "Spec sheet", "value": "x" * 251}))  # maxLength 250
    refused(await http.post(base, json={"name": "Spec sheet"}))  # value required
    refused(await http.post("/v3/catalog/products/999/custom-fields", json={"name": "a", "value": "b"}), 404)

    updated = await http.put(f"{base}/{field_id}", json={"value": "https://docs.example.test/2.pdf"})
    assert updated.status_code == 200 and updated.json()["data"]["name"] == "Spec sheet"
    listed = (await http.get(base)).json()
    assert [(f["name"], f["value"]) for f in listed["data"]] == [("Spec sheet", "https://docs.example.test/2.pdf")]

    assert (await http.delete(f"{base}/{field_id}")).status_code == 204
    refused(await http.delete(f"{base}/{field_id}"), 404)
    assert await admin(bc, "GET", f"/products/{drill['id']}/custom_fields") == []


async def test_demo_catalog_is_created_once(bc: RunningSimulator) -> None:
    first = await admin(bc, "POST", "/demo_catalog")
    again = await admin(bc, "POST", "/demo_catalog")
    assert [p["sku"] for p in first] == ["DRILL-18V", "GOGGLES-1"]
    assert [p["id"] for p in again] == [p["id"] for p in first]
