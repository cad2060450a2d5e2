"""Cost-based throttling of `ShopifyClient` against the simulator's leaky bucket, over real HTTP.

Proactive: the client reads `throttleStatus` from every reply and waits before a request that would
not fit, so a burst larger than the bucket is spread out without a single THROTTLED reply.
Reactive: when the bucket was drained behind its back, a THROTTLED reply makes it wait
`(requested - available) / restoreRate` and try again. A wait longer than the client may spend
locally becomes `RateLimitedError(retry_after=...)` for Temporal's retry to honour.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.errors import RateLimitedError
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.client import ShopifyClient
from sandbox.config import ShopConfig
from sandbox.shopify.graphql_contract import ShopifyGraphQLContract
from sandbox.shopify.standalone import RunningShopify, serve_simulator
from tests.support.spec_transport import SpecCheckingTransport

TOKEN = "shpat_throttle_token"
# 60 points refilling at 100/s: six mutations fit at once, each further one waits 0.1 s.
SMALL = ShopConfig(
    domain="small.myshopify.com",
    access_token=SecretStr(TOKEN),
    app_client_secret=SecretStr("s"),
    bucket_size=60.0,
    restore_rate=100.0,
)
# Refills at 1 point/s: an empty bucket needs 10 s for one mutation.
SLOW = ShopConfig(
    domain="slow.myshopify.com",
    access_token=SecretStr(TOKEN),
    app_client_secret=SecretStr("s"),
    bucket_size=60.0,
    restore_rate=1.0,
)
# Refills at 10 points/s: a drained bucket stays short of one mutation for a whole second, so the
# reactive test's throttle does not depend on how fast a loaded machine reaches its next call.
REACTIVE = ShopConfig(
    domain="reactive.myshopify.com",
    access_token=SecretStr(TOKEN),
    app_client_secret=SecretStr("s"),
    bucket_size=60.0,
    restore_rate=10.0,
)
MUTATION_COST = 10


class ReplyCounter(httpx.AsyncBaseTransport):
    """Counts the requests that reached the shop and the THROTTLED replies among them."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.requests = 0
        self.throttled = 0
        self.log: list[str] = []  # operation name and outcome of each request, for failure messages

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self.requests += 1
        errors = json.loads(response.content).get("errors") if response.status_code == 200 else None
        throttled = isinstance(errors, list) and any(
            (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
        )
        self.throttled += throttled
        operation = json.loads(request.content)["query"].split("(")[0].split()[-1]
        cost = json.loads(response.content).get("extensions", {}).get("cost", {})
        self.log.append(f"{time.monotonic():.3f} {operation} {'THROTTLED ' if throttled else ''}{cost}")
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class Metered:
    admin: ShopifyAdmin
    counter: ReplyCounter
    transport: SpecCheckingTransport

    def assert_conforms(self) -> None:
        assert self.transport.checked > 0
        assert self.transport.violations == []


@pytest_asyncio.fixture(scope="module")
async def running() -> AsyncIterator[RunningShopify]:
    async with serve_simulator([SMALL, SLOW, REACTIVE]) as running:
        yield running


@dataclass
class Connector:
    running: RunningShopify
    opened: list[ShopifyAdmin]

    def __call__(self, shop: ShopConfig, *, max_local_wait: float = 5.0) -> Metered:
        """A fresh shop and a client that counts what reaches it."""
        self.running.simulator.reset(shop.domain)
        counter = ReplyCounter()
        transport = SpecCheckingTransport([(self.running.origin, ShopifyGraphQLContract())], inner=counter)
        client = ShopifyClient(
            self.running.base_url(shop.domain), SecretStr(TOKEN), max_local_wait=max_local_wait, transport=transport
        )
        self.opened.append(ShopifyAdmin(client))
        return Metered(self.opened[-1], counter, transport)


@pytest_asyncio.fixture
async def connect(running: RunningShopify) -> AsyncIterator[Connector]:
    connector = Connector(running, [])
    yield connector
    for admin in connector.opened:
        await admin.aclose()


async def _order(admin: ShopifyAdmin) -> str:
    order = await admin.create_order(
        {"currency": "USD", "lineItems": [{"title": "Token", "quantity": 1}]},
    )
    return order.id


async def _drain(running: RunningShopify, shop: ShopConfig) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.put(f"{running.admin(shop.domain)}/bucket", json={"available": 0})
    response.raise_for_status()


async def test_proactive_waits_spread_a_burst_without_throttled_replies(connect: Connector) -> None:
    metered = connect(SMALL)
    order_id = await _order(metered.admin)  # 10 of the 60 points
    started = time.monotonic()
    for n in range(8):
        await metered.admin.add_tags(order_id, [f"burst-{n}"])
    elapsed = time.monotonic() - started
    # 9 mutations x 10 points against a 60-point bucket: 30 points had to be waited for.
    assert elapsed >= (9 * MUTATION_COST - SMALL.bucket_size) / SMALL.restore_rate - 0.05
    assert (metered.counter.requests, metered.counter.throttled) == (9, 0), metered.counter.log
    assert len((await metered.admin.get_order(order_id)).tags) == 8
    metered.assert_conforms()


async def test_reactive_backoff_after_a_throttled_reply(connect: Connector, running: RunningShopify) -> None:
    metered = connect(REACTIVE)
    order_id = await _order(metered.admin)  # the client now believes 50 points are left
    await _drain(running, REACTIVE)  # ... but another app of the same shop just used them
    started = time.monotonic()
    await metered.admin.add_tags(order_id, ["after-throttle"])
    assert time.monotonic() - started >= MUTATION_COST / REACTIVE.restore_rate - 0.3
    assert (metered.counter.requests, metered.counter.throttled) == (3, 1)  # create, THROTTLED, retry
    assert "after-throttle" in (await metered.admin.get_order(order_id)).tags
    metered.assert_conforms()


async def test_long_waits_become_rate_limited_errors(connect: Connector, running: RunningShopify) -> None:
    metered = connect(SLOW, max_local_wait=0.5)
    order_id = await _order(metered.admin)
    await _drain(running, SLOW)
    with pytest.raises(RateLimitedError) as reactive:
        await metered.admin.add_tags(order_id, ["x"])
    assert reactive.value.retryable
    assert reactive.value.retry_after is not None and 8.0 <= reactive.value.retry_after <= 10.5
    assert (metered.counter.requests, metered.counter.throttled) == (2, 1)  # no local retry

    # The client now knows the bucket is empty: the next call does not even reach the shop.
    with pytest.raises(RateLimitedError) as proactive:
        await metered.admin.add_tags(order_id, ["y"])
    assert proactive.value.retry_after is not None and proactive.value.retry_after > 0.5
    assert metered.counter.requests == 2
    metered.assert_conforms()
