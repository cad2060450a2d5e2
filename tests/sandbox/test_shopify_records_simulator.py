"""The Shopify simulator's customer consent and metafields, over real HTTP with raw GraphQL: what it
accepts, the refusals Shopify gives (userErrors, nothing written), and the sandbox admin read-back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from pydantic import SecretStr

from sandbox.config import ShopConfig
from sandbox.shopify.standalone import RunningShopify, serve_simulator

SHOP = "records.myshopify.com"
TOKEN = "shpat_records"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_records"))

EMAIL_CONSENT = """
mutation($i: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $i) {
    customer { id emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt } }
    userErrors { field message code }
  }
}
"""
SMS_CONSENT = """
mutation($i: CustomerSmsMarketingConsentUpdateInput!) {
  customerSmsMarketingConsentUpdate(input: $i) {
    customer { id smsMarketingConsent { marketingState marketingOptInLevel } }
    userErrors { field message code }
  }
}
"""
SET = """
mutation($m: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $m) {
    metafields { id namespace key type value compareDigest jsonValue ownerType }
    userErrors { field message code elementIndex }
  }
}
"""
DELETE = """
mutation($m: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $m) { deletedMetafields { ownerId namespace key } userErrors { field message } }
}
"""
READ = """
query($id: ID!) {
  customer(id: $id) {
    emailMarketingConsent { marketingState }
    smsMarketingConsent { marketingState }
    metafield(namespace: "casebridge", key: "last_communication") { value owner { ... on Customer { id } } }
    metafields(first: 10, namespace: "casebridge") { nodes { key } }
  }
}
"""


@dataclass
class Sim:
    running: RunningShopify
    http: httpx.AsyncClient

    async def data(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.running.base_url(SHOP)}/admin/api/2025-01/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": TOKEN},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def admin(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = await self.http.request(method, f"{self.running.admin(SHOP)}{path}", json=body)
        assert response.status_code in (200, 201), response.text
        found: dict[str, Any] = response.json()
        return found

    async def customer(self, **seed: Any) -> dict[str, Any]:
        created: dict[str, Any] = (await self.admin("POST", "/customers", seed))["customer"]
        return created


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Sim]:
    async with serve_simulator([CONFIG]) as running, httpx.AsyncClient() as http:
        yield Sim(running, http)


def _json_field(owner: str, key: str, value: Any, **extra: Any) -> dict[str, Any]:
    return {
        "ownerId": owner,
        "namespace": "casebridge",
        "key": key,
        "type": "json",
        "value": json.dumps(value),
        **extra,
    }


async def test_email_and_sms_consent_change_and_read_back(sim: Sim) -> None:
    ada = await sim.customer(email="ada@example.test", phone="+15550100", email_marketing_state="SUBSCRIBED")
    assert ada["email_marketing_consent"]["state"] == "SUBSCRIBED"

    payload = (
        await sim.data(
            EMAIL_CONSENT,
            {
                "i": {
                    "customerId": ada["admin_graphql_api_id"],
                    "emailMarketingConsent": {"marketingState": "UNSUBSCRIBED"},
                }
            },
        )
    )["customerEmailMarketingConsentUpdate"]
    assert payload["userErrors"] == []
    assert payload["customer"]["emailMarketingConsent"]["marketingState"] == "UNSUBSCRIBED"
    sms = (
        await sim.data(
            SMS_CONSENT,
            {
                "i": {
                    "customerId": ada["admin_graphql_api_id"],
                    "smsMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "CONFIRMED_OPT_IN"},
                }
            },
        )
    )["customerSmsMarketingConsentUpdate"]
    assert sms["customer"]["smsMarketingConsent"] == {
        "marketingState": "SUBSCRIBED",
        "marketingOptInLevel": "CONFIRMED_OPT_IN",
    }

    record = (await sim.admin("GET", f"/customers/{ada['id']}"))["customer"]
    assert record["email_marketing_consent"]["state"] == "UNSUBSCRIBED"
    assert record["sms_marketing_consent"]["state"] == "SUBSCRIBED"


async def test_consent_refusals(sim: Sim) -> None:
    no_phone = await sim.customer(email="bo@example.test")
    cases = [
        (
            SMS_CONSENT,
            no_phone["admin_graphql_api_id"],
            "smsMarketingConsent",
            {"marketingState": "SUBSCRIBED"},
            "INVALID",
        ),
        (
            EMAIL_CONSENT,
            no_phone["admin_graphql_api_id"],
            "emailMarketingConsent",
            {"marketingState": "REDACTED"},
            "INCLUSION",
        ),
        (
            EMAIL_CONSENT,
            "gid://shopify/Customer/1",
            "emailMarketingConsent",
            {"marketingState": "SUBSCRIBED"},
            "INVALID",
        ),
        (
            EMAIL_CONSENT,
            no_phone["admin_graphql_api_id"],
            "emailMarketingConsent",
            {"marketingState": "SUBSCRIBED", "consentUpdatedAt": "2999-01-01T00:00:00Z"},
            "INVALID",
        ),
    ]
    for document, customer_id, key, consent, code in cases:
        data = await sim.data(document, {"i": {"customerId": customer_id, key: consent}})
        [payload] = data.values()
        assert payload["customer"] is None
        assert [e["code"] for e in payload["userErrors"]] == [code], payload
    record = (await sim.admin("GET", f"/customers/{no_phone['id']}"))["customer"]
    assert record["email_marketing_consent"]["state"] == "NOT_SUBSCRIBED"


async def test_metafields_set_upserts_and_reads(sim: Sim) -> None:
    ada = (await sim.customer(email="ada@example.test"))["admin_graphql_api_id"]
    first = (await sim.data(SET, {"m": [_json_field(ada, "last_communication", {"channel": "email"})]}))[
        "metafieldsSet"
    ]
    assert first["userErrors"] == []
    [written] = first["metafields"]
    assert (written["ownerType"], written["jsonValue"]) == ("CUSTOMER", {"channel": "email"})

    again = (
        await sim.data(
            SET,
            {
                "m": [
                    _json_field(
                        ada, "last_communication", {"channel": "print"}, compareDigest=written["compareDigest"]
                    ),
                    _json_field(ada, "communication_preferences", {"email": False}),
                ]
            },
        )
    )["metafieldsSet"]
    assert again["userErrors"] == []
    assert again["metafields"][0]["id"] == written["id"]  # the same metafield, updated

    read = (await sim.data(READ, {"id": ada}))["customer"]
    assert json.loads(read["metafield"]["value"]) == {"channel": "print"}
    assert read["metafield"]["owner"] == {"id": ada}
    assert sorted(n["key"] for n in read["metafields"]["nodes"]) == ["communication_preferences", "last_communication"]

    deleted = await sim.data(
        DELETE,
        {
            "m": [
                {"ownerId": ada, "namespace": "casebridge", "key": "last_communication"},
                {"ownerId": ada, "namespace": "casebridge", "key": "nothing"},
            ]
        },
    )
    assert deleted["metafieldsDelete"]["deletedMetafields"] == [
        {"ownerId": ada, "namespace": "casebridge", "key": "last_communication"},
        None,
    ]


async def test_metafields_set_refusals_write_nothing(sim: Sim) -> None:
    ada = (await sim.customer(email="ada@example.test"))["admin_graphql_api_id"]
    good = _json_field(ada, "communication_preferences", {"email": True})
    other = _json_field(ada, "delivery_outcome", {"bounced": False})
    refused = [
        ({**other, "value": "{not json"}, "INVALID_VALUE", "value"),
        ({**other, "type": "no_such_type"}, "INVALID_TYPE", "type"),
        ({**other, "type": "url", "value": "ftp://files.example.test/a.pdf"}, "INVALID_VALUE", "value"),
        ({**other, "key": "k"}, "TOO_SHORT", "key"),
        ({**other, "namespace": "bad namespace"}, "INVALID_VALUE", "namespace"),
        ({**other, "type": None}, "BLANK", "type"),
        ({**other, "compareDigest": "stale"}, "INVALID_COMPARE_DIGEST", "compareDigest"),
        ({**other, "ownerId": "gid://shopify/Customer/1"}, "INVALID_VALUE", "ownerId"),
        (good, "TAKEN", "key"),  # the same metafield twice in one call
    ]
    for entry, code, field in refused:
        payload = (await sim.data(SET, {"m": [good, entry]}))["metafieldsSet"]
        assert payload["metafields"] is None
        [error] = payload["userErrors"]
        assert (error["code"], error["field"][-1], error["elementIndex"]) == (code, field, 1), payload
    too_many = [_json_field(ada, f"key_{n}", n) for n in range(26)]
    payload = (await sim.data(SET, {"m": too_many}))["metafieldsSet"]
    assert [e["code"] for e in payload["userErrors"]] == ["LESS_THAN_OR_EQUAL_TO"]
    record = (await sim.admin("GET", f"/customers/{ada.rsplit('/', 1)[1]}"))["customer"]
    assert record["metafields"] == []  # atomic: the valid first entry was not written either

    await sim.data(SET, {"m": [good]})
    changed_type = {**good, "type": "single_line_text_field", "value": "x"}
    payload = (await sim.data(SET, {"m": [changed_type]}))["metafieldsSet"]
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_TYPE"]
    payload = (await sim.data(SET, {"m": [{**good, "compareDigest": None}]}))["metafieldsSet"]
    assert [e["code"] for e in payload["userErrors"]] == ["INVALID_COMPARE_DIGEST"]  # null: "must not exist yet"


async def test_product_metafields_read_back(sim: Sim) -> None:
    product = (await sim.admin("POST", "/products", {"title": "Drill"}))["product"]
    owner = product["admin_graphql_api_id"]
    entry = {
        "ownerId": owner,
        "namespace": "casebridge_documents",
        "key": "doc_42",
        "type": "url",
        "value": "https://ecm.example.test/42.pdf",
    }
    payload = (await sim.data(SET, {"m": [entry]}))["metafieldsSet"]
    assert payload["userErrors"] == [] and payload["metafields"][0]["ownerType"] == "PRODUCT"
    found = (await sim.admin("GET", f"/products/{product['id']}/metafields"))["metafields"]
    assert [(m["key"], m["value"]) for m in found] == [("doc_42", "https://ecm.example.test/42.pdf")]


async def test_demo_catalog_is_created_once(sim: Sim) -> None:
    first = (await sim.admin("POST", "/demo_catalog"))["products"]
    again = (await sim.admin("POST", "/demo_catalog"))["products"]
    assert [p["handle"] for p in first] == ["cordless-drill-18v", "safety-goggles"]
    assert [p["id"] for p in again] == [p["id"] for p in first]
