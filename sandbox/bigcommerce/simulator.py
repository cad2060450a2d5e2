"""The BigCommerce simulator: REST v2/v3 and B2B Edition, one in-memory state per store.

`BigCommerceSimulator(world, stores)` exposes

* `.router`, mounted at `/bigcommerce`: `/stores/{store_hash}/v2/...`, `/stores/{store_hash}/v3/...`
  and the sandbox-only `/_admin/...` routes (see `sandbox.bigcommerce.admin`);
* `.b2b_router`, mounted at `/bigcommerce-b2b`: `/api/v3/io/...` (B2B Edition, `X-Store-Hash`).

Strict like the real gateway: unknown store → 404, wrong or missing `X-Auth-Token` → 401, over the
store's quota → 429 with `X-Rate-Limit-*` headers (present on every answer), a request the official
spec refuses → 400/422 in the API's error shape, then the domain's own refusals.

Fault injection: `world.faults.take("bigcommerce", "<METHOD> /v2|v3/<path template>")` (B2B:
system `bigcommerce-b2b`, `"<METHOD> /api/v3/io/<path template>"`), e.g.
`"POST /v3/orders/{order_id}/payment_actions/refunds"`; patterns allowed. Effects: HTTP_500,
HTTP_503, THROTTLE (a quota 429 whose reset is `seconds`, or the current window's; a rule whose
`message` starts with "platform" answers a bare 429 without the headers, BigCommerce's sign of
platform-wide load), LATENCY (answer `seconds` late, after the work is done) and USER_ERROR
(422/400 with the rule's message, nothing changes). Webhook deliveries take the delivery faults with
the scope as label (`store/order/statusUpdated`).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable

from fastapi import APIRouter, Request

from sandbox.bigcommerce import admin, b2b_api, carts, records_api, rest_api, store_api
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.errors import Api, StoreError
from sandbox.bigcommerce.http_support import CallContext, route_class
from sandbox.bigcommerce.orders import Event, OrderBook
from sandbox.bigcommerce.ratelimit import LEFT_HEADER, RESET_MS_HEADER, RequestWindow
from sandbox.bigcommerce.specs import BigCommerceContract, preload
from sandbox.bigcommerce.state import StoreState
from sandbox.bigcommerce.webhooks import WebhookDispatcher
from sandbox.effects import EffectRecorder, no_effects
from sandbox.faults import FaultEffect
from sandbox.world import SandboxWorld

SYSTEM = "bigcommerce"
B2B_SYSTEM = "bigcommerce-b2b"
API_FAULT_EFFECTS = {
    FaultEffect.HTTP_500,
    FaultEffect.HTTP_503,
    FaultEffect.THROTTLE,
    FaultEffect.LATENCY,
    FaultEffect.USER_ERROR,
}


class StoreRuntime:
    """One store: its configuration, state, order book and request window."""

    def __init__(
        self, config: BigCommerceStoreConfig, clock: Callable[[], float], effects: EffectRecorder = no_effects
    ) -> None:
        self.config = config
        self.effects = effects
        self.state = StoreState(config)
        self.orders = OrderBook(self.state, effects)
        self.window = RequestWindow(config.rate_limit_quota, config.rate_limit_window_ms, clock)

    def reset(self) -> None:
        self.state = StoreState(self.config)
        self.orders = OrderBook(self.state, self.effects)
        self.window.configure()


class BigCommerceSimulator:
    def __init__(
        self,
        world: SandboxWorld,
        stores: list[BigCommerceStoreConfig],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        preload()  # a missing or broken spec fails at start-up, not on the first request
        self.world = world
        self.stores = {
            config.store_hash: StoreRuntime(config, clock, world.effects.recorder(SYSTEM, config.store_hash))
            for config in stores
        }
        self.webhooks = WebhookDispatcher(world.deliverer)
        self._contracts: dict[tuple[str, str], BigCommerceContract] = {}
        routes = route_class(self)
        self.router = APIRouter(route_class=routes)
        rest_api.add_routes(self.router, self)
        store_api.add_routes(self.router, self)
        records_api.add_routes(self.router, self)
        self.router.include_router(admin.build_router(self))
        carts.add_routes(self.router, self)
        self.router.include_router(carts.build_admin_router(self))
        self.b2b_router = APIRouter(route_class=routes)
        b2b_api.add_routes(self.b2b_router, self)

    # -- Python surface -------------------------------------------------------------------------

    def store(self, store_hash: str) -> StoreRuntime:
        runtime = self.stores.get(store_hash)
        if runtime is None:
            raise StoreError(404, f"Store '{store_hash}' not found.")
        return runtime

    def emit(self, runtime: StoreRuntime, events: list[Event]) -> None:
        """Webhooks for the events of one change (needs a running event loop)."""
        self.webhooks.emit(runtime.state, events)

    # -- the gate every API call passes ---------------------------------------------------------

    def _contract(self, api: Api, mount: str) -> BigCommerceContract:
        key = ("b2b" if api is Api.B2B else "rest", mount)
        contract = self._contracts.get(key)
        if contract is None:
            contract = BigCommerceContract(b2b_mount=mount) if api is Api.B2B else BigCommerceContract(mount=mount)
            self._contracts[key] = contract
        return contract

    async def admit(self, request: Request, context: CallContext, mount: str) -> None:
        if context.api is Api.B2B:
            store_hash = request.headers.get("X-Store-Hash", "")
            runtime = self.stores.get(store_hash)
            if runtime is None or not runtime.config.b2b_enabled:
                raise StoreError(401, "Invalid X-Store-Hash: no B2B Edition store with this hash.")
        else:
            runtime = self.store(request.path_params.get("store_hash", ""))
        context.store = runtime
        token = request.headers.get("X-Auth-Token", "")
        expected = runtime.config.access_token.get_secret_value()
        if not token or not hmac.compare_digest(token.encode(), expected.encode()):
            raise StoreError(401, "No valid credential was found in the request (X-Auth-Token).")
        if context.api is not Api.B2B:
            admission = runtime.window.admit()
            context.response_headers.update(admission.headers)
            if not admission.allowed:
                raise StoreError(429, "Too many requests: the store's request quota is spent.")
        self._inject_fault(runtime, context, [str(v) for v in request.path_params.values()])
        context.body = await request.body()
        problems = self._contract(context.api, mount).errors(
            request.method, str(request.url), dict(request.headers), context.body or None
        )
        if problems:
            in_body = any("body" in p.lower() for p in problems)
            raise StoreError(
                422 if in_body else 400,
                "JSON data is missing or invalid" if in_body else "The request parameters are invalid",
                errors={"request": "; ".join(problems)[:1000]},
            )

    def _inject_fault(self, runtime: StoreRuntime, context: CallContext, path_values: list[str]) -> None:
        system = B2B_SYSTEM if context.api is Api.B2B else SYSTEM
        # A path's ids (order id among them) are what the call is about, for order-scoped rules.
        rule = self.world.faults.take(
            system, context.operation, API_FAULT_EFFECTS, store=runtime.config.store_hash, orders=path_values
        )
        if rule is None:
            return
        if rule.effect is FaultEffect.LATENCY:
            context.delay_seconds = rule.seconds
        elif rule.effect in (FaultEffect.HTTP_500, FaultEffect.HTTP_503):
            status = 500 if rule.effect is FaultEffect.HTTP_500 else 503
            default = "Internal Server Error" if status == 500 else "Service Unavailable"
            raise StoreError(status, rule.message or default)
        elif rule.effect is FaultEffect.THROTTLE:
            if (rule.message or "").startswith("platform") or context.api is Api.B2B:
                context.response_headers.clear()
                raise StoreError(429, rule.message or "Too many requests", bare=True)
            headers = dict(context.response_headers) | {LEFT_HEADER: "0"}
            if rule.seconds:
                headers[RESET_MS_HEADER] = str(int(rule.seconds * 1000))
            raise StoreError(429, rule.message or "Too many requests", headers=headers)
        elif rule.effect is FaultEffect.USER_ERROR:
            raise StoreError(422, rule.message or "Simulated refusal")
