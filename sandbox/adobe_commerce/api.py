"""Strict simulator of Adobe Commerce 2.4.9 REST (with B2B and RMA), Adobe IMS and Adobe I/O Events.

Mount points (see `AdobeCommerceSimulator`): `.router` at `/adobe-commerce` (REST under
`/rest/{store_code}/V1/...`, sandbox admin routes under `/_admin/...`), `.ims_router` at `/adobe-ims`
(`POST /ims/token/v3`) and `.io_events_router` at `/adobe-io-events` (`GET /prod/keys/{name}`).

Each REST request is refused the way Commerce would refuse it, in this order: injected fault
(`world.faults.take("adobe-commerce", "<METHOD> /V1/<template>")`), unknown store, credentials
(admin token, OAuth 1.0a signature or IMS token; 401 `{"message", "parameters"}`), then the official
schema (400). Domain refusals answer 400/404 with Magento's messages. State changes made through
the API emit Adobe I/O Events to the receivers registered for the store.
"""

# No `from __future__ import annotations` here: FastAPI evaluates the route signatures.
import fnmatch
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from sandbox.adobe_commerce import b2b, carts, catalog, sales
from sandbox.adobe_commerce.admin import build_admin_router
from sandbox.adobe_commerce.auth import ImsIssuer, ImsRefusal, StoreAuth
from sandbox.adobe_commerce.cart_routes import cart_router
from sandbox.adobe_commerce.config import AdobeStoreConfig, CartPriceRuleConfig
from sandbox.adobe_commerce.contract import spec_contract
from sandbox.adobe_commerce.errors import NO_ROUTE, MagentoError, bad_request
from sandbox.adobe_commerce.events import SYSTEM, IoEventsPublisher
from sandbox.adobe_commerce.http_support import API_FAULT_EFFECTS, apply_fault
from sandbox.adobe_commerce.rendering import (
    cart_json,
    category_json,
    company_json,
    order_json,
    product_json,
    rule_json,
)
from sandbox.adobe_commerce.routes import rest_router
from sandbox.adobe_commerce.state import StoreState
from sandbox.adobe_commerce.store import Store
from sandbox.openapi_contract import SpecContract
from sandbox.world import SandboxWorld

ANONYMOUS = frozenset({"POST /V1/integration/admin/token"})
# ACL resources named in 401 answers, by operation pattern (first match wins).
ACL_RESOURCES = (
    ("* /V1/orders*", "Magento_Sales::sales"),
    ("POST /V1/order/*/ship", "Magento_Sales::ship"),
    ("* /V1/order/*", "Magento_Sales::sales_order"),
    ("* /V1/shipment*", "Magento_Sales::shipment"),
    ("* /V1/invoice*", "Magento_Sales::sales_invoice"),
    ("* /V1/creditmemo*", "Magento_Sales::sales_creditmemo"),
    ("* /V1/returns*", "Magento_Rma::magento_rma"),
    ("* /V1/companyCredits*", "Magento_CompanyCredit::credit"),
    ("* /V1/company*", "Magento_Company::index"),
    ("GET /V1/carts/{cartId}", "Magento_NegotiableQuote::view_quotes"),
    ("* /V1/carts*", "Magento_Cart::manage"),
    ("* /V1/negotiableQuote*", "Magento_NegotiableQuote::manage"),
    ("* /V1/products*", "Magento_Catalog::products"),
    ("* /V1/categories*", "Magento_Catalog::categories"),
    ("* /V1/customerGroups*", "Magento_Customer::group"),
)
JSONBody = dict[str, Any]


def acl_resource(operation: str) -> str:
    return next(
        (res for pattern, res in ACL_RESOURCES if fnmatch.fnmatchcase(operation, pattern)), "Magento_Backend::admin"
    )


class AdobeCommerceSimulator:
    """All simulated Commerce instances (one per `AdobeStoreConfig`), their IMS and I/O Events.

    Python surface for tests (same code paths as the admin routes): `store(code)`, `seed_order`,
    `seed_company`, `seed_cart`, `seed_cart_price_rule`, `seed_product`, `expire_tokens`, `register_receiver`; `events`
    (the I/O Events publisher: keys, registrations, published bodies) and `ims` for inspection.
    """

    def __init__(
        self,
        world: SandboxWorld,
        stores: list[AdobeStoreConfig],
        *,
        contract: SpecContract | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.world = world
        self.contract = contract or spec_contract()
        self.ims = ImsIssuer(stores, clock)
        self.events = IoEventsPublisher(world.deliverer, stores)
        self.stores: dict[str, Store] = {
            s.store_code: Store(
                s,
                StoreState(s.generation),
                StoreAuth(s, self.ims, clock),
                self._emitter(s.store_code),
                world.effects.recorder(SYSTEM, s.store_code),
            )
            for s in stores
        }
        for store in self.stores.values():
            for rule in store.config.cart_price_rules:
                carts.add_rule(store, rule)
        self.router = self._build_router()
        self.ims_router = self._build_ims_router()
        self.io_events_router = self._build_io_events_router()

    # -- Python surface ---------------------------------------------------------------------------

    def store(self, store_code: str) -> Store:
        store = self.stores.get(store_code)
        if store is None:
            raise MagentoError(400, "The store that was requested wasn't found. Verify the store and try again.")
        return store

    def seed_order(self, store_code: str, spec: JSONBody) -> JSONBody:
        """Place an order (`items: [{sku, name, price, qty}]`, optional `state`, `status`,
        `shipping_amount`, `customer_*`, `invoiced: true`, `created_at` to place it in the past);
        returns its REST JSON."""
        return order_json(sales.seed_order(self.store(store_code), spec))

    def seed_company(self, store_code: str, spec: JSONBody) -> JSONBody:
        return company_json(b2b.create_company(self.store(store_code), spec))

    def seed_cart(self, store_code: str, spec: JSONBody) -> JSONBody:
        return cart_json(b2b.seed_cart(self.store(store_code), spec))

    def seed_cart_price_rule(self, store_code: str, rule: CartPriceRuleConfig) -> JSONBody:
        """A cart price rule with a specific coupon (Marketing > Cart Price Rules in the admin)."""
        return rule_json(carts.add_rule(self.store(store_code), rule))

    def seed_product(self, store_code: str, spec: JSONBody) -> JSONBody:
        """A product (`sku`, `name`, `price`, optional `category_ids`); returns its REST JSON."""
        return product_json(catalog.create_product(self.store(store_code), spec))

    def seed_category(self, store_code: str, spec: JSONBody) -> JSONBody:
        """A category (`name`, optional `parent_id`); returns its REST JSON."""
        store = self.store(store_code)
        category = catalog.seed_category(store, spec)
        return category_json(category, catalog.children_of(store, category.id))

    def expire_tokens(self, store_code: str) -> None:
        """Make every admin and IMS token of the store expired, as if hours had passed."""
        store = self.store(store_code)
        store.auth.expire_admin_tokens()
        self.ims.expire(store.config.ims_client_id)

    def register_receiver(self, store_code: str, url: str, event_codes: list[str] | None = None) -> str:
        """Register an I/O Events webhook (no challenge; the admin route performs one)."""
        self.store(store_code)
        return self.events.register(store_code, url, event_codes).id

    def _emitter(self, store_code: str) -> Callable[[str, JSONBody], None]:
        def emit(event_code: str, value: JSONBody) -> None:
            self.events.emit(store_code, event_code, value)

        return emit

    # -- guard ------------------------------------------------------------------------------------

    async def _guard(self, request: Request, operation: str) -> None:
        rule = self.world.faults.take(
            SYSTEM,
            operation,
            API_FAULT_EFFECTS,
            store=request.path_params.get("store_code"),
            orders=[str(v) for v in request.path_params.values()],  # an order's entity_id among them
        )
        if rule is not None:
            await apply_fault(rule)
        store = self.store(request.path_params["store_code"])
        if operation not in ANONYMOUS:
            request.state.caller = store.auth.authenticate(request, acl_resource(operation))
        body = await request.body()
        problems = self.contract.errors(request.method, str(request.url), dict(request.headers), body or None)
        if problems:
            raise bad_request("The request doesn't match the Adobe Commerce 2.4.9 schema: %1", ["; ".join(problems)])
        request.state.store = store

    # -- routers ----------------------------------------------------------------------------------

    def _build_router(self) -> APIRouter:
        router = APIRouter()
        router.include_router(rest_router(self._guard), prefix="/rest/{store_code}", tags=["adobe commerce"])
        router.include_router(
            cart_router(self._guard, self.world.faults), prefix="/rest/{store_code}", tags=["adobe commerce"]
        )

        @router.api_route(
            "/rest/{store_code}/{path:path}", methods=["GET", "POST", "PUT", "DELETE"], include_in_schema=False
        )
        async def no_route(store_code: str, path: str) -> JSONResponse:
            return JSONResponse({"message": NO_ROUTE}, status_code=404)

        router.include_router(build_admin_router(self), prefix="/_admin", tags=["adobe commerce sandbox admin"])
        return router

    def _build_ims_router(self) -> APIRouter:
        router = APIRouter(tags=["adobe ims"])

        @router.post("/ims/token/v3")
        async def ims_token(request: Request) -> JSONResponse:
            rule = self.world.faults.take(SYSTEM, "POST /ims/token/v3", API_FAULT_EFFECTS)
            if rule is not None:
                try:
                    await apply_fault(rule)
                except MagentoError as exc:
                    return JSONResponse(
                        {"error": "server_error", "error_description": exc.message},
                        status_code=exc.status_code,
                        headers=exc.headers,
                    )
            form = dict(await request.form()) if "form" in request.headers.get("content-type", "") else {}
            fields = {k: str(v) for k, v in {**dict(request.query_params), **form}.items()}
            try:
                token, ttl = self.ims.issue(
                    fields.get("client_id"), fields.get("client_secret"), fields.get("grant_type")
                )
            except ImsRefusal as exc:
                return JSONResponse(exc.body, status_code=exc.status_code)
            return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": ttl})

        return router

    def _build_io_events_router(self) -> APIRouter:
        router = APIRouter(tags=["adobe i/o events"])

        @router.get("/prod/keys/{name}")
        async def public_key(name: str) -> Response:
            pem = self.events.public_key(name)
            if pem is None:
                return PlainTextResponse("Not Found", status_code=404)
            return Response(pem, media_type="application/x-pem-file")

        return router
