"""Sandbox admin routes of the Adobe simulator (not part of any Adobe API; no auth, no faults).

Under `/adobe-commerce/_admin/stores/{store_code}`: seed orders (optionally placed in the past,
`created_at`), invoices, companies, carts, cart price rules (coupons), categories, products and
customers; inspect the store's state, a customer or a product; expire tokens; register I/O Events
receivers (in reality done in the Adobe Developer Console) after the same challenge Adobe sends, and
list published events.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sandbox.adobe_commerce import catalog, customers, sales
from sandbox.adobe_commerce.config import CartPriceRuleConfig
from sandbox.adobe_commerce.errors import MagentoError
from sandbox.adobe_commerce.rendering import (
    cart_json,
    company_json,
    credit_json,
    credit_memo_json,
    invoice_json,
    order_json,
    product_json,
    rma_json,
    rule_json,
)
from sandbox.adobe_commerce.rendering_customers import customer_json

if TYPE_CHECKING:
    from sandbox.adobe_commerce.api import AdobeCommerceSimulator

JSONBody = dict[str, Any]


class ReceiverRegistration(BaseModel):
    url: str
    event_codes: list[str] | None = None  # e.g. ["observer.sales_order_save_commit_after"]; None = all
    challenge: bool = True  # send the registration challenge first, as Adobe does


async def _challenge(url: str) -> None:
    """GET `url?challenge=<random>`; the receiver must echo it (plain text or `{"challenge": ...}`)."""
    value = secrets.token_hex(8)
    try:
        async with httpx.AsyncClient(timeout=5.0) as client:
            response = await client.get(url, params={"challenge": value})
    except httpx.HTTPError as exc:
        raise HTTPException(400, f"challenge request failed: {type(exc).__name__}") from exc
    echoed = response.text.strip()
    try:
        parsed = response.json()
        if isinstance(parsed, dict):
            echoed = str(parsed.get("challenge", ""))
    except ValueError:
        pass
    if response.status_code != 200 or echoed != value:
        raise HTTPException(400, f"challenge not echoed (HTTP {response.status_code})")


# Products to publish collateral on in the demo (what a merchant's catalog would already hold).
DEMO_PRODUCTS: tuple[JSONBody, ...] = (
    {"sku": "DRILL-18V", "name": "Cordless Drill 18V", "price": 129},
    {"sku": "GOGGLES-1", "name": "Safety Goggles", "price": 19.5},
)


def build_admin_router(sim: AdobeCommerceSimulator) -> APIRouter:
    router = APIRouter(prefix="/stores/{store_code}")

    def guarded(call: Any, status_code: int = 200) -> JSONResponse:
        try:
            return JSONResponse(call(), status_code=status_code)
        except MagentoError as exc:
            return JSONResponse(exc.body, status_code=exc.status_code)

    @router.post("/orders", status_code=201)
    async def seed_order(store_code: str, spec: JSONBody) -> JSONResponse:
        return guarded(lambda: sim.seed_order(store_code, spec), 201)

    @router.get("/orders/{order_id}")
    async def inspect_order(store_code: str, order_id: int) -> JSONResponse:
        return guarded(lambda: order_json(sales.get_order(sim.store(store_code), order_id)))

    @router.post("/orders/{order_id}/invoice", status_code=201)
    async def seed_invoice(store_code: str, order_id: int) -> JSONResponse:
        return guarded(lambda: {"invoice_id": sales.create_invoice(sim.store(store_code), order_id, {})}, 201)

    @router.post("/companies", status_code=201)
    async def seed_company(store_code: str, spec: JSONBody) -> JSONResponse:
        return guarded(lambda: sim.seed_company(store_code, spec), 201)

    @router.post("/carts", status_code=201)
    async def seed_cart(store_code: str, spec: JSONBody) -> JSONResponse:
        return guarded(lambda: sim.seed_cart(store_code, spec), 201)

    @router.post("/cart-price-rules", status_code=201)
    async def seed_cart_price_rule(store_code: str, rule: CartPriceRuleConfig) -> JSONResponse:
        return guarded(lambda: sim.seed_cart_price_rule(store_code, rule), 201)

    @router.post("/products", status_code=201)
    async def seed_product(store_code: str, spec: JSONBody) -> JSONResponse:
        return guarded(lambda: sim.seed_product(store_code, spec), 201)

    @router.post("/customers", status_code=201)
    async def seed_customer(store_code: str, spec: JSONBody) -> JSONResponse:
        return guarded(lambda: customer_json(customers.seed_customer(sim.store(store_code), spec)), 201)

    @router.get("/customers/{customer_id}")
    async def inspect_customer(store_code: str, customer_id: int) -> JSONResponse:
        return guarded(lambda: customer_json(customers.get_customer(sim.store(store_code), customer_id)))

    @router.post("/attributes/{attribute_code}/options", status_code=201)
    async def seed_attribute_option(store_code: str, attribute_code: str, spec: JSONBody) -> JSONResponse:
        """An option of a product select attribute (`{"label": "Acme"}`): its `value` is the id products use."""
        return guarded(
            lambda: catalog.seed_attribute_option(sim.store(store_code), attribute_code, str(spec["label"])), 201
        )

    @router.get("/products/{sku}")
    async def inspect_product(store_code: str, sku: str) -> JSONResponse:
        return guarded(lambda: product_json(catalog.get_product(sim.store(store_code), sku)))

    @router.post("/demo_catalog")
    async def demo_catalog(store_code: str) -> JSONResponse:
        """The demo products (`DEMO_PRODUCTS`), created once: a repeat finds them by SKU."""

        def ensure() -> list[JSONBody]:
            store = sim.store(store_code)
            return [
                product_json(store.state.products.get(spec["sku"]) or catalog.create_product(store, spec))
                for spec in DEMO_PRODUCTS
            ]

        return guarded(ensure)

    @router.post("/categories", status_code=201)
    async def seed_category(store_code: str, spec: JSONBody) -> JSONResponse:
        return guarded(lambda: sim.seed_category(store_code, spec), 201)

    @router.post("/customer-groups", status_code=201)
    async def seed_customer_group(store_code: str, spec: JSONBody) -> JSONResponse:
        def add() -> JSONBody:
            state = sim.store(store_code).state
            group_id = max(state.customer_groups) + 1
            state.customer_groups[group_id] = str(spec["code"])
            return {"id": group_id, "code": state.customer_groups[group_id]}

        return guarded(add, 201)

    @router.get("/state")
    async def state(store_code: str) -> JSONResponse:
        def snapshot() -> JSONBody:
            s = sim.store(store_code).state
            return {
                "orders": [order_json(o) for o in s.orders.values()],
                "invoices": [invoice_json(i) for i in s.invoices.values()],
                "credit_memos": [credit_memo_json(m) for m in s.credit_memos.values()],
                "returns": [rma_json(r) for r in s.rmas.values()],
                "companies": [company_json(c) for c in s.companies.values()],
                "credits": [credit_json(c) for c in s.credits.values()],
                "carts": [cart_json(c) for c in s.carts.values()],
                "cart_price_rules": [rule_json(r) for r in s.cart_price_rules.values()],
                "products": [product_json(p) for p in s.products.values()],
                "base_prices": catalog.base_prices(sim.store(store_code), list(s.products)),
                "special_prices": catalog.special_prices(sim.store(store_code), list(s.products)),
                "tier_prices": catalog.tier_prices(sim.store(store_code), list(s.products)),
            }

        return guarded(snapshot)

    @router.post("/tokens/expire", status_code=204)
    async def expire_tokens(store_code: str) -> None:
        sim.expire_tokens(store_code)

    @router.post("/io-events/registrations", status_code=201)
    async def register(store_code: str, registration: ReceiverRegistration) -> JSONResponse:
        if store_code not in sim.stores:
            return guarded(lambda: sim.store(store_code))
        if registration.challenge:
            await _challenge(registration.url)
        return guarded(
            lambda: {"id": sim.register_receiver(store_code, registration.url, registration.event_codes)}, 201
        )

    @router.get("/io-events/registrations")
    async def registrations(store_code: str) -> JSONResponse:
        return guarded(
            lambda: [
                {"id": r.id, "url": r.url, "event_codes": sorted(r.event_codes) if r.event_codes else None}
                for r in sim.events.registrations[sim.store(store_code).code]
            ]
        )

    @router.delete("/io-events/registrations", status_code=204)
    async def unregister(store_code: str) -> None:
        sim.events.unregister_all(sim.store(store_code).code)

    @router.delete("/io-events/registrations/{registration_id}", status_code=204)
    async def unregister_one(store_code: str, registration_id: str) -> None:
        if not sim.events.unregister(sim.store(store_code).code, registration_id):
            raise HTTPException(404, f"no registration {registration_id}")

    @router.get("/io-events/published")
    async def published(store_code: str) -> JSONResponse:
        def events() -> list[JSONBody]:
            source = f"{sim.store(store_code).code}.Sandbox"  # 400 for an unknown store
            return [e for e in sim.events.published if e["data"]["source"] == source]

        return guarded(events)

    return router
