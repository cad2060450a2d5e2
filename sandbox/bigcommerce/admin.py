"""Sandbox-only routes of the BigCommerce simulator (not part of BigCommerce), under `/_admin`:
inspect a store, seed what a merchant or shopper would have created in the control panel or the
storefront (catalog products and brands, customers, customer groups, storefront orders, B2B
companies, their users and quotes), shrink the request quota, reset. No auth, no quota, no faults.
A product seeded here is announced as the control panel's would be (`store/product/created`).

The same seeding is available from Python (`seed_*`), so tests can set up without HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from sandbox.bigcommerce import rendering as r
from sandbox.bigcommerce.errors import StoreError
from sandbox.bigcommerce.orders import Event
from sandbox.bigcommerce.records_api import custom_field_json
from sandbox.bigcommerce.state import (
    BrandState,
    CompanyState,
    CompanyUserState,
    CreditState,
    CustomerGroupState,
    CustomerState,
    OrderState,
    ProductState,
    RfqState,
)
from sandbox.bigcommerce.state_records import ConsentState

if TYPE_CHECKING:
    from sandbox.bigcommerce.simulator import BigCommerceSimulator, StoreRuntime


class ProductSeed(BaseModel):
    name: str
    sku: str = ""
    price: Decimal = Field(ge=0)
    sale_price: Decimal = Decimal(0)
    description: str = ""
    is_visible: bool = True
    availability: str = "available"
    inventory_level: int = 100
    categories: list[int] = []  # category ids, as the control panel assigns them
    brand_id: int = 0  # a brand seeded with `BrandSeed`; 0 for none


class BrandSeed(BaseModel):
    name: str = Field(min_length=1, max_length=255)


# Products to publish collateral on in the demo (what a merchant's catalog would already hold).
DEMO_PRODUCTS = (
    ProductSeed(name="Cordless Drill 18V", sku="DRILL-18V", price=Decimal("129.00"), inventory_level=40),
    ProductSeed(name="Safety Goggles", sku="GOGGLES-1", price=Decimal("19.50"), inventory_level=200),
)


class CustomerSeed(BaseModel):
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    notes: str = ""
    customer_group_id: int = 0
    accepts_product_review_abandoned_cart_emails: bool = False


class CustomerGroupSeed(BaseModel):
    name: str


class OrderSeed(BaseModel):
    """A storefront order: the `POST /v2/orders` body plus how it was paid. Paid and waiting for
    fulfilment (11) by default, paid through an online provider, so it can be refunded online."""

    model_config = ConfigDict(extra="allow")
    status_id: int = 11
    payment_method: str = "Credit Card"
    payment_provider_id: str | None = "braintree"
    payment_status: str = "captured"


class CompanySeed(BaseModel):
    name: str
    email: str
    phone: str = ""
    status: int = Field(default=0, ge=0, le=3)
    bc_group_id: int | None = None
    credit_enabled: bool = False
    credit_currency: str = "USD"
    available_credit: Decimal = Decimal(0)


class CompanyUserSeed(BaseModel):
    """A storefront customer made a user (buyer) of a company, as B2B Edition's control panel does."""

    customer_id: int
    role: int = Field(default=1, ge=0, le=2)  # 0 admin, 1 senior buyer, 2 junior buyer


class QuoteSeed(BaseModel):
    title: str = "Quote"
    company_id: int | None = None
    status: int = 0
    sales_rep: str = ""
    notes: str = ""
    lines: list[dict[str, Any]] = []  # `productList` entries as B2B Edition renders them
    expires_in_days: int = 30


class RateLimit(BaseModel):
    quota: int | None = Field(default=None, ge=1)
    window_ms: int | None = Field(default=None, ge=1)


def seed_brand(runtime: StoreRuntime, seed: BrandSeed) -> BrandState:
    """A brand as made in the control panel; names are unique, so a repeat finds the same one."""
    state = runtime.state
    found = next((b for b in state.brands.values() if b.name == seed.name), None)
    if found is not None:
        return found
    brand = BrandState(id=state.next_id("brand", 30), name=seed.name, page_title=seed.name)
    state.brands[brand.id] = brand
    return brand


def seed_product(runtime: StoreRuntime, seed: ProductSeed) -> ProductState:
    state = runtime.state
    if seed.brand_id and seed.brand_id not in state.brands:
        raise StoreError(422, f"Brand {seed.brand_id} does not exist.")
    product_id = state.next_id("product", 100)
    product = ProductState(
        id=product_id,
        name=seed.name,
        sku=seed.sku or f"SKU-{product_id}",
        price=seed.price,
        base_variant_id=state.next_id("variant", 1000),
        sale_price=seed.sale_price,
        description=seed.description,
        is_visible=seed.is_visible,
        availability=seed.availability,
        inventory_level=seed.inventory_level,
        categories=list(seed.categories),
        brand_id=seed.brand_id,
    )
    state.products[product.id] = product
    return product


def seed_customer(runtime: StoreRuntime, seed: CustomerSeed) -> CustomerState:
    state = runtime.state
    if seed.customer_group_id and seed.customer_group_id not in state.customer_groups:
        raise StoreError(422, f"Customer group {seed.customer_group_id} does not exist.")
    customer = CustomerState(id=state.next_id("customer", 1), **seed.model_dump())
    state.customers[customer.id] = customer
    return customer


def seed_customer_group(runtime: StoreRuntime, seed: CustomerGroupSeed) -> CustomerGroupState:
    group = CustomerGroupState(id=runtime.state.next_id("customer_group", 1), name=seed.name)
    runtime.state.customer_groups[group.id] = group
    return group


def seed_order(sim: BigCommerceSimulator, runtime: StoreRuntime, seed: OrderSeed) -> OrderState:
    order, events = runtime.orders.create(seed.model_dump(), order_source="www")
    sim.emit(runtime, events)
    return order


def seed_company(runtime: StoreRuntime, seed: CompanySeed) -> CompanyState:
    state = runtime.state
    group = state.customer_groups.get(seed.bc_group_id) if seed.bc_group_id is not None else None
    stamp = int(time.time())
    company = CompanyState(
        id=state.next_id("company", 1),
        name=seed.name,
        email=seed.email,
        phone=seed.phone,
        status=seed.status,
        bc_group_id=seed.bc_group_id,
        bc_group_name=group.name if group else "",
        created_at=stamp,
        updated_at=stamp,
        credit=CreditState(seed.credit_enabled, seed.credit_currency, seed.available_credit),
    )
    state.companies[company.id] = company
    return company


def seed_company_user(runtime: StoreRuntime, company_id: int, seed: CompanyUserSeed) -> CompanyUserState:
    state = runtime.state
    if company_id not in state.companies:
        raise StoreError(404, "Company not found.")
    if seed.customer_id not in state.customers:
        raise StoreError(422, f"The customer ID {seed.customer_id} does not exist.")
    if state.company_of_customer(seed.customer_id):
        raise StoreError(422, "The customer is a company user already.")
    user = CompanyUserState(
        id=state.next_id("company_user", 1),
        company_id=company_id,
        customer_id=seed.customer_id,
        role=seed.role,
        created_at=int(time.time()),
    )
    state.company_users[user.id] = user
    return user


def seed_quote(runtime: StoreRuntime, seed: QuoteSeed) -> RfqState:
    state = runtime.state
    company = state.companies.get(seed.company_id) if seed.company_id is not None else None
    if seed.company_id is not None and company is None:
        raise StoreError(422, f"Company {seed.company_id} does not exist.")
    subtotal = sum(
        (Decimal(str(line.get("offeredPrice", 0))) * int(line.get("quantity", 0)) for line in seed.lines),
        Decimal(0),
    )
    stamp = int(time.time())
    quote_id = state.next_id("rfq", 1)
    rfq = RfqState(
        id=quote_id,
        quote_number=f"Q{quote_id:06d}",
        title=seed.title,
        status=seed.status,
        company_id=seed.company_id,
        company_name=company.name if company else "",
        sales_rep=seed.sales_rep,
        created_at=stamp,
        updated_at=stamp,
        expired_at=stamp + seed.expires_in_days * 86_400,
        subtotal=subtotal,
        grand_total=subtotal,
        notes=seed.notes,
        currency_code=runtime.config.currency_code,
        lines=seed.lines,
    )
    state.rfqs[rfq.id] = rfq
    return rfq


def order_view(runtime: StoreRuntime, order: OrderState) -> dict[str, Any]:
    """Everything the sandbox knows about an order, for assertions."""
    base = f"/bigcommerce/stores/{runtime.config.store_hash}/v2"
    return r.order_v2(order, base) | {
        "products": [r.order_product_v2(p) for p in order.products],
        "shipping_addresses": [r.shipping_address_v2(a, order, base) for a in order.addresses],
        "shipments": [r.shipment_v2(s, order) for s in order.shipments],
        "refunds": [r.refund_v3(x) for x in order.refunds],
        "metafields": [r.metafield_v3(m, runtime.config.client_id) for m in order.metafields],
    }


class AdminRoute(APIRoute):
    """Refusals (unknown store, bad seed) as `{"detail": ...}` with their status code."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except StoreError as exc:
                return JSONResponse({"detail": exc.message}, status_code=exc.status)

        return guarded


def build_router(sim: BigCommerceSimulator) -> APIRouter:
    router = APIRouter(prefix="/_admin/stores", tags=["bigcommerce sandbox admin"], route_class=AdminRoute)

    def runtime_for(store_hash: str) -> StoreRuntime:
        runtime = sim.stores.get(store_hash)
        if runtime is None:
            raise StoreError(404, f"Store '{store_hash}' not found.")
        return runtime

    @router.get("")
    async def stores() -> list[str]:
        return sorted(sim.stores)

    @router.get("/{store_hash}/state")
    async def store_state(store_hash: str) -> dict[str, Any]:
        runtime = runtime_for(store_hash)
        state = runtime.state
        return {
            "store_hash": store_hash,
            "orders": sorted(state.orders),
            "products": sorted(state.products),
            "customers": sorted(state.customers),
            "customer_groups": sorted(state.customer_groups),
            "price_lists": sorted(state.price_lists),
            "companies": sorted(state.companies),
            "quotes": sorted(state.rfqs),
            "hooks": [r.hook_v3(h, state) for h in state.hooks.values()],
            "rate_limit": {
                "quota": runtime.window.quota,
                "window_ms": runtime.window.window_ms,
                "refused": runtime.window.refused,
            },
        }

    @router.get("/{store_hash}/orders/{order_id}")
    async def order(store_hash: str, order_id: int) -> JSONResponse:
        runtime = runtime_for(store_hash)
        found = runtime.state.orders.get(order_id)
        if found is None:
            return JSONResponse({"detail": f"order {order_id} not found"}, status_code=404)
        return JSONResponse(order_view(runtime, found))

    @router.post("/{store_hash}/orders", status_code=201)
    async def add_order(store_hash: str, seed: OrderSeed) -> JSONResponse:
        runtime = runtime_for(store_hash)
        return JSONResponse(order_view(runtime, seed_order(sim, runtime, seed)), status_code=201)

    def created(runtime: StoreRuntime, seed: ProductSeed) -> ProductState:
        """The merchant creates a product in the control panel: `store/product/created`."""
        product = seed_product(runtime, seed)
        sim.emit(runtime, [Event("store/product/created", {"type": "product", "id": product.id})])
        return product

    @router.post("/{store_hash}/products", status_code=201)
    async def add_product(store_hash: str, seed: ProductSeed) -> dict[str, Any]:
        return r.product_v3(created(runtime_for(store_hash), seed))

    @router.post("/{store_hash}/brands", status_code=201)
    async def add_brand(store_hash: str, seed: BrandSeed) -> dict[str, Any]:
        return r.brand_v3(seed_brand(runtime_for(store_hash), seed))

    @router.post("/{store_hash}/customers", status_code=201)
    async def add_customer(store_hash: str, seed: CustomerSeed) -> dict[str, Any]:
        return r.customer_v3(seed_customer(runtime_for(store_hash), seed))

    @router.get("/{store_hash}/customers/{customer_id}/records")
    async def customer_records(store_hash: str, customer_id: int) -> JSONResponse:
        """The customer's marketing flag, attribute values by attribute name, and storefront consent."""
        state = runtime_for(store_hash).state
        customer = state.customers.get(customer_id)
        if customer is None:
            return JSONResponse({"detail": f"customer {customer_id} not found"}, status_code=404)
        records = state.records
        consent = records.consents.get(customer_id, ConsentState())
        return JSONResponse(
            {
                "accepts_product_review_abandoned_cart_emails": customer.accepts_product_review_abandoned_cart_emails,
                "attributes": {
                    records.attributes[v.attribute_id].name: v.value for v in records.values_of(customer_id)
                },
                "consent": {"allow": consent.allow, "deny": consent.deny},
            }
        )

    @router.get("/{store_hash}/products/{product_id}/custom_fields")
    async def custom_fields(store_hash: str, product_id: int) -> JSONResponse:
        state = runtime_for(store_hash).state
        if product_id not in state.products:
            return JSONResponse({"detail": f"product {product_id} not found"}, status_code=404)
        return JSONResponse([custom_field_json(f) for f in state.records.custom_fields_of(product_id)])

    @router.post("/{store_hash}/customer_groups", status_code=201)
    async def add_group(store_hash: str, seed: CustomerGroupSeed) -> dict[str, Any]:
        return r.customer_group_v2(seed_customer_group(runtime_for(store_hash), seed))

    @router.post("/{store_hash}/companies", status_code=201)
    async def add_company(store_hash: str, seed: CompanySeed) -> dict[str, Any]:
        return r.company_b2b(seed_company(runtime_for(store_hash), seed), group_id_as_string=False)

    @router.post("/{store_hash}/companies/{company_id}/users", status_code=201)
    async def add_company_user(store_hash: str, company_id: int, seed: CompanyUserSeed) -> dict[str, Any]:
        runtime = runtime_for(store_hash)
        user = seed_company_user(runtime, company_id, seed)
        return r.user_b2b(user, runtime.state.customers[user.customer_id])

    @router.post("/{store_hash}/quotes", status_code=201)
    async def add_quote(store_hash: str, seed: QuoteSeed) -> dict[str, Any]:
        rfq = seed_quote(runtime_for(store_hash), seed)
        return {"quoteId": rfq.id} | r.rfq_detail_b2b(rfq)

    @router.post("/{store_hash}/demo_catalog")
    async def demo_catalog(store_hash: str) -> list[dict[str, Any]]:
        """The demo products (`DEMO_PRODUCTS`), created once: a repeat finds them by SKU."""
        runtime = runtime_for(store_hash)
        return [
            r.product_v3(runtime.state.variant_by_sku(seed.sku) or created(runtime, seed)) for seed in DEMO_PRODUCTS
        ]

    @router.put("/{store_hash}/rate_limit")
    async def rate_limit(store_hash: str, limit: RateLimit) -> dict[str, int]:
        window = runtime_for(store_hash).window
        window.configure(limit.quota, limit.window_ms)
        return {"quota": window.quota, "window_ms": window.window_ms}

    @router.post("/{store_hash}/reset", status_code=204)
    async def reset(store_hash: str) -> None:
        runtime_for(store_hash).reset()

    return router
