"""The Shopify Admin GraphQL API (2025-01) simulator: HTTP surface and Python handle.

`ShopifySimulator(world).router` serves, relative to where it is mounted (`/shopify`):

* `POST /{shop}/admin/api/2025-01/graphql.json` - the Admin API, strict as production: unknown shop
  or API version → 404, wrong `X-Shopify-Access-Token` → 401, malformed body → 400, and every
  GraphQL outcome (validation errors, THROTTLED, userErrors) as HTTP 200 with `extensions.cost`.
* `/{shop}/_admin/...` - sandbox-only inspection and setup (not part of Shopify): shop state, orders
  as their REST/webhook JSON, webhook subscriptions, the cost bucket, reset; and (`admin_routes`)
  product seeding, shipping an order, opening a dispute, and the after-sales/B2B/catalogue state.

Fault rules (`system="shopify"`, `operation=<root field name>`) act per request: THROTTLE (a
THROTTLED reply), HTTP_500/HTTP_503, USER_ERROR (the mutation answers with a userError carrying the
rule's message and changes nothing; a query field answers with a GraphQL error), LATENCY (answer
after `seconds`) and DROP_CONNECTION. A dropped connection sends the status line and headers, then
aborts the ASGI response so uvicorn closes the socket mid-response: the client sees a protocol
error (httpx `RemoteProtocolError`), never a body. Delivery faults apply to webhooks, keyed by the
REST topic (`orders/create`, ...).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from sandbox.shopify import rest_payloads
from sandbox.shopify.admin_records import add_record_admin_routes
from sandbox.shopify.admin_routes import add_commerce_admin_routes
from sandbox.shopify.cost import LeakyBucket
from sandbox.shopify.executor import GraphQLEngine, GraphQLReply, ShopRuntime
from sandbox.shopify.operations import ShopOperations
from sandbox.shopify.schema import API_VERSION, admin_schema
from sandbox.shopify.state import ShopState, WebhookSubscription
from sandbox.shopify.webhooks import WebhookDispatcher
from sandbox.world import SandboxWorld

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class SimulatedConnectionDrop(Exception):
    """Raised after the response head is sent, so the server aborts the connection."""


class DroppedConnectionResponse(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
            }
        )
        raise SimulatedConnectionDrop("sandbox fault: connection dropped")


class SubscriptionSeed(BaseModel):
    topic: str  # WebhookSubscriptionTopic, e.g. ORDERS_CREATE
    callback_url: str
    include_fields: list[str] = []


class BucketLevel(BaseModel):
    available: float


class ShopifySimulator:
    def __init__(self, world: SandboxWorld, *, clock: Callable[[], float] = time.monotonic) -> None:
        admin_schema()  # load now: a missing schema fails at startup, not on the first request
        self.world = world
        self._clock = clock
        self.webhooks = WebhookDispatcher(world.deliverer)
        self.engine = GraphQLEngine(world.faults)
        self._shops: dict[str, ShopRuntime] = {}
        for shop_config in world.config.shops:
            self._shops[shop_config.domain] = self._new_runtime(shop_config.domain)
        self.router = APIRouter(tags=["shopify"])
        self._add_api_routes()
        self._add_admin_routes()
        add_commerce_admin_routes(self.router, self._shops.get)
        add_record_admin_routes(self.router, self._shops.get)

    # ------------------------------------------------------------------ Python surface

    def _new_runtime(self, domain: str) -> ShopRuntime:
        config = next(s for s in self.world.config.shops if s.domain == domain)
        state = ShopState(config=config)
        ops = ShopOperations(state, self.webhooks, clock=self._clock)
        ops.effects = self.world.effects.recorder("shopify", domain)
        return ShopRuntime(state, ops, LeakyBucket(config.bucket_size, config.restore_rate, self._clock))

    def runtime(self, shop: str) -> ShopRuntime:
        """Raises KeyError for a shop that is not in the world's config."""
        return self._shops[shop]

    def state(self, shop: str) -> ShopState:
        return self._shops[shop].state

    def operations(self, shop: str) -> ShopOperations:
        return self._shops[shop].ops

    def bucket(self, shop: str) -> LeakyBucket:
        return self._shops[shop].bucket

    def rest_order(self, shop: str, order_id: int) -> dict[str, Any]:
        """An order as its webhook/REST JSON (raises KeyError when unknown)."""
        return rest_payloads.order_payload(self.state(shop).orders[order_id])

    async def graphql(
        self,
        shop: str,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> GraphQLReply:
        """Run a document in-process, exactly as the HTTP endpoint would (minus auth)."""
        return await self.engine.run(self._shops[shop], query, variables, operation_name)

    def reset(self, shop: str | None = None) -> None:
        """Forget everything a shop (or every shop) holds; ids and order numbers restart."""
        for domain in [shop] if shop else list(self._shops):
            self._shops[domain].ops.close()
            self._shops[domain] = self._new_runtime(domain)

    def close(self) -> None:
        """Cancel pending job timers (orderCancel completions)."""
        for runtime in self._shops.values():
            runtime.ops.close()

    # ------------------------------------------------------------------ Admin API

    def _add_api_routes(self) -> None:
        @self.router.post("/{shop}/admin/api/{version}/graphql.json")
        async def admin_graphql(shop: str, version: str, request: Request) -> Response:
            runtime = self._shops.get(shop)
            if runtime is None or version != API_VERSION:
                return _json(404, {"errors": "Not Found"})
            token = request.headers.get("X-Shopify-Access-Token", "")
            if token != runtime.state.config.access_token.get_secret_value():
                return _json(401, {"errors": INVALID_TOKEN})
            parsed = _parse_body(await request.body(), request.headers.get("content-type", ""))
            if parsed is None:
                return _json(400, {"errors": {"query": "Required parameter missing or invalid"}})
            query, variables, operation_name = parsed
            reply = await self.engine.run(runtime, query, variables, operation_name)
            if reply.drop_connection:
                return DroppedConnectionResponse()
            return _json(reply.status_code, reply.body, reply.headers)

    # ------------------------------------------------------------------ sandbox admin

    def _add_admin_routes(self) -> None:
        router = self.router

        @router.get("/{shop}/_admin/state")
        async def shop_state(shop: str) -> Response:
            runtime = self._shops.get(shop)
            if runtime is None:
                return _json(404, {"errors": "Not Found"})
            runtime.ops.settle()
            state = runtime.state
            return _json(
                200,
                {
                    "shop": state.domain,
                    "orders": [
                        {
                            "id": o.id,
                            "admin_graphql_api_id": o.gid,
                            "name": o.name,
                            "tags": o.tags,
                            "cancelled_at": rest_payloads.timestamp(o.cancelled_at),
                            "financial_status": o.financial_status,
                            "fulfillment_status": o.display_fulfillment_status,
                            "fulfillment_orders": [
                                {"id": fo.gid, "status": fo.status, "holds": [h.handle for h in fo.holds]}
                                for fo in o.fulfillment_orders
                            ],
                        }
                        for o in state.orders.values()
                    ],
                    "customers": len(state.customers),
                    "jobs": [{"id": j.gid, "done": j.done} for j in state.jobs.values()],
                    "webhook_subscriptions": [_subscription_json(s) for s in state.webhook_subscriptions.values()],
                    "throttle_status": runtime.bucket.status(),
                },
            )

        @router.get("/{shop}/_admin/orders")
        async def list_orders(shop: str) -> Response:
            runtime = self._shops.get(shop)
            if runtime is None:
                return _json(404, {"errors": "Not Found"})
            runtime.ops.settle()
            return _json(200, {"orders": [rest_payloads.order_payload(o) for o in runtime.state.orders.values()]})

        @router.get("/{shop}/_admin/orders/{order_id}")
        async def get_order(shop: str, order_id: int) -> Response:
            runtime = self._shops.get(shop)
            order = runtime.state.orders.get(order_id) if runtime else None
            if runtime is None or order is None:
                return _json(404, {"errors": "Not Found"})
            runtime.ops.settle()
            return _json(200, {"order": rest_payloads.order_payload(order)})

        @router.get("/{shop}/_admin/webhook_subscriptions")
        async def list_subscriptions(shop: str) -> Response:
            runtime = self._shops.get(shop)
            if runtime is None:
                return _json(404, {"errors": "Not Found"})
            subs = runtime.state.webhook_subscriptions.values()
            return _json(200, {"webhook_subscriptions": [_subscription_json(s) for s in subs]})

        @router.post("/{shop}/_admin/webhook_subscriptions")
        async def seed_subscription(shop: str, seed: SubscriptionSeed) -> Response:
            runtime = self._shops.get(shop)
            if runtime is None:
                return _json(404, {"errors": "Not Found"})
            topics = admin_schema().get_type("WebhookSubscriptionTopic")
            if seed.topic not in getattr(topics, "values", {}):
                return _json(422, {"errors": f"Unknown topic {seed.topic}"})
            outcome = runtime.ops.create_webhook_subscription(
                seed.topic, {"callbackUrl": seed.callback_url, "includeFields": seed.include_fields}
            )
            if outcome.value is None:
                return _json(422, {"errors": [e.message for e in outcome.errors]})
            return _json(201, {"webhook_subscription": _subscription_json(outcome.value)})

        @router.put("/{shop}/_admin/bucket")
        async def set_bucket(shop: str, level: BucketLevel) -> Response:
            runtime = self._shops.get(shop)
            if runtime is None:
                return _json(404, {"errors": "Not Found"})
            runtime.bucket.set_available(level.available)
            return _json(200, {"throttle_status": runtime.bucket.status()})

        @router.post("/{shop}/_admin/reset")
        async def reset_shop(shop: str) -> Response:
            if shop not in self._shops:
                return _json(404, {"errors": "Not Found"})
            self.reset(shop)
            return Response(status_code=204)


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> JSONResponse:
    merged = {"X-Shopify-API-Version": API_VERSION, "X-Request-Id": str(uuid.uuid4()), **(headers or {})}
    return JSONResponse(body, status_code=status, headers=merged)


def _parse_body(raw: bytes, content_type: str) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """`{"query", "variables"?, "operationName"?}` as JSON, or a bare document as application/graphql."""
    if content_type.split(";")[0].strip().lower() == "application/graphql":
        text = raw.decode("utf-8", errors="replace")
        return (text, None, None) if text.strip() else None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    query, variables, operation_name = body.get("query"), body.get("variables"), body.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    return query, variables, operation_name


def _subscription_json(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.gid,
        "topic": subscription.topic,
        "callback_url": subscription.callback_url,
        "format": subscription.format,
        "include_fields": subscription.include_fields,
        "created_at": rest_payloads.timestamp(subscription.created_at),
    }
