"""Sandbox-only setup and inspection for the after-sales, catalogue and B2B parts of a shop (not
part of Shopify): seed products, ship an order, open a dispute, and read everything back.

* `POST /{shop}/_admin/products` - a product with variants, optionally published on channels;
* `POST /{shop}/_admin/orders/{order_id}/fulfill` - ship everything still open on an order;
* `POST /{shop}/_admin/disputes` - the buyer's bank opens a chargeback (or inquiry) on an order;
* `POST /{shop}/_admin/checkouts` - a shopper reaches the checkout (`checkouts/create`);
  `.../checkouts/{id}` touches it again and `.../checkouts/{id}/complete` pays (`checkouts/update`);
* `GET /{shop}/_admin/commerce` - refunds, returns, disputes, companies, draft orders, products and
  price lists as compact JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from sandbox.shopify import rest_payloads, rest_resources
from sandbox.shopify.checkouts import CheckoutLine, checkout_payload
from sandbox.shopify.executor import ShopRuntime
from sandbox.shopify.gid import gid
from sandbox.shopify.ops_base import safe_gid
from sandbox.shopify.schema import admin_schema
from sandbox.shopify.state import ShopState


class VariantSeed(BaseModel):
    title: str = "Default Title"
    price: Decimal = Decimal(0)
    sku: str | None = None
    compare_at_price: Decimal | None = None
    inventory_quantity: int = 0


class ProductSeed(BaseModel):
    title: str = Field(min_length=1)
    handle: str | None = None
    status: Literal["ACTIVE", "DRAFT", "ARCHIVED"] = "ACTIVE"
    vendor: str = ""
    product_type: str = ""
    description_html: str = ""
    tags: list[str] = []
    variants: list[VariantSeed] = Field(default_factory=lambda: [VariantSeed()], min_length=1)
    published_on: list[str] = []  # publication names, e.g. "Online Store"


class DisputeSeed(BaseModel):
    order_id: str  # a gid or the numeric id
    amount: Decimal | None = None  # default: what the order still holds
    reason: str = "FRAUDULENT"  # ShopifyPaymentsDisputeReason
    type: Literal["CHARGEBACK", "INQUIRY"] = "CHARGEBACK"
    network_reason_code: str | None = None
    evidence_due_in_days: int = 14  # negative: the due date has already passed


class CheckoutLineSeed(BaseModel):
    title: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1)
    price: Decimal = Field(default=Decimal(0), ge=0)
    sku: str | None = None


class CheckoutSeed(BaseModel):
    email: str | None = None  # a known customer's e-mail makes it theirs; None: a guest without one
    guest: bool = False  # True: not linked to the customer of that e-mail
    currency: str = "USD"
    lines: list[CheckoutLineSeed] = Field(min_length=1)


class CheckoutTouch(BaseModel):
    lines: list[CheckoutLineSeed] | None = None


def _checkout_lines(seeds: list[CheckoutLineSeed]) -> list[CheckoutLine]:
    return [CheckoutLine(title=s.title, quantity=s.quantity, price=s.price, sku=s.sku) for s in seeds]


def _json(status: int, body: Any) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def _not_found() -> JSONResponse:
    return _json(404, {"errors": "Not Found"})


def _order_number(raw: str) -> int | None:
    if raw.isdigit():
        return int(raw)
    parsed = safe_gid(raw)
    return parsed.is_a("Order") if parsed else None


def add_commerce_admin_routes(router: APIRouter, runtime_of: Callable[[str], ShopRuntime | None]) -> None:
    @router.post("/{shop}/_admin/products")
    async def seed_product(shop: str, seed: ProductSeed) -> Response:
        runtime = runtime_of(shop)
        if runtime is None:
            return _not_found()
        known = {p.name for p in runtime.ops.publications()}
        unknown = [name for name in seed.published_on if name not in known]
        if unknown:
            return _json(422, {"errors": f"Unknown publications: {unknown}; known: {sorted(known)}"})
        product = runtime.ops.seed_product(seed.model_dump(mode="json"))
        return _json(201, {"product": rest_resources.product_payload(product)})

    @router.post("/{shop}/_admin/orders/{order_id}/fulfill")
    async def fulfill(shop: str, order_id: int) -> Response:
        runtime = runtime_of(shop)
        order = runtime.state.orders.get(order_id) if runtime else None
        if runtime is None or order is None:
            return _not_found()
        outcome = runtime.ops.fulfill_order(order)
        if outcome.value is None:
            return _json(422, {"errors": [e.message for e in outcome.errors]})
        return _json(201, {"fulfillment": rest_payloads.fulfillment_payload(outcome.value)})

    @router.post("/{shop}/_admin/disputes")
    async def open_dispute(shop: str, seed: DisputeSeed) -> Response:
        runtime = runtime_of(shop)
        if runtime is None:
            return _not_found()
        reasons = getattr(admin_schema().get_type("ShopifyPaymentsDisputeReason"), "values", {})
        if seed.reason not in reasons:
            return _json(422, {"errors": f"Unknown reason {seed.reason}"})
        number = _order_number(seed.order_id)
        order = runtime.state.orders.get(number) if number is not None else None
        if order is None:
            return _json(422, {"errors": f"Order {seed.order_id} does not exist"})
        outcome = runtime.ops.open_dispute(
            order,
            amount=seed.amount,
            reason=seed.reason,
            kind=seed.type,
            network_reason_code=seed.network_reason_code,
            evidence_due_in_days=seed.evidence_due_in_days,
        )
        if outcome.value is None:
            return _json(422, {"errors": [e.message for e in outcome.errors]})
        dispute = outcome.value
        body = {
            **rest_resources.dispute_payload(dispute),
            "admin_graphql_api_id": dispute.gid,
            "evidence_admin_graphql_api_id": dispute.evidence.gid,
        }
        return _json(201, {"dispute": body})

    @router.post("/{shop}/_admin/checkouts")
    async def open_checkout(shop: str, seed: CheckoutSeed) -> Response:
        runtime = runtime_of(shop)
        if runtime is None:
            return _not_found()
        customer = runtime.state.customer_by_email(seed.email) if seed.email and not seed.guest else None
        checkout = runtime.ops.open_checkout(
            email=seed.email,
            customer_id=customer.id if customer else None,
            lines=_checkout_lines(seed.lines),
            currency=seed.currency,
        )
        return _json(201, {"checkout": checkout_payload(checkout, customer)})

    @router.post("/{shop}/_admin/checkouts/{checkout_id}")
    async def touch_checkout(shop: str, checkout_id: int, touch: CheckoutTouch) -> Response:
        runtime = runtime_of(shop)
        checkout = runtime.state.checkouts.get(checkout_id) if runtime else None
        if runtime is None or checkout is None:
            return _not_found()
        lines = _checkout_lines(touch.lines) if touch.lines is not None else None
        runtime.ops.update_checkout(checkout, lines=lines)
        return _json(
            200, {"checkout": checkout_payload(checkout, runtime.state.customers.get(checkout.customer_id or 0))}
        )

    @router.post("/{shop}/_admin/checkouts/{checkout_id}/complete")
    async def complete_checkout(shop: str, checkout_id: int) -> Response:
        runtime = runtime_of(shop)
        checkout = runtime.state.checkouts.get(checkout_id) if runtime else None
        if runtime is None or checkout is None:
            return _not_found()
        runtime.ops.complete_checkout(checkout)
        return _json(
            200, {"checkout": checkout_payload(checkout, runtime.state.customers.get(checkout.customer_id or 0))}
        )

    @router.get("/{shop}/_admin/commerce")
    async def commerce(shop: str) -> Response:
        runtime = runtime_of(shop)
        if runtime is None:
            return _not_found()
        return _json(200, commerce_summary(runtime.state))


def commerce_summary(state: ShopState) -> dict[str, Any]:
    return {
        "refunds": [rest_payloads.refund_payload(r) for r in state.refunds.values()],
        "fulfillments": [rest_payloads.fulfillment_payload(f) for f in state.fulfillments.values()],
        "returns": [rest_resources.return_payload(r) for r in state.returns.values()],
        "disputes": [
            {
                **rest_resources.dispute_payload(d),
                "admin_graphql_api_id": d.gid,
                "evidence": {**d.evidence.text, "submitted": d.evidence.submitted},
            }
            for d in state.disputes.values()
        ],
        "companies": [
            {
                **rest_resources.company_payload(c),
                "locations": [loc.gid for loc in c.locations],
                "contacts": [contact.gid for contact in c.contacts],
            }
            for c in state.companies.values()
        ],
        "draft_orders": [rest_resources.draft_order_payload(d, state) for d in state.draft_orders.values()],
        "products": [
            {
                **rest_resources.product_payload(p),
                "publications": [gid("Publication", number) for number in p.publications],
            }
            for p in state.products.values()
        ],
        "price_lists": [
            {
                "admin_graphql_api_id": pl.gid,
                "name": pl.name,
                "currency": pl.currency,
                "adjustment": {"type": pl.adjustment_type.lower(), "value": pl.adjustment_value},
                "fixed_prices": [
                    {"variant_id": f.variant.id, "price": rest_payloads.amount(f.price), "currency": f.currency}
                    for f in pl.fixed.values()
                ],
            }
            for pl in state.price_lists.values()
        ],
    }
