"""The Adobe Commerce simulator on its own, over raw HTTP: is it as strict as the real API?

These requests are built by hand (not by the connector) to reach the refusals a well-behaved client
never provokes: schema violations, missing or replayed credentials, unknown routes and stores, and
Magento's state-machine answers.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.adobe_commerce import oauth1
from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.adobe_commerce.rma import status_by_items
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.world import SandboxWorld
from tests.support.servers import serve

STORE = AdobeStoreConfig(
    store_code="sim",
    admin_username="sim-admin",
    admin_password=SecretStr("sim-password"),
    consumer_key="ck-sim",
    consumer_secret=SecretStr("cs-sim"),
    access_token="at-sim",
    access_token_secret=SecretStr("ats-sim"),
    ims_client_id="ims-sim",
    ims_client_secret=SecretStr("ims-secret-sim"),
    ims_org_id="SIMORG@AdobeOrg",
    io_events_client_id="io-sim",
    generation=3,
)


@dataclass
class Sim:
    simulator: AdobeCommerceSimulator
    world: SandboxWorld
    origin: str
    http: httpx.AsyncClient
    token: str

    @property
    def rest(self) -> str:
        return f"{self.origin}/adobe-commerce/rest/{STORE.store_code}"

    async def call(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        return await self.http.request(method, f"{self.rest}{path}", headers=headers, **kw)

    def order(self, **spec: Any) -> dict[str, Any]:
        spec.setdefault("items", [{"sku": "TEE", "price": 10, "qty": 1}])
        return self.simulator.seed_order(STORE.store_code, spec)


@pytest_asyncio.fixture(scope="module")
async def sim() -> AsyncIterator[Sim]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    app, simulator = create_adobe_app(world, [STORE])
    async with serve(app) as origin, httpx.AsyncClient() as http:
        response = await http.post(
            f"{origin}/adobe-commerce/rest/{STORE.store_code}/V1/integration/admin/token",
            json={"username": STORE.admin_username, "password": "sim-password"},
        )
        assert response.status_code == 200
        yield Sim(simulator, world, origin, http, response.json())


@pytest.fixture(autouse=True)
def _no_leftover_faults(sim: Sim) -> Iterator[None]:
    sim.world.faults.clear()
    yield
    sim.world.faults.clear()


# -- routing and the schema -------------------------------------------------------------------------


async def test_unknown_route_is_404_in_magentos_words(sim: Sim) -> None:
    response = await sim.call("GET", "/V1/no-such-thing")
    assert (response.status_code, response.json()) == (404, {"message": "Request does not match any route."})


async def test_unknown_store_is_refused(sim: Sim) -> None:
    response = await sim.http.get(f"{sim.origin}/adobe-commerce/rest/nowhere/V1/orders/1")
    assert response.status_code == 400
    assert "store that was requested wasn't found" in response.json()["message"]


async def test_requests_violating_the_schema_are_refused(sim: Sim) -> None:
    order = sim.order()
    wrong_type = await sim.call(
        "POST",
        f"/V1/orders/{order['entity_id']}/comments",
        json={"statusHistory": {"comment": 5, "is_customer_notified": 0, "is_visible_on_front": 0, "parent_id": 1}},
    )
    string_status = await sim.call(
        "PUT",
        "/V1/company/1",
        json={
            "company": {
                "status": "approved",
                "street": [],
                "customer_group_id": 1,
                "sales_representative_id": 1,
                "reject_reason": "",
                "rejected_at": "",
                "super_user_id": 1,
            }
        },
    )
    bad_id = await sim.call("POST", "/V1/orders/abc/hold")
    for response in (wrong_type, string_status, bad_id):
        assert response.status_code == 400, response.text
        assert response.json()["message"].startswith("The request doesn't match the Adobe Commerce 2.4.9 schema")
    assert "5 is not of type 'string'" in wrong_type.json()["parameters"][0]
    assert (await sim.call("GET", f"/V1/orders/{order['entity_id']}")).json()["status_histories"] == []


async def test_lists_need_search_criteria_and_accept_both_spellings(sim: Sim) -> None:
    email = "spelling@example.test"
    for _ in range(3):
        sim.order(customer_email=email)
    missing = await sim.call("GET", "/V1/orders")
    assert missing.status_code == 400
    assert missing.json() == {
        "message": '"%fieldName" is required. Enter and try again.',
        "parameters": {"fieldName": "searchCriteria"},
    }
    for spelling in ("filter_groups", "filterGroups"):
        params = {
            f"searchCriteria[{spelling}][0][filters][0][field]": "customer_email",
            f"searchCriteria[{spelling}][0][filters][0][value]": email,
            "searchCriteria[pageSize]": 2,
            "searchCriteria[currentPage]": 9,
        }
        page = (await sim.call("GET", "/V1/orders", params=params)).json()
        # Past the last page Magento answers the last page again: rely on total_count.
        assert (page["total_count"], len(page["items"])) == (3, 1)


# -- credentials ------------------------------------------------------------------------------------


async def test_missing_or_unknown_token_is_401_with_the_resource(sim: Sim) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = await sim.http.get(f"{sim.rest}/V1/orders/1", headers=headers)
        assert response.status_code == 401
        assert response.json() == {
            "message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": "Magento_Sales::sales"},
        }


async def test_admin_token_request_with_wrong_password(sim: Sim) -> None:
    response = await sim.call(
        "POST", "/V1/integration/admin/token", auth=False, json={"username": STORE.admin_username, "password": "wrong"}
    )
    assert response.status_code == 401
    assert response.json()["message"].startswith("The account sign-in was incorrect")


async def test_oauth_nonce_cannot_be_replayed(sim: Sim) -> None:
    order = sim.order()
    url = f"{sim.rest}/V1/orders/{order['entity_id']}"
    header = oauth1.authorization_header(
        "GET",
        url,
        consumer_key="ck-sim",
        consumer_secret="cs-sim",
        token="at-sim",
        token_secret="ats-sim",
        nonce="fixed-nonce-1",
    )
    first = await sim.http.get(url, headers={"Authorization": header})
    replay = await sim.http.get(url, headers={"Authorization": header})
    stale = oauth1.authorization_header(
        "GET",
        url,
        consumer_key="ck-sim",
        consumer_secret="cs-sim",
        token="at-sim",
        token_secret="ats-sim",
        timestamp=int(time.time()) - 3600,
    )
    old = await sim.http.get(url, headers={"Authorization": stale})
    assert first.status_code == 200
    assert (replay.status_code, replay.json()["parameters"]) == (401, ["ck-sim"])
    assert old.status_code == 401


async def test_ims_token_needs_the_api_key_and_org_headers(sim: Sim) -> None:
    issued = await sim.http.post(
        f"{sim.origin}/adobe-ims/ims/token/v3",
        data={
            "grant_type": "client_credentials",
            "client_id": "ims-sim",
            "client_secret": "ims-secret-sim",
            "scope": "commerce.accs",
        },
    )
    assert issued.status_code == 200 and issued.json()["token_type"] == "bearer"
    order = sim.order()
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    url = f"{sim.rest}/V1/orders/{order['entity_id']}"
    complete = {**bearer, "x-api-key": "ims-sim", "x-gw-ims-org-id": "SIMORG@AdobeOrg"}
    assert (await sim.http.get(url, headers=complete)).status_code == 200
    assert (await sim.http.get(url, headers=bearer)).status_code == 401
    assert (await sim.http.get(url, headers={**complete, "x-gw-ims-org-id": "OTHER@AdobeOrg"})).status_code == 401
    wrong = await sim.http.post(
        f"{sim.origin}/adobe-ims/ims/token/v3",
        data={"grant_type": "client_credentials", "client_id": "ims-sim", "client_secret": "x"},
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")


# -- the order state machine ------------------------------------------------------------------------


async def test_hold_unhold_and_cancel_answers(sim: Sim) -> None:
    complete = sim.order(state="complete")
    fresh = sim.order()
    assert complete["entity_id"] > 300_000  # generation 3: ids never repeat across sandbox runs

    refused = await sim.call("POST", f"/V1/orders/{complete['entity_id']}/hold")
    assert (refused.status_code, refused.json()) == (400, {"message": "A hold action is not available."})
    not_held = await sim.call("POST", f"/V1/orders/{fresh['entity_id']}/unhold")
    assert (not_held.status_code, not_held.json()) == (400, {"message": "You cannot remove the hold."})
    assert (await sim.call("POST", f"/V1/orders/{fresh['entity_id']}/hold")).json() is True
    # A held order cannot be cancelled: Magento answers false, not an error.
    held_cancel = await sim.call("POST", f"/V1/orders/{fresh['entity_id']}/cancel")
    assert (held_cancel.status_code, held_cancel.json()) == (200, False)
    missing = await sim.call("POST", "/V1/orders/999999999/hold")
    assert missing.status_code == 404


async def test_rma_status_follows_its_items() -> None:
    assert status_by_items(["pending", "pending"]) == "pending"
    assert status_by_items(["authorized", "pending"]) == "partially_authorized"
    assert status_by_items(["authorized", "authorized"]) == "authorized"
    assert status_by_items(["received", "authorized"]) == "received_on_item"
    assert status_by_items(["received", "denied"]) == "received"
    assert status_by_items(["approved", "received"]) == "approved_on_item"
    assert status_by_items(["rejected", "received"]) == "rejected_on_item"
    assert status_by_items(["approved", "rejected"]) == "processed_closed"
    assert status_by_items(["denied", "rejected"]) == "closed"


# -- faults -----------------------------------------------------------------------------------------


async def test_throttle_and_maintenance_faults(sim: Sim) -> None:
    order = sim.order()
    path = f"/V1/orders/{order['entity_id']}"
    sim.world.faults.add(
        FaultRule(system="adobe-commerce", operation="GET /V1/orders/{id}", effect=FaultEffect.THROTTLE, seconds=7)
    )
    throttled = await sim.call("GET", path)
    assert (throttled.status_code, throttled.headers["Retry-After"]) == (429, "7")
    sim.world.faults.add(FaultRule(system="adobe-commerce", operation="GET /V1/orders/*", effect=FaultEffect.HTTP_503))
    maintenance = await sim.call("GET", path)
    assert maintenance.status_code == 503
    assert maintenance.headers["content-type"].startswith("text/plain")
    assert (await sim.call("GET", path)).status_code == 200  # both rules spent


# -- I/O Events and the admin API -------------------------------------------------------------------


async def test_public_keys_are_served_as_pem(sim: Sim) -> None:
    key1, key2 = sim.simulator.events.keys[STORE.store_code]
    served = await sim.http.get(f"{sim.origin}/adobe-io-events{key1.path}")
    assert served.status_code == 200
    assert served.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert served.content != (await sim.http.get(f"{sim.origin}/adobe-io-events{key2.path}")).content
    assert (await sim.http.get(f"{sim.origin}/adobe-io-events/prod/keys/unknown.pem")).status_code == 404


async def test_api_changes_publish_events_and_show_in_admin_state(sim: Sim) -> None:
    order = sim.order()
    assert (await sim.call("POST", f"/V1/orders/{order['entity_id']}/hold")).status_code == 200
    admin = f"{sim.origin}/adobe-commerce/_admin/stores/{STORE.store_code}"
    published = (await sim.http.get(f"{admin}/io-events/published")).json()
    held = [
        e
        for e in published
        if e["data"]["value"]["entity_id"] == order["entity_id"] and e["data"]["value"]["state"] == "holded"
    ]
    assert len(held) == 1
    assert held[0]["type"] == "com.adobe.commerce.observer.sales_order_save_commit_after"
    assert held[0]["recipient_client_id"] == STORE.io_events_client_id
    state = (await sim.http.get(f"{admin}/state")).json()
    assert any(o["entity_id"] == order["entity_id"] and o["state"] == "holded" for o in state["orders"])
    unknown = await sim.http.get(f"{sim.origin}/adobe-commerce/_admin/stores/nowhere/state")
    assert unknown.status_code == 400
