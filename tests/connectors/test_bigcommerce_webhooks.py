"""BigCommerce webhooks: Standard Webhooks verification against the signed test vectors in
`specs/bigcommerce/webhooks/`, and the round trip from the simulator (hooks registered through the
connector, events caused through the connector) to a receiver on another port that verifies every
delivery with `connectors.bigcommerce.webhooks`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import SecretStr

from connectors.bigcommerce import webhooks
from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.models import NewAddress, OfflineOrder, OrderLine, RefundItemRequest
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.specs import BigCommerceContract
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator
from sandbox.faults import FaultEffect, FaultRule
from sandbox.specs import specs_dir
from tests.support.spec_transport import SpecCheckingTransport

VECTORS = specs_dir() / "bigcommerce" / "webhooks"
EXAMPLES = specs_dir() / "bigcommerce" / "webhook-callbacks"
STORE = BigCommerceStoreConfig(
    store_hash="cbhooks1",
    access_token=SecretStr("bc-token-hooks"),
    client_secret=SecretStr("bc-app-secret-hooks"),
    store_id="1009876543",
)
CUSTOM_HEADER = "X-Custom-Auth"
CUSTOM_VALUE = "shared-value-set-on-the-hook"


def vectors() -> list[tuple[str, dict[str, str]]]:
    headers = json.loads((VECTORS / "_delivery_headers.example.json").read_text())
    return sorted(headers["deliveries"].items())


VECTOR_SECRET: str = json.loads((VECTORS / "_delivery_headers.example.json").read_text())["_test_secret"]


# -- verification against the official-format test vectors --------------------------------------


@pytest.mark.parametrize(("name", "headers"), vectors(), ids=[n for n, _ in vectors()])
def test_signed_test_vectors_verify(name: str, headers: dict[str, str]) -> None:
    body = (VECTORS / name).read_bytes()
    sent_at = int(headers["webhook-timestamp"])

    assert webhooks.verify(VECTOR_SECRET, body, headers, now=sent_at + 1) == headers["webhook-id"]
    payload = webhooks.parse_payload(body)
    assert payload.scope.replace("/", "_") == name.removesuffix(".json")
    assert payload.store_hash == "abc123xyz" and payload.data.type == "order" and payload.data.id == 1042
    # The same secret in the `whsec_` form the standardwebhooks library uses.
    whsec = "whsec_" + base64.b64encode(VECTOR_SECRET.encode()).decode()
    assert webhooks.is_valid(whsec, body, headers, now=sent_at)


@pytest.mark.parametrize(("name", "headers"), vectors()[:1], ids=["stale"])
def test_stale_tampered_or_wrongly_keyed_deliveries_are_refused(name: str, headers: dict[str, str]) -> None:
    body = (VECTORS / name).read_bytes()
    sent_at = int(headers["webhook-timestamp"])

    with pytest.raises(webhooks.WebhookVerificationError, match="tolerance"):
        webhooks.verify(VECTOR_SECRET, body, headers, now=sent_at + 301)
    with pytest.raises(webhooks.WebhookVerificationError, match="tolerance"):
        webhooks.verify(VECTOR_SECRET, body, headers)  # the vectors are from 2025: stale today
    with pytest.raises(webhooks.WebhookVerificationError, match="signature"):
        webhooks.verify(VECTOR_SECRET, body.replace(b"1042", b"1043"), headers, now=sent_at)
    with pytest.raises(webhooks.WebhookVerificationError, match="signature"):
        webhooks.verify("another-secret", body, headers, now=sent_at)
    with pytest.raises(webhooks.WebhookVerificationError, match="missing"):
        webhooks.verify(VECTOR_SECRET, body, {"webhook-id": headers["webhook-id"]}, now=sent_at)
    rotated = headers | {"webhook-signature": "v1,bm90LXRoaXMtb25l " + headers["webhook-signature"]}
    assert webhooks.is_valid(VECTOR_SECRET, body, rotated, now=sent_at)  # one valid entry suffices


def test_status_update_vector_carries_the_status_change() -> None:
    body = (VECTORS / "store_order_statusUpdated.json").read_bytes()
    status = webhooks.parse_payload(body).data.status
    assert status is not None and (status.previous_status_id, status.new_status_id) == (11, 12)
    refund = webhooks.parse_payload((VECTORS / "store_order_refund_created.json").read_bytes()).data.refund
    assert refund is not None and refund.refund_id == 17


# -- round trip: simulator → receiver -------------------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    payload: webhooks.WebhookPayload | None
    error: str | None


@dataclass
class Receiver:
    """Casebridge's side: verify with the production verifier before parsing, answer 401 otherwise
    (a final answer for the deliverer)."""

    received: list[Received] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhooks/bigcommerce")
        async def receive(request: Request) -> Response:
            body = await request.body()
            headers = dict(request.headers)
            try:
                webhooks.verify(STORE.client_secret.get_secret_value(), body, headers)
            except webhooks.WebhookVerificationError as exc:
                self.received.append(Received(headers, body, None, str(exc)))
                return Response(status_code=401)
            self.received.append(Received(headers, body, webhooks.parse_payload(body), None))
            return Response(status_code=200)

        return app

    async def wait_for(self, scope: str, order_id: int, count: int = 1, within: float = 5.0) -> list[Received]:
        async with asyncio.timeout(within):
            while True:
                found = [
                    r
                    for r in self.received
                    if r.payload is not None and r.payload.scope == scope and r.payload.data.id == order_id
                ]
                if len(found) >= count:
                    return found
                await asyncio.sleep(0.02)


@dataclass
class HookStack:
    bc: RunningSimulator
    receiver: Receiver
    url: str


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[HookStack]:
    receiver = Receiver()
    async with serve_simulator([STORE]) as bc, serve(receiver.app()) as origin:
        yield HookStack(bc, receiver, f"{origin}/webhooks/bigcommerce")


@contextlib.asynccontextmanager
async def connect(stack: HookStack) -> AsyncIterator[tuple[BigCommerceClient, SpecCheckingTransport]]:
    transport = SpecCheckingTransport([(stack.bc.origin, BigCommerceContract())])
    async with BigCommerceClient(
        STORE.store_hash, STORE.access_token, base_url=stack.bc.rest_url, transport=transport
    ) as client:
        yield client, transport
    assert transport.checked > 0 and transport.violations == []


async def seed_order(stack: HookStack) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        admin = stack.bc.admin(STORE.store_hash)
        product = (
            await http.post(f"{admin}/products", json={"name": f"P{uuid.uuid4().hex[:6]}", "price": "20"})
        ).json()
        body = {"billing_address": {"zip": "1"}, "products": [{"product_id": product["id"], "quantity": 1}]}
        order: dict[str, Any] = (await http.post(f"{admin}/orders", json=body)).json()
    return order


async def test_hooks_deliver_signed_thin_payloads_for_order_events(stack: HookStack) -> None:
    async with connect(stack) as (client, _):
        hook = await client.ensure_hook("store/order/*", stack.url, headers={CUSTOM_HEADER: CUSTOM_VALUE})
        assert (await client.ensure_hook("store/order/*", stack.url)).id == hook.id  # no second hook
        assert [h.scope for h in await client.list_hooks()] == ["store/order/*"]

        order_id = (await seed_order(stack))["id"]
        (created,) = await stack.receiver.wait_for("store/order/created", order_id)

        await client.hold_order(order_id)
        (status,) = await stack.receiver.wait_for("store/order/statusUpdated", order_id)

        refund = await client.refund_once(
            order_id,
            [RefundItemRequest(item_type="ORDER", item_id=order_id, amount=Decimal("20"))],
            key="k",
            reason="r",
        )
        (refunded,) = await stack.receiver.wait_for("store/order/refund/created", order_id)

        offline = await client.create_offline_order(
            OfflineOrder(
                external_order_id=f"POS-{uuid.uuid4().hex[:8]}",
                billing_address=NewAddress(zip="1"),
                products=[OrderLine(name="X", quantity=1, price_inc_tax=Decimal(1), price_ex_tax=Decimal(1))],
            )
        )
        await stack.receiver.wait_for("store/order/created", offline.order.id)

    assert all(r.error is None for r in stack.receiver.received)
    assert status.payload is not None and status.payload.data.status is not None
    assert (status.payload.data.status.previous_status_id, status.payload.data.status.new_status_id) == (11, 12)
    assert refunded.payload is not None and refunded.payload.data.refund is not None
    assert refunded.payload.data.refund.refund_id == refund.refund.id
    for delivery in (created, status, refunded):
        assert delivery.headers[CUSTOM_HEADER.lower()] == CUSTOM_VALUE
        assert delivery.headers["webhook-id"].startswith("msg_")
        assert delivery.payload is not None and delivery.payload.producer == f"stores/{STORE.store_hash}"
        assert delivery.payload.store_id == STORE.store_id
    # Same keys, same nesting as BigCommerce's own examples.
    for delivery, example in ((created, "store_order_created"), (status, "store_order_statusUpdated")):
        official = json.loads((EXAMPLES / f"{example}.json").read_text())
        sent = json.loads(delivery.body)
        assert sent.keys() == official.keys() and sent["data"].keys() == official["data"].keys()


async def test_a_duplicated_delivery_repeats_id_and_hash(stack: HookStack) -> None:
    stack.bc.world.faults.add(
        FaultRule(system="bigcommerce", operation="store/order/statusUpdated", effect=FaultEffect.DUPLICATE_DELIVERY)
    )
    async with connect(stack) as (client, _):
        order_id = (await seed_order(stack))["id"]
        await client.cancel_order(order_id)
        first, second = await stack.receiver.wait_for("store/order/statusUpdated", order_id, count=2)

    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    assert first.payload is not None and second.payload is not None and first.payload.hash == second.payload.hash


async def test_a_delivery_signed_with_another_secret_is_refused(stack: HookStack) -> None:
    body = (VECTORS / "store_order_created.json").read_bytes()
    now = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "webhook-id": "msg_forged",
        "webhook-timestamp": str(now),
        "webhook-signature": webhooks.sign("not-the-app-secret", "msg_forged", now, body),
    }
    async with httpx.AsyncClient() as http:
        answer = await http.post(stack.url, content=body, headers=headers)
    assert answer.status_code == 401
    assert stack.receiver.received[-1].error == "no valid v1 signature"
