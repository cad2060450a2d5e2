"""The BigCommerce simulator on its own, over raw HTTP: it must refuse what BigCommerce refuses, in
BigCommerce's error shapes and status codes (v2 arrays, v3 `ErrorResponse`, B2B `{code, data, meta}`),
meter requests like the real quota, and sign webhooks exactly as the official test vectors are signed."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.specs import BigCommerceContract
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator
from sandbox.bigcommerce.webhooks import standard_webhooks_signature
from sandbox.faults import FaultEffect, FaultRule
from sandbox.specs import specs_dir

STORE = BigCommerceStoreConfig(
    store_hash="simstore1", access_token=SecretStr("sim-token"), client_secret=SecretStr("sim-app-secret")
)
OTHER = BigCommerceStoreConfig(
    store_hash="simstore2", access_token=SecretStr("sim-token-2"), client_secret=SecretStr("sim-app-secret-2")
)
HEADERS = {"X-Auth-Token": "sim-token", "Accept": "application/json", "Content-Type": "application/json"}
RATE_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)
VECTORS = specs_dir() / "bigcommerce" / "webhooks"


@pytest_asyncio.fixture(scope="module")
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE, OTHER]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(bc: RunningSimulator) -> Iterator[None]:
    bc.world.faults.clear()
    yield
    bc.world.faults.clear()


@pytest_asyncio.fixture
async def http(bc: RunningSimulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{bc.rest_url}/stores/{STORE.store_hash}", headers=HEADERS) as client:
        yield client


async def admin(
    bc: RunningSimulator, method: str, path: str, body: object = None, store: str = STORE.store_hash
) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.request(method, f"{bc.admin(store)}{path}", json=body)
    assert response.is_success, response.text
    return response.json() if response.content else None


async def paid_order(bc: RunningSimulator, quantity: int = 1, price: str = "30.00") -> dict[str, Any]:
    product = await admin(bc, "POST", "/products", {"name": f"Item {price} x{quantity}", "price": price})
    body = {"billing_address": {"zip": "1"}, "products": [{"product_id": product["id"], "quantity": quantity}]}
    order: dict[str, Any] = await admin(bc, "POST", "/orders", body)
    return order


# -- the gate: store, token, quota -----------------------------------------------------------------


async def test_unknown_store_and_bad_tokens_are_refused(bc: RunningSimulator) -> None:
    async with httpx.AsyncClient(headers=HEADERS) as client:
        unknown = await client.get(f"{bc.rest_url}/stores/nosuchstore/v3/hooks")
        wrong = await client.get(
            f"{bc.rest_url}/stores/{STORE.store_hash}/v3/hooks", headers={"X-Auth-Token": "sim-token-2"}
        )
        missing = await client.get(f"{bc.rest_url}/stores/{STORE.store_hash}/v2/orders", headers={"X-Auth-Token": ""})

    assert unknown.status_code == 404
    assert wrong.status_code == 401 and set(wrong.json()) == {"status", "title", "type"}  # v3 shape
    assert missing.status_code == 401 and missing.json()[0]["status"] == 401  # v2: an array


async def test_every_answer_carries_the_quota_headers_and_over_quota_is_429(bc: RunningSimulator) -> None:
    await admin(bc, "PUT", "/rate_limit", {"quota": 2, "window_ms": 300}, store=OTHER.store_hash)
    base = f"{bc.rest_url}/stores/{OTHER.store_hash}"
    async with httpx.AsyncClient(base_url=base, headers=HEADERS | {"X-Auth-Token": "sim-token-2"}) as client:
        first = await client.get("/v2/orders/1")  # a 404 still counts and still carries the headers
        second = await client.get("/v3/hooks")
        third = await client.get("/v3/hooks")
        await asyncio.sleep(0.35)
        fourth = await client.get("/v3/hooks")

    assert first.status_code == 404 and second.status_code == 200
    for response in (first, second, third, fourth):
        assert all(name in response.headers for name in RATE_HEADERS)
    assert [r.headers["X-Rate-Limit-Requests-Left"] for r in (first, second, third)] == ["1", "0", "0"]
    assert third.status_code == 429 and third.json()["status"] == 429
    assert 0 < int(third.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 300
    assert third.headers["X-Rate-Limit-Requests-Quota"] == "2"
    assert fourth.status_code == 200 and fourth.headers["X-Rate-Limit-Requests-Left"] == "1"
    await admin(bc, "PUT", "/rate_limit", {"quota": 150, "window_ms": 30000}, store=OTHER.store_hash)


# -- strict like the spec ----------------------------------------------------------------------------


async def test_requests_the_spec_refuses_get_the_apis_error_shapes(
    bc: RunningSimulator, http: httpx.AsyncClient
) -> None:
    order_id = (await paid_order(bc))["id"]

    v2 = await http.put(f"/v2/orders/{order_id}", json={"status_id": "twelve"})
    assert v2.status_code == 400
    (problem,) = v2.json()
    assert problem["status"] == 400 and "is not of type 'integer'" in problem["message"]

    v3 = await http.post(f"/v3/orders/{order_id}/payment_actions/refund_quotes", json={"lines": []})
    assert v3.status_code == 422
    assert v3.json()["title"] == "JSON data is missing or invalid" and "request" in v3.json()["errors"]

    hooks = await http.post("/v3/hooks", json={"scope": "store/order/created"})  # no destination
    assert hooks.status_code == 422
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["status_id"] == 11  # nothing changed


async def test_the_loaded_specs_are_repaired_only_where_they_contradict_themselves() -> None:
    contract = BigCommerceContract()
    url = "https://api.bigcommerce.com/stores/abc/v3/orders/1/payment_actions/refund_quotes"
    order_level = {"items": [{"item_type": "ORDER", "item_id": 1, "amount": 1}]}  # the spec's own example
    assert contract.errors("POST", url, HEADERS, json.dumps(order_level).encode()) == []
    bad_type = {"items": [{"item_type": "SOMETHING", "item_id": 1, "amount": 1}]}
    assert contract.errors("POST", url, HEADERS, json.dumps(bad_type).encode()) != []
    b2b = {"X-Auth-Token": "t", "X-Store-Hash": "abc"}
    assert contract.errors("GET", "https://api-b2b.bigcommerce.com/api/v3/io/rfq", b2b, None) == []
    assert contract.errors("GET", "https://api-b2b.bigcommerce.com/api/v3/io/rfq?limit=ten", b2b, None) != []
    assert contract.errors("GET", "https://api.bigcommerce.com/stores/abc/v2/nothing", HEADERS, None) != []


async def test_empty_v2_lists_are_204(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    order_id = (await paid_order(bc))["id"]
    none = await http.get(f"/v2/orders/{order_id}/shipments")
    filtered = await http.get("/v2/orders", params={"external_order_id": "never-used"})
    assert none.status_code == filtered.status_code == 204 and none.content == b""


# -- order rules ---------------------------------------------------------------------------------------


async def test_status_changes_follow_the_status_table(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    order_id = (await paid_order(bc))["id"]

    unknown = await http.put(f"/v2/orders/{order_id}", json={"status_id": 15})
    held = await http.put(f"/v2/orders/{order_id}", json={"status_id": 12})
    cancelled = await http.put(f"/v2/orders/{order_id}", json={"status_id": 5})
    ship = await http.post(
        f"/v2/orders/{order_id}/shipments", json={"order_address_id": 1, "items": [{"order_product_id": 1}]}
    )

    assert unknown.status_code == 400 and "status_id" in unknown.json()[0]["message"]
    assert held.json()["status"] == "Manual Verification Required"
    assert cancelled.json()["status"] == "Cancelled"
    assert ship.status_code == 400 and "cannot be shipped" in ship.json()[0]["message"]
    statuses = await http.get("/v2/order_statuses")
    assert [s["id"] for s in statuses.json()] == list(range(15))


async def test_refunds_need_a_quote_and_cannot_exceed_what_remains(
    bc: RunningSimulator, http: httpx.AsyncClient
) -> None:
    order_id = (await paid_order(bc, quantity=1, price="30.00"))["id"]
    items = [{"item_type": "ORDER", "item_id": order_id, "amount": 20}]
    payments = [{"provider_id": "braintree", "amount": 20, "offline": False}]
    refunds = f"/v3/orders/{order_id}/payment_actions/refunds"

    unquoted = await http.post(refunds, json={"items": items, "payments": payments})
    quote = await http.post(f"/v3/orders/{order_id}/payment_actions/refund_quotes", json={"items": items})
    refunded = await http.post(refunds, json={"items": items, "payments": payments})
    again = await http.post(f"/v3/orders/{order_id}/payment_actions/refund_quotes", json={"items": items})

    assert unquoted.status_code == 422 and "refund quote" in unquoted.json()["title"]
    assert quote.status_code == 201 and quote.json()["data"]["total_refund_amount"] == 20.0
    assert refunded.status_code == 201 and refunded.json()["data"]["total_amount"] == 20.0
    assert again.status_code == 422 and set(again.json()) == {"status", "title", "type", "errors"}
    assert "exceeds the amount remaining" in again.json()["title"]
    order = await admin(bc, "GET", f"/orders/{order_id}")
    assert order["status_id"] == 14 and order["refunded_amount"] == "20.0000"


# -- faults ------------------------------------------------------------------------------------------


async def test_throttle_faults_answer_like_the_gateway(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    bc.world.faults.add(
        FaultRule(system="bigcommerce", operation="GET /v3/hooks", effect=FaultEffect.THROTTLE, seconds=4)
    )
    quota = await http.get("/v3/hooks")
    bc.world.faults.add(
        FaultRule(system="bigcommerce", operation="GET /v3/hooks", effect=FaultEffect.THROTTLE, message="platform")
    )
    platform = await http.get("/v3/hooks")

    assert quota.status_code == 429 and quota.headers["X-Rate-Limit-Time-Reset-Ms"] == "4000"
    assert quota.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert platform.status_code == 429 and "X-Rate-Limit-Time-Reset-Ms" not in platform.headers
    assert platform.content == b""


async def test_user_error_and_latency_faults(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    order_id = (await paid_order(bc))["id"]
    bc.world.faults.add(
        FaultRule(system="bigcommerce", operation="PUT /v2/orders/*", effect=FaultEffect.USER_ERROR, message="Nope")
    )
    refused = await http.put(f"/v2/orders/{order_id}", json={"status_id": 12})
    assert refused.status_code == 400 and refused.json() == [{"status": 400, "message": "Nope"}]

    bc.world.faults.add(
        FaultRule(system="bigcommerce", operation="PUT /v2/orders/*", effect=FaultEffect.LATENCY, seconds=0.3)
    )
    with pytest.raises(httpx.ReadTimeout):
        await http.put(f"/v2/orders/{order_id}", json={"status_id": 12}, timeout=0.1)
    await asyncio.sleep(0.3)
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["status_id"] == 12  # done, though never answered


# -- B2B Edition -------------------------------------------------------------------------------------


async def test_b2b_needs_the_store_hash_header_and_answers_in_its_shape(bc: RunningSimulator) -> None:
    async with httpx.AsyncClient(base_url=f"{bc.b2b_url}/api/v3/io", headers=HEADERS) as client:
        no_hash = await client.get("/companies")
        missing = await client.get("/companies/424242", headers={"X-Store-Hash": STORE.store_hash})
        bad_status = await client.put(
            "/companies/1/status", json={"companyStatus": 7}, headers={"X-Store-Hash": STORE.store_hash}
        )
        bad_date = await client.get("/rfq/1", params={"date": "2025-04-07"}, headers={"X-Store-Hash": STORE.store_hash})

    assert no_hash.status_code == 401 and no_hash.json()["meta"]["message"].startswith("Invalid X-Store-Hash")
    assert missing.status_code == 404 and missing.json() == {
        "code": 404,
        "data": {},
        "meta": {"message": "Company not found."},
    }
    assert bad_status.status_code == 422 and bad_status.json()["code"] == 422
    assert bad_date.status_code == 400


# -- webhooks ----------------------------------------------------------------------------------------


def test_the_sandbox_signer_reproduces_the_official_test_vectors() -> None:
    headers = json.loads((VECTORS / "_delivery_headers.example.json").read_text())
    secret = headers["_test_secret"].encode()
    for name, sent in headers["deliveries"].items():
        body = (VECTORS / name).read_bytes()
        signature = standard_webhooks_signature(secret, sent["webhook-id"], int(sent["webhook-timestamp"]), body)
        assert signature == sent["webhook-signature"], name


async def test_status_changes_are_delivered_as_signed_thin_payloads(
    bc: RunningSimulator, http: httpx.AsyncClient
) -> None:
    hook = await http.post(
        "/v3/hooks",
        json={"scope": "store/order/statusUpdated", "destination": "http://127.0.0.1:9/nowhere", "is_active": True},
    )
    assert hook.status_code == 200
    order_id = (await paid_order(bc))["id"]
    await http.put(f"/v2/orders/{order_id}", json={"status_id": 12})
    await http.put(f"/v2/orders/{order_id}", json={"status_id": 12})  # no change, no event

    sent = [
        d
        for d in bc.world.deliverer.log
        if d.label == "store/order/statusUpdated" and json.loads(d.body)["data"]["id"] == order_id
    ]
    assert len(sent) == 1
    payload = json.loads(sent[0].body)
    assert list(payload) == ["created_at", "store_id", "producer", "scope", "hash", "data"]
    assert payload["data"] == {
        "type": "order",
        "id": order_id,
        "status": {"previous_status_id": 11, "new_status_id": 12},
    }
    headers = sent[0].headers
    expected = standard_webhooks_signature(
        STORE.client_secret.get_secret_value().encode(),
        headers["webhook-id"],
        int(headers["webhook-timestamp"]),
        sent[0].body,
    )
    assert headers["webhook-signature"] == expected
    assert base64.b64decode(expected.removeprefix("v1,"))  # valid base64
    await http.delete(f"/v3/hooks/{hook.json()['data']['id']}")
