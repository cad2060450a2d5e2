"""Signature attacks on every signed endpoint of the shim, over HTTP against the running stack:
wrong secret, tampered body, stale and future timestamps, a replayed id with another body, missing
headers, unknown shops, stores, tenants and sources, forged Adobe key paths, oversized and deeply
nested bodies. Every unauthenticated request gets the same answer, and Temporal shows no case."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI

from connectors.opentext.callback_signing import signed_headers as callback_headers
from connectors.standard_webhooks import sign as sw_sign
from sandbox.adobe_commerce.events import IoEventsPublisher
from tests.support.stack import Stack
from tests.support.world import (
    ADOBE_IO_CLIENT,
    ADOBE_IO_PROVIDER,
    ADOBE_STORE,
    BC_FLOW_STORE,
    RETURNS_SOURCE,
    SECRETS,
    SHOP,
    WAREHOUSE_SOURCE,
)
from tests.test_order_review_bigcommerce import payload as bigcommerce_payload
from tests.test_order_review_bigcommerce import signed as bigcommerce_signed
from tests.test_shim import sample_order, shopify_headers
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.order_review import KIND as ORDER_REVIEW
from workflows.return_case import KIND as RETURN_CASE

REFUSED = (401, {"detail": "invalid signature"})  # the one answer every unauthenticated request gets
MIB = 1024 * 1024
ORDER_PLACED = "com.adobe.commerce.observer.sales_order_place_after"


def answer(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()


def nested(depth: int = 1000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# --- signing as each sender does -------------------------------------------------------------------


def standard_headers(
    raw: bytes,
    *,
    secret: str = SECRETS["CASEBRIDGE_WAREHOUSE_SECRET"],
    source: str | None = WAREHOUSE_SOURCE,
    at: int | None = None,
    webhook_id: str | None = None,
) -> dict[str, str]:
    webhook_id = webhook_id or f"msg_{uuid.uuid4().hex}"
    at = int(time.time()) if at is None else at
    headers = {
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(at),
        "webhook-signature": sw_sign(secret, webhook_id, at, raw),
    }
    if source is not None:
        headers["X-Casebridge-Source"] = source
    return headers


def publisher(sandbox_app: FastAPI) -> IoEventsPublisher:
    """The simulator's I/O Events publisher: it signs with the keys the shim trusts, as Adobe does."""
    events: IoEventsPublisher = sandbox_app.state.adobe_commerce.events
    return events


def adobe_event(entity_id: int | str, *, event_type: str = ORDER_PLACED, event_id: str | None = None) -> bytes:
    event_id = event_id or str(uuid.uuid4())
    body = {
        "specversion": "1.0",
        "id": event_id,
        "source": f"urn:uuid:{ADOBE_IO_PROVIDER}",
        "type": event_type,
        "datacontenttype": "application/json",
        "event_id": event_id,
        "recipient_client_id": ADOBE_IO_CLIENT,
        "data": {"key": str(uuid.uuid4()), "value": {"entity_id": "ENTITY"}, "source": f"{ADOBE_STORE}.Sandbox"},
    }
    # The entity id as raw JSON, so a test can put any literal there (1e400).
    return json.dumps(body, separators=(",", ":")).encode().replace(b'"ENTITY"', str(entity_id).encode())


def adobe_headers(sandbox_app: FastAPI, raw: bytes, *, event_id: str | None = None) -> dict[str, str]:
    """Headers of a delivery of `raw` signed with the store's keys (`x-adobe-event-id`: `event_id`)."""
    return publisher(sandbox_app).headers(ADOBE_STORE, event_id or str(uuid.uuid4()), ORDER_PLACED, raw)


@asynccontextmanager
async def key_requests(stack: Stack) -> AsyncIterator[list[str]]:
    """The URLs the shim's Adobe verifier requests while the block runs."""
    assert stack.shim_app is not None
    verifier = stack.shim_app.state.deps.adobe_io_events
    seen: list[str] = []

    async def record(request: httpx.Request) -> None:
        seen.append(str(request.url))

    hooks = verifier._http.event_hooks["request"]
    hooks.append(record)
    try:
        yield seen
    finally:
        hooks.remove(record)


# --- one answer for every unauthenticated request ----------------------------------------------------


async def test_shopify_refusals_are_identical_and_start_nothing(stack: Stack) -> None:
    url = f"{stack.shim_url}/webhooks/shopify"
    body = sample_order(990100000001, "5000.00")
    good = shopify_headers(body)
    other = sample_order(990100000002, "5000.00")
    attempts = {
        "wrong secret": (body, shopify_headers(body, secret="not-the-app-secret")),
        "tampered body": (body.replace(b"5000.00", b"5000.01"), good),
        "replayed id with another body": (other, good),
        "missing hmac": (body, {k: v for k, v in good.items() if k != "X-Shopify-Hmac-Sha256"}),
        "missing shop": (body, {k: v for k, v in good.items() if k != "X-Shopify-Shop-Domain"}),
        # Signed with the app's real secret, but naming a shop this deployment does not serve.
        "unknown shop": (body, shopify_headers(body, shop="nobody.myshopify.com")),
    }
    for what, (raw, headers) in attempts.items():
        response = await stack.http.post(url, content=raw, headers=headers)
        assert answer(response) == REFUSED, what
    for order_id in ("990100000001", "990100000002"):
        await stack.assert_no_case(ORDER_REVIEW.case_id("shopify", SHOP, order_id))


async def test_bigcommerce_refusals_are_identical_and_start_nothing(stack: Stack) -> None:
    url = f"{stack.shim_url}/webhooks/bigcommerce"
    body = bigcommerce_payload("store/order/created", 990101)
    good = bigcommerce_signed(body)
    attempts = {
        "wrong secret": (body, bigcommerce_signed(body, secret="not-the-client-secret")),
        "tampered body": (body.replace(b"990101", b"990102"), good),
        "stale": (body, bigcommerce_signed(body, at=int(time.time()) - 3600)),
        "future": (body, bigcommerce_signed(body, at=int(time.time()) + 3600)),
        "replayed id with another body": (bigcommerce_payload("store/order/created", 990102), good),
        "missing headers": (body, {"Content-Type": "application/json"}),
        "unknown store": (
            (elsewhere := bigcommerce_payload("store/order/created", 990101, store="nosuchstore")),
            bigcommerce_signed(elsewhere),
        ),
        "not json, unsigned": (b"{not json", {"Content-Type": "application/json"}),
        "no producer, unsigned": (b'{"scope":"store/order/created"}', {"Content-Type": "application/json"}),
    }
    for what, (raw, headers) in attempts.items():
        response = await stack.http.post(url, content=raw, headers=headers)
        assert answer(response) == REFUSED, what
    for order_id in ("990101", "990102"):
        await stack.assert_no_case(ORDER_REVIEW.case_id("bigcommerce", BC_FLOW_STORE, order_id))


async def test_adobe_refusals_are_identical_and_start_nothing(stack: Stack, sandbox_app: FastAPI) -> None:
    url = f"{stack.shim_url}/webhooks/adobe-commerce"
    body = adobe_event(990103)
    good = adobe_headers(sandbox_app, body)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    strangers_signature = base64.b64encode(stranger.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()

    def only_key1(**changes: str) -> dict[str, str]:
        headers = {k: v for k, v in good.items() if not k.endswith("-2") and "key2" not in k}
        return headers | changes

    attempts = {
        "tampered body": (body.replace(b"990103", b"990104"), good),
        "replayed event id with another body": (adobe_event(990104, event_id=json.loads(body)["id"]), good),
        "missing signatures": (body, {k: v for k, v in good.items() if "signature" not in k}),
        "missing key paths": (body, {k: v for k, v in good.items() if "key" not in k}),
        "a stranger's key": (body, only_key1(**{"x-adobe-digital-signature-1": strangers_signature})),
        "forged key path": (body, only_key1(**{"x-adobe-public-key1-path": "/prod/keys/../../etc/passwd.pem"})),
        "another host": (body, only_key1(**{"x-adobe-public-key1-path": "//evil.example/prod/keys/pub-key-x.pem"})),
        "nested, unsigned": (nested(), {"Content-Type": "application/json"}),
    }
    for what, (raw, headers) in attempts.items():
        response = await stack.http.post(url, content=raw, headers=headers)
        assert answer(response) == REFUSED, what
    for order_id in ("990103", "990104"):
        await stack.assert_no_case(ORDER_REVIEW.case_id("adobe-commerce", ADOBE_STORE, order_id))


async def test_opentext_callback_refusals_are_identical(stack: Stack) -> None:
    secret = SECRETS["OPENTEXT_CALLBACK_SECRET"]
    url = f"{stack.shim_url}/callbacks/opentext/workflow?tenant=test"
    body = json.dumps({"businessKey": "order-review/shopify/none/1", "taskId": "t-1", "outcome": "approved"}).encode()
    good = callback_headers(secret, body)
    attempts = {
        "wrong secret": (url, body, callback_headers("not-the-secret", body)),
        "tampered body": (url, body.replace(b"approved", b"rejected"), good),
        "stale": (url, body, callback_headers(secret, body, timestamp=int(time.time()) - 3600)),
        "future": (url, body, callback_headers(secret, body, timestamp=int(time.time()) + 3600)),
        "missing headers": (url, body, {"Content-Type": "application/json"}),
        # Signed with the real secret, but naming a tenant this deployment does not serve.
        "unknown tenant": (url.replace("tenant=test", "tenant=nope"), body, good),
    }
    for what, (target, raw, headers) in attempts.items():
        response = await stack.http.post(target, content=raw, headers=headers)
        assert answer(response) == REFUSED, what


def _events() -> Iterator[tuple[str, dict[str, Any], str, Callable[[str], str]]]:
    """(path, a valid-looking event, its source's secret, the case id it would open by reference)."""
    order_id = "990105"
    reference = f"wms-{uuid.uuid4().hex[:8]}"
    yield (
        "/events/fulfillment-exception",
        {
            "platform": "shopify",
            "store": SHOP,
            "order_id": order_id,
            "exception_type": "address_validation",
            "summary": "address refused by the carrier",
            "reference": reference,
        },
        SECRETS["CASEBRIDGE_WAREHOUSE_SECRET"],
        lambda _: FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order_id),
    )
    yield (
        "/events/return-request",
        {
            "platform": "bigcommerce",
            "store": BC_FLOW_STORE,
            "order_id": "990106",
            "lines": [{"order_product_id": 1, "quantity": 1, "reason": "Damaged"}],
            "reference": reference,
        },
        SECRETS["CASEBRIDGE_RETURNS_FORM_SECRET"],
        lambda source: RETURN_CASE.case_id("bigcommerce", BC_FLOW_STORE, f"{source}:{reference}"),
    )
    yield (
        "/events/return-evidence",
        {"platform": "bigcommerce", "store": BC_FLOW_STORE, "return_id": "x:1", "submitted_by": "c", "note": "photo"},
        SECRETS["CASEBRIDGE_RETURNS_FORM_SECRET"],
        lambda _: RETURN_CASE.case_id("bigcommerce", BC_FLOW_STORE, "x:1"),
    )


async def test_event_refusals_are_identical_and_start_nothing(stack: Stack) -> None:
    for path, event, secret, case_of in _events():
        url = f"{stack.shim_url}{path}"
        source = WAREHOUSE_SOURCE if "fulfillment" in path else RETURNS_SOURCE
        body = json.dumps(event).encode()
        good = standard_headers(body, secret=secret, source=source)
        attempts = {
            "wrong secret": (body, standard_headers(body, secret="not-the-secret", source=source)),
            "another source's secret": (
                body,
                standard_headers(body, secret=SECRETS["SHOPIFY_WEBHOOK_SECRET"], source=source),
            ),
            "tampered body": (body[:-1] + b', "note2": "x"}', good),
            "stale": (body, standard_headers(body, secret=secret, source=source, at=int(time.time()) - 3600)),
            "future": (body, standard_headers(body, secret=secret, source=source, at=int(time.time()) + 3600)),
            "replayed id with another body": (json.dumps(event | {"store": "other"}).encode(), good),
            "missing signature headers": (body, {"Content-Type": "application/json", "X-Casebridge-Source": source}),
            "missing source": (body, standard_headers(body, secret=secret, source=None)),
            "unknown source": (body, standard_headers(body, secret=secret, source="someone-else")),
            "nested, unsigned": (nested(), {"Content-Type": "application/json", "X-Casebridge-Source": source}),
        }
        for what, (raw, headers) in attempts.items():
            response = await stack.http.post(url, content=raw, headers=headers)
            assert answer(response) == REFUSED, f"{path}: {what}"
        await stack.assert_no_case(case_of(source))


# --- bounded bodies ---------------------------------------------------------------------------------


def _signed_endpoints(stack: Stack) -> list[str]:
    return [
        f"{stack.shim_url}/webhooks/shopify",
        f"{stack.shim_url}/webhooks/bigcommerce",
        f"{stack.shim_url}/webhooks/adobe-commerce",
        f"{stack.shim_url}/callbacks/opentext/workflow?tenant=test",
        f"{stack.shim_url}/events/fulfillment-exception",
        f"{stack.shim_url}/events/return-request",
        f"{stack.shim_url}/events/return-evidence",
    ]


async def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size


async def test_oversized_bodies_are_refused_413(stack: Stack) -> None:
    big = b" " * (2 * MIB)
    for url in _signed_endpoints(stack):
        declared = await stack.http.post(url, content=big, headers={"Content-Type": "application/json"})
        assert declared.status_code == 413, url
        # No Content-Length at all (chunked): the shim counts what it reads and stops at the limit.
        streamed = await stack.http.post(url, content=_chunks(2 * MIB), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413, url
        assert "limit" in streamed.json()["detail"]
    # Just under the limit is read and judged on its signature as usual.
    under = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=b" " * (MIB - 1024), headers=shopify_headers(b"x")
    )
    assert answer(under) == REFUSED


# --- deeply nested JSON ------------------------------------------------------------------------------


async def test_deeply_nested_json_is_refused_without_a_crash(stack: Stack, sandbox_app: FastAPI) -> None:
    deep = nested()
    bigcommerce = await stack.http.post(
        f"{stack.shim_url}/webhooks/bigcommerce", content=deep, headers={"Content-Type": "application/json"}
    )
    assert answer(bigcommerce) == REFUSED
    signed_bigcommerce = await stack.http.post(
        f"{stack.shim_url}/webhooks/bigcommerce", content=deep, headers=bigcommerce_signed(deep)
    )
    assert signed_bigcommerce.status_code == 422
    assert "nest" in signed_bigcommerce.json()["detail"] or "recursion" in signed_bigcommerce.json()["detail"]

    adobe_url = f"{stack.shim_url}/webhooks/adobe-commerce"
    assert answer(await stack.http.post(adobe_url, content=deep, headers={"Content-Type": "application/json"})) == (
        REFUSED
    )
    signed_adobe = await stack.http.post(adobe_url, content=deep, headers=adobe_headers(sandbox_app, deep))
    assert signed_adobe.status_code == 422
    assert "event" in signed_adobe.json()["detail"]

    shopify = await stack.http.post(f"{stack.shim_url}/webhooks/shopify", content=deep, headers=shopify_headers(deep))
    assert shopify.status_code in (400, 422)
    warehouse = await stack.http.post(
        f"{stack.shim_url}/events/fulfillment-exception", content=deep, headers=standard_headers(deep)
    )
    assert warehouse.status_code == 422


# --- Adobe's public keys -----------------------------------------------------------------------------


async def test_forged_key_paths_fetch_nothing(stack: Stack, sandbox_app: FastAPI) -> None:
    url = f"{stack.shim_url}/webhooks/adobe-commerce"
    body = adobe_event(990107)
    good = adobe_headers(sandbox_app, body)
    garbage = base64.b64encode(b"\x01" * 16).decode()  # not a 2048-bit RSA signature
    plausible = base64.b64encode(b"\x01" * 256).decode()

    def forged(path: str, signature: str) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "x-adobe-digital-signature-1": signature,
            "x-adobe-public-key1-path": path,
        }

    # The store's real keys, fetched by an earlier genuine delivery (or this one).
    assert (await stack.http.post(url, content=body, headers=good)).status_code != 401
    async with key_requests(stack) as requested:
        for path, signature in (
            (f"/prod/keys/pub-key-{uuid.uuid4().hex}.pem", garbage),  # no signature worth checking
            ("/prod/keys/../../secret.pem", plausible),
            ("/etc/passwd.pem", plausible),  # not where Adobe keeps its keys
            ("https://evil.example/prod/keys/pub-key-x.pem", plausible),
        ):
            assert answer(await stack.http.post(url, content=body, headers=forged(path, signature))) == REFUSED, path
        assert requested == []

        # A key path Adobe could have: asked for once; the refusal is remembered, not asked again.
        unknown = f"/prod/keys/pub-key-{uuid.uuid4().hex}.pem"
        for _ in range(3):
            assert answer(await stack.http.post(url, content=body, headers=forged(unknown, plausible))) == REFUSED
        assert len(requested) == 1

        # The real keys are cached: a genuine delivery asks for nothing.
        genuine = await stack.http.post(url, content=body, headers=good)
        assert genuine.status_code != 401
        assert len(requested) == 1
