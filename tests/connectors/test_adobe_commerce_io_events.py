"""Adobe I/O Events: deliveries from the simulator, received and verified by `connectors.adobe_commerce.io_events`.

The simulator holds two RSA key pairs per store and serves the public halves under
`/adobe-io-events/prod/keys/`; a receiver app (Casebridge's side) answers the registration
challenge and verifies every delivery with the production verifier. The official sample bodies in
`specs/adobe-commerce/webhooks/` carry no real signatures, so they are signed here with a store key.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI, Request, Response
from pydantic import SecretStr

from connectors.adobe_commerce import AdminTokenCredentials, AdobeCommerce
from connectors.adobe_commerce.io_events import (
    EventVerificationError,
    IoEvent,
    IoEventsVerifier,
    challenge_reply,
    dedupe_key,
)
from connectors.adobe_commerce.models import NewRmaItem, RefundItem
from connectors.errors import TransientError
from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.config import SandboxConfig
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld
from tests.support.servers import free_port, serve

SAMPLES = specs_dir() / "adobe-commerce" / "webhooks"
SAMPLE_CLIENT_ID = "fakeclientid0123456789abcdef0000"  # the recipient in Adobe's sample bodies
STORE = AdobeStoreConfig(
    store_code="events",
    admin_username="events-api",
    admin_password=SecretStr("admin-password-2"),
    consumer_key="ck-events",
    consumer_secret=SecretStr("consumer-secret-2"),
    access_token="at-events",
    access_token_secret=SecretStr("token-secret-2"),
    ims_client_id="ims-events",
    ims_client_secret=SecretStr("ims-secret-2"),
    io_events_client_id="io-client-events",
)
ORDER_SAVED = "com.adobe.commerce.observer.sales_order_save_commit_after"
CREDIT_MEMO_SAVED = "com.adobe.commerce.observer.sales_order_creditmemo_save_after"
RMA_SAVED = "com.adobe.commerce.observer.rma_save_commit_after"


@dataclass
class Received:
    event: IoEvent | None
    error: str | None
    headers: dict[str, str]
    dedupe: str | None


@dataclass
class Receiver:
    """Casebridge's webhook endpoint: challenge, verify, record, dedupe."""

    verifier: IoEventsVerifier
    received: list[Received] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.api_route("/hooks/adobe", methods=["GET", "POST"])
        async def hook(request: Request) -> Response:
            body = await request.body()
            reply = challenge_reply(request.method, dict(request.query_params), body)
            if reply is not None:
                return Response(reply.content, media_type=reply.media_type)
            try:
                event = await self.verifier.verify(dict(request.headers), body)
            except EventVerificationError as exc:
                self.received.append(Received(None, exc.message, dict(request.headers), None))
                return Response(status_code=401)
            key = dedupe_key(dict(request.headers), event)
            self.received.append(Received(event, None, dict(request.headers), key))
            if key is not None:
                self.seen.add(key)
            return Response(status_code=200)

        @app.get("/hooks/silent")
        async def silent() -> Response:
            return Response("nope", media_type="text/plain")

        return app

    async def wait_for(self, event_type: str, entity_id: int, within: float = 5.0, **fields: object) -> Received:
        """The first verified delivery of this event for this entity (with these field values)."""
        wanted = {"entity_id": entity_id, **fields}
        async with asyncio.timeout(within):
            while True:
                for item in self.received:
                    value = item.event.data.value if item.event and item.event.type == event_type else None
                    if value is not None and all(value.get(k) == v for k, v in wanted.items()):
                        return item
                await asyncio.sleep(0.02)


@dataclass
class EventsStack:
    simulator: AdobeCommerceSimulator
    origin: str
    receiver: Receiver
    hook_url: str

    @property
    def keys_base(self) -> str:
        return f"{self.origin}/adobe-io-events"

    async def admin(self, method: str, path: str, body: object = None) -> httpx.Response:
        async with httpx.AsyncClient() as client:
            return await client.request(
                method, f"{self.origin}/adobe-commerce/_admin/stores/{STORE.store_code}{path}", json=body
            )

    def commerce(self) -> AdobeCommerce:
        credentials = AdminTokenCredentials(username=STORE.admin_username, password=STORE.admin_password)
        return AdobeCommerce(f"{self.origin}/adobe-commerce/rest/{STORE.store_code}", credentials)


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[EventsStack]:
    world = SandboxWorld(
        config=SandboxConfig(shops=[], tenants=[], delivery_max_attempts=2, delivery_retry_seconds=0.05)
    )
    app, simulator = create_adobe_app(world, [STORE])
    async with serve(app) as origin:
        verifier = IoEventsVerifier(STORE.io_events_client_id, public_key_base_url=f"{origin}/adobe-io-events")
        receiver = Receiver(verifier)
        async with serve(receiver.app()) as receiver_origin:
            yield EventsStack(simulator, origin, receiver, f"{receiver_origin}/hooks/adobe")
        await verifier.aclose()


def sign(simulator: AdobeCommerceSimulator, body: bytes, key_index: int = 0) -> tuple[str, str]:
    """(signature, key path) of `body` under one of the store's keys."""
    key = simulator.events.keys[STORE.store_code][key_index]
    return key.sign(body), key.path


def headers_for(simulator: AdobeCommerceSimulator, body: bytes, event_id: str = "evt-1") -> dict[str, str]:
    sig1, path1 = sign(simulator, body, 0)
    sig2, path2 = sign(simulator, body, 1)
    return {
        "x-adobe-event-id": event_id,
        "x-adobe-digital-signature-1": sig1,
        "x-adobe-digital-signature-2": sig2,
        "x-adobe-public-key1-path": path1,
        "x-adobe-public-key2-path": path2,
    }


# -- the registration challenge ---------------------------------------------------------------------


def test_challenge_replies() -> None:
    get = challenge_reply("GET", {"challenge": "abc123"})
    assert get is not None and (get.content, get.media_type) == (b"abc123", "text/plain")
    post = challenge_reply("POST", {}, b'{"challenge": "xyz"}')
    assert post is not None and json.loads(post.content) == {"challenge": "xyz"}
    assert challenge_reply("POST", {}, b'{"challenge": "xyz", "event_id": "e"}') is None  # an event, not a challenge
    assert challenge_reply("GET", {}) is None


async def test_registration_requires_the_challenge_echo(stack: EventsStack) -> None:
    silent = stack.hook_url.replace("/hooks/adobe", "/hooks/silent")
    refused = await stack.admin("POST", "/io-events/registrations", {"url": silent})
    assert refused.status_code == 400
    accepted = await stack.admin("POST", "/io-events/registrations", {"url": stack.hook_url})
    assert accepted.status_code == 201
    listed = (await stack.admin("GET", "/io-events/registrations")).json()
    assert [r["url"] for r in listed] == [stack.hook_url]


# -- deliveries from the simulator ------------------------------------------------------------------


async def test_state_changes_are_delivered_signed_and_verified(stack: EventsStack) -> None:
    if not stack.simulator.events.registrations[STORE.store_code]:
        stack.simulator.register_receiver(STORE.store_code, stack.hook_url)
    order = stack.simulator.seed_order(
        STORE.store_code, {"items": [{"sku": "MUG-WHT", "price": 30, "qty": 2}], "invoiced": True, "customer_id": 7}
    )
    async with stack.commerce() as commerce:
        await commerce.sales.hold_order(order["entity_id"])
        held = await stack.receiver.wait_for(ORDER_SAVED, order["entity_id"], state="holded")
        await commerce.sales.unhold_order(order["entity_id"])
        memo_id = await commerce.sales.refund_order(
            order["entity_id"], items=[RefundItem(order_item_id=order["items"][0]["item_id"], qty=Decimal(1))]
        )
        memo = await stack.receiver.wait_for(CREDIT_MEMO_SAVED, memo_id)

    assert held.event is not None and held.event.data.value["state"] == "holded"
    assert held.event.recipient_client_id == STORE.io_events_client_id
    assert held.event.data.metadata["commerceEdition"] == "Adobe Commerce"
    assert held.dedupe == held.headers["x-adobe-event-id"] == held.event.event_id == held.event.id
    assert held.headers["x-adobe-event-code"] == ORDER_SAVED
    assert held.headers["x-adobe-public-key1-path"].startswith("/prod/keys/")
    assert memo.event is not None and memo.event.data.value["order_id"] == order["entity_id"]
    assert [r.error for r in stack.receiver.received if r.error] == []
    # Keys are fetched once per path, then served from the verifier's cache.
    assert stack.receiver.verifier.key_fetches == 1


async def test_return_events_carry_the_rma(stack: EventsStack) -> None:
    if not stack.simulator.events.registrations[STORE.store_code]:
        stack.simulator.register_receiver(STORE.store_code, stack.hook_url)
    seeded = stack.simulator.seed_order(
        STORE.store_code, {"items": [{"sku": "TEE", "price": 29, "qty": 1}], "invoiced": True, "customer_id": 9}
    )
    async with stack.commerce() as commerce:
        order = await commerce.sales.get_order(seeded["entity_id"])
        rma = await commerce.returns.create_return(
            order,
            [
                NewRmaItem(
                    order_item_id=order.items[0].item_id,
                    qty_requested=1,
                    reason="damaged",
                    condition="damaged",
                    resolution="refund",
                )
            ],
        )
    received = await stack.receiver.wait_for(RMA_SAVED, rma.entity_id)
    assert received.event is not None
    assert received.event.data.value["status"] == "pending"
    assert received.event.data.value["_isNew"] is True


# -- the verifier on its own ------------------------------------------------------------------------


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("io_event_*.json")))
async def test_official_samples_verify_when_signed(stack: EventsStack, sample: str) -> None:
    body = (SAMPLES / sample).read_bytes()
    async with IoEventsVerifier(SAMPLE_CLIENT_ID, public_key_base_url=stack.keys_base) as verifier:
        event = await verifier.verify(headers_for(stack.simulator, body), body)
        assert event.type.startswith("com.adobe.commerce.observer.")
        assert event.event_id == json.loads(body)["event_id"]

        tampered = body.replace(b'"specversion": "1.0"', b'"specversion": "1.1"', 1)
        assert tampered != body
        with pytest.raises(EventVerificationError):
            await verifier.verify(headers_for(stack.simulator, body), tampered)


async def test_wrong_recipient_is_refused(stack: EventsStack) -> None:
    body = (SAMPLES / "io_event_observer.sales_order_save_commit_after.json").read_bytes()
    async with IoEventsVerifier("someone-else", public_key_base_url=stack.keys_base) as verifier:
        with pytest.raises(EventVerificationError) as raised:
            await verifier.verify(headers_for(stack.simulator, body), body)
    assert raised.value.message == "recipient_client_id is not this client"
    assert raised.value.retryable is False


async def test_one_valid_signature_is_enough(stack: EventsStack) -> None:
    body = (SAMPLES / "io_event_observer.rma_save_commit_after.json").read_bytes()
    headers = headers_for(stack.simulator, body)
    headers["x-adobe-digital-signature-1"] = base64.b64encode(b"\x00" * 256).decode()  # rotated-out key
    async with IoEventsVerifier(SAMPLE_CLIENT_ID, public_key_base_url=stack.keys_base) as verifier:
        assert (await verifier.verify(headers, body)).type == RMA_SAVED
        del headers["x-adobe-digital-signature-2"]
        with pytest.raises(EventVerificationError):
            await verifier.verify(headers, body)


async def test_forged_key_paths_are_refused_without_fetching(stack: EventsStack) -> None:
    body = (SAMPLES / "io_event_observer.rma_save_commit_after.json").read_bytes()
    async with IoEventsVerifier(SAMPLE_CLIENT_ID, public_key_base_url=stack.keys_base) as verifier:
        for path in ("https://evil.example/key.pem", "/prod/keys/../../secret.pem", "/prod/keys/none.pem"):
            headers = headers_for(stack.simulator, body)
            headers["x-adobe-public-key1-path"] = headers["x-adobe-public-key2-path"] = path
            with pytest.raises(EventVerificationError):
                await verifier.verify(headers, body)
        assert verifier.key_fetches == 0
        with pytest.raises(EventVerificationError):
            await verifier.verify({}, body)  # no signature headers at all


async def test_unreachable_key_server_is_transient(stack: EventsStack) -> None:
    body = (SAMPLES / "io_event_observer.rma_save_commit_after.json").read_bytes()
    async with IoEventsVerifier(SAMPLE_CLIENT_ID, public_key_base_url=f"http://127.0.0.1:{free_port()}") as verifier:
        with pytest.raises(TransientError):
            await verifier.verify(headers_for(stack.simulator, body), body)
