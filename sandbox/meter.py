"""A meter of what the simulated APIs were asked: requests per system and status, Shopify's
actual query cost and throttled calls. The benchmarks read it (`GET /_sandbox/meter`) to give
`api_calls_per_case`, `shopify_cost_points_per_case` and `throttled_calls`; `DELETE` starts over.

Counted by an ASGI middleware, so no simulator has to remember to count. A request carrying the
header `x-sandbox-driver` (a test or benchmark playing the customer or the reviewer) is not
counted: the meter tells what Casebridge asked. Shopify answers THROTTLED
with HTTP 200 and reports each query's cost in `extensions.cost`, so its GraphQL replies are read.
"""

from __future__ import annotations

import json
from collections import Counter

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRIVER_HEADER = "x-sandbox-driver"
_DRIVER_HEADER = DRIVER_HEADER.encode()

# Longest prefix first: the first match names the system.
SYSTEMS = [
    ("/shopify/", "shopify"),
    ("/bigcommerce-b2b/", "bigcommerce-b2b"),
    ("/bigcommerce/", "bigcommerce"),
    ("/adobe-commerce/", "adobe-commerce"),
    ("/adobe-ims/", "adobe-ims"),
    ("/adobe-io-events/", "adobe-io-events"),
    ("/opentext/otcs/", "opentext-ecm"),
    ("/opentext/exstream/", "opentext-exstream"),
    ("/opentext/", "opentext-workflow"),
]


class MeterReading(BaseModel):
    requests: dict[str, int]  # system -> requests answered
    statuses: dict[str, dict[str, int]]  # system -> HTTP status -> count
    throttled: dict[str, int]  # system -> 429s (REST) or THROTTLED replies (Shopify GraphQL)
    shopify_cost_points: float  # the sum of `actualQueryCost` (requested cost when throttled: nothing ran)


class RequestMeter:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: dict[str, Counter[int]] = {}
        self.throttled: Counter[str] = Counter()
        self.shopify_cost = 0.0

    def count(self, system: str, status: int) -> None:
        self.requests[system] += 1
        self.statuses.setdefault(system, Counter())[status] += 1
        if status == 429:
            self.throttled[system] += 1

    def count_shopify_reply(self, body: bytes) -> None:
        try:
            reply = json.loads(body)
        except ValueError:
            return
        if not isinstance(reply, dict):
            return
        errors = reply.get("errors") or []
        if any(isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors):
            self.throttled["shopify"] += 1
            return
        cost = (reply.get("extensions") or {}).get("cost") or {}
        actual = cost.get("actualQueryCost")
        if isinstance(actual, int | float):
            self.shopify_cost += actual

    def reading(self) -> MeterReading:
        return MeterReading(
            requests=dict(self.requests),
            statuses={system: {str(code): n for code, n in codes.items()} for system, codes in self.statuses.items()},
            throttled=dict(self.throttled),
            shopify_cost_points=self.shopify_cost,
        )


class MeterMiddleware:
    def __init__(self, app: ASGIApp, meter: RequestMeter) -> None:
        self.app = app
        self.meter = meter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        system = next((name for prefix, name in SYSTEMS if path.startswith(prefix)), None)
        driver = any(name == _DRIVER_HEADER for name, _ in scope.get("headers", ()))
        if system is None or driver or "/_admin/" in path:
            await self.app(scope, receive, send)
            return
        graphql = system == "shopify" and path.endswith("graphql.json")
        body = bytearray()

        async def metered_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.meter.count(system, int(message["status"]))
            elif graphql and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    self.meter.count_shopify_reply(bytes(body))
            await send(message)

        await self.app(scope, receive, metered_send)


def build_meter_router(meter: RequestMeter) -> APIRouter:
    router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])

    @router.get("/meter")
    async def read_meter() -> MeterReading:
        return meter.reading()

    @router.delete("/meter", status_code=204)
    async def reset_meter() -> None:
        meter.reset()

    return router
