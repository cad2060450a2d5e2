"""Sandbox-only setup and inspection of customer records and metafields (not part of Shopify).

* `POST /{shop}/_admin/customers` - a customer with email/phone and a consent state per channel;
* `GET /{shop}/_admin/customers/{customer_id}` - the customer's consent and metafields;
* `GET /{shop}/_admin/products/{product_id}/metafields` - a product's metafields;
* `POST /{shop}/_admin/demo_catalog` - the demo products (`DEMO_PRODUCTS`), created once: a repeat
  finds them by handle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from sandbox.shopify import rest_payloads, rest_resources
from sandbox.shopify.executor import ShopRuntime
from sandbox.shopify.gid import gid
from sandbox.shopify.state import Customer, MarketingConsent
from sandbox.shopify.state_records import Metafield

# Products to publish collateral on in the demo (what a merchant's catalog would already hold).
DEMO_PRODUCTS: tuple[dict[str, Any], ...] = (
    {
        "title": "Cordless Drill 18V",
        "handle": "cordless-drill-18v",
        "product_type": "Power Tools",
        "vendor": "Casebridge Demo",
        "variants": [{"title": "Default Title", "price": "129.00", "sku": "DRILL-18V", "inventory_quantity": 40}],
        "published_on": ["Online Store"],
    },
    {
        "title": "Safety Goggles",
        "handle": "safety-goggles",
        "product_type": "Safety",
        "vendor": "Casebridge Demo",
        "variants": [{"title": "Default Title", "price": "19.50", "sku": "GOGGLES-1", "inventory_quantity": 200}],
        "published_on": ["Online Store"],
    },
)

MarketingState = Literal["NOT_SUBSCRIBED", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"]
OptInLevel = Literal["SINGLE_OPT_IN", "CONFIRMED_OPT_IN", "UNKNOWN"]


class CustomerSeed(BaseModel):
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    tags: list[str] = []
    email_marketing_state: MarketingState | None = None
    email_opt_in_level: OptInLevel | None = None
    sms_marketing_state: MarketingState | None = None
    sms_opt_in_level: OptInLevel | None = None


def _json(status: int, body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def metafield_json(metafield: Metafield) -> dict[str, Any]:
    return {
        "admin_graphql_api_id": metafield.gid,
        "namespace": metafield.namespace,
        "key": metafield.key,
        "type": metafield.type,
        "value": metafield.value,
    }


def _consent_json(consent: MarketingConsent) -> dict[str, Any]:
    return {
        "state": consent.state,
        "opt_in_level": consent.opt_in_level,
        "consent_updated_at": rest_payloads.timestamp(consent.updated_at),
    }


def customer_record_json(runtime: ShopRuntime, customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "admin_graphql_api_id": customer.gid,
        "email": customer.email,
        "phone": customer.phone,
        "email_marketing_consent": _consent_json(customer.email_consent),
        "sms_marketing_consent": _consent_json(customer.sms_consent),
        "metafields": [metafield_json(m) for m in runtime.ops.metafields_of(customer.gid)],
    }


def add_record_admin_routes(router: APIRouter, runtime_of: Callable[[str], ShopRuntime | None]) -> None:
    @router.post("/{shop}/_admin/customers")
    async def seed_customer(shop: str, seed: CustomerSeed) -> Response:
        runtime = runtime_of(shop)
        if runtime is None:
            return _json(404, {"errors": "Not Found"})
        customer = runtime.ops.seed_customer(seed.model_dump())
        return _json(201, {"customer": customer_record_json(runtime, customer)})

    @router.get("/{shop}/_admin/customers/{customer_id}")
    async def customer_record(shop: str, customer_id: int) -> Response:
        runtime = runtime_of(shop)
        customer = runtime.state.customers.get(customer_id) if runtime else None
        if runtime is None or customer is None:
            return _json(404, {"errors": "Not Found"})
        return _json(200, {"customer": customer_record_json(runtime, customer)})

    @router.get("/{shop}/_admin/products/{product_id}/metafields")
    async def product_metafields(shop: str, product_id: int) -> Response:
        runtime = runtime_of(shop)
        if runtime is None or product_id not in runtime.state.products:
            return _json(404, {"errors": "Not Found"})
        found = runtime.ops.metafields_of(gid("Product", product_id))
        return _json(200, {"metafields": [metafield_json(m) for m in found]})

    @router.post("/{shop}/_admin/demo_catalog")
    async def demo_catalog(shop: str) -> Response:
        runtime = runtime_of(shop)
        if runtime is None:
            return _json(404, {"errors": "Not Found"})
        by_handle = {p.handle: p for p in runtime.state.products.values()}
        products = [by_handle.get(d["handle"]) or runtime.ops.seed_product(dict(d)) for d in DEMO_PRODUCTS]
        return _json(200, {"products": [rest_resources.product_payload(p) for p in products]})
