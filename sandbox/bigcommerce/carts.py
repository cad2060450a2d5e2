"""Storefront carts, as far as abandoned-cart reminders need them: the cart (`GET /v3/carts/{id}`),
the Abandoned Carts API (`GET /v3/abandoned-carts/{token}`, the cart id behind the token the
`store/cart/abandoned` webhook carries), and the `store/cart/abandoned` / `store/cart/converted`
webhooks (their payloads as the vendored `webhooks.v3.yml` documents them: `{type, id, token}` and
`{type, id, orderId}`; "at this point, the cart is automatically deleted and no longer accessible").

Requests are checked against the vendored `carts.v3.yml` and `abandoned_carts.v3.yml` (cart `data`
with `id`, `customer_id`, `email`, `currency.code`, `cart_amount`, `line_items.physical_items[]`;
abandoned cart `data.cart_id`). BigCommerce's own one-hour inactivity is not simulated: the sandbox
admin says when a cart is abandoned (`POST /_admin/stores/{hash}/carts/{id}/abandon`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sandbox.bigcommerce.admin import AdminRoute
from sandbox.bigcommerce.errors import StoreError
from sandbox.bigcommerce.orders import Event
from sandbox.bigcommerce.rest_api import runtime_of
from sandbox.bigcommerce.state import CartLineState, CartState, now

if TYPE_CHECKING:
    from sandbox.bigcommerce.simulator import BigCommerceSimulator, StoreRuntime

V3 = "/stores/{store_hash}/v3"


def cart_v3(cart: CartState) -> dict[str, Any]:
    amount = sum((line.list_price * line.quantity for line in cart.lines), Decimal(0))
    return {
        "id": cart.id,
        "customer_id": cart.customer_id,
        "channel_id": 1,
        "email": cart.email,
        "currency": {"code": cart.currency},
        "tax_included": False,
        "base_amount": float(amount),
        "discount_amount": 0,
        "cart_amount": float(amount),
        "line_items": {
            "physical_items": [
                {
                    "id": f"{cart.id[:8]}-{index}",
                    "product_id": line.product_id,
                    "variant_id": line.variant_id,
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "list_price": float(line.list_price),
                    "sale_price": float(line.list_price),
                    "extended_list_price": float(line.list_price * line.quantity),
                    "extended_sale_price": float(line.list_price * line.quantity),
                }
                for index, line in enumerate(cart.lines)
            ],
            "digital_items": [],
            "gift_certificates": [],
            "custom_items": [],
        },
        "created_time": cart.created_time.isoformat(),
        "updated_time": cart.updated_time.isoformat(),
    }


def _cart_not_found(cart_id: str) -> StoreError:
    # ASSUMPTION: the 404 body of a cart that is gone (converted or deleted).
    return StoreError(404, f"Cart {cart_id} not found.")


def add_routes(router: APIRouter, sim: BigCommerceSimulator) -> None:
    @router.get(V3 + "/carts/{cart_id}", tags=["bigcommerce v3"])
    async def get_cart(request: Request, cart_id: str) -> JSONResponse:
        cart = runtime_of(request).state.carts.get(cart_id)
        if cart is None:
            raise _cart_not_found(cart_id)
        return JSONResponse({"data": cart_v3(cart), "meta": {}})

    @router.get(V3 + "/abandoned-carts/{token}", tags=["bigcommerce v3"])
    async def abandoned_cart(request: Request, token: str) -> JSONResponse:
        cart_id = runtime_of(request).state.abandoned_cart_tokens.get(token)
        if cart_id is None:
            raise StoreError(404, "Abandoned cart not found.")
        return JSONResponse({"data": {"cart_id": cart_id}, "meta": {}})


class CartLineSeed(BaseModel):
    sku: str = Field(min_length=1)
    name: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1)
    list_price: Decimal = Field(default=Decimal(0), ge=0)


class CartSeed(BaseModel):
    customer_id: int = Field(default=0, ge=0)  # 0: a guest
    email: str = ""  # a guest's, entered at checkout; a customer's cart takes the customer's
    currency: str = "USD"
    lines: list[CartLineSeed] = Field(min_length=1)


class Conversion(BaseModel):
    order_id: int  # the order the checkout made (seeded with `POST /_admin/stores/{hash}/orders`)


def build_admin_router(sim: BigCommerceSimulator) -> APIRouter:
    """Sandbox-only: a shopper fills a cart, leaves it, or checks it out."""
    router = APIRouter(prefix="/_admin/stores", tags=["bigcommerce sandbox admin"], route_class=AdminRoute)

    def runtime_for(store_hash: str) -> StoreRuntime:
        runtime = sim.stores.get(store_hash)
        if runtime is None:
            raise StoreError(404, f"Store '{store_hash}' not found.")
        return runtime

    def cart_of(runtime: StoreRuntime, cart_id: str) -> CartState:
        cart = runtime.state.carts.get(cart_id)
        if cart is None:
            raise _cart_not_found(cart_id)
        return cart

    @router.post("/{store_hash}/carts", status_code=201)
    async def add_cart(store_hash: str, seed: CartSeed) -> dict[str, Any]:
        runtime = runtime_for(store_hash)
        email = seed.email
        if seed.customer_id:
            customer = runtime.state.customers.get(seed.customer_id)
            if customer is None:
                raise StoreError(422, f"Customer {seed.customer_id} does not exist.")
            email = customer.email
        cart = CartState(
            id=str(uuid.uuid4()),
            token=str(uuid.uuid4()),  # the spec types the abandoned-cart token as a uuid
            customer_id=seed.customer_id,
            email=email,
            currency=seed.currency,
            lines=[
                CartLineState(sku=s.sku, name=s.name, quantity=s.quantity, list_price=s.list_price) for s in seed.lines
            ],
        )
        runtime.state.carts[cart.id] = cart
        sim.emit(runtime, [Event("store/cart/created", {"type": "cart", "id": cart.id})])
        return {"data": cart_v3(cart), "token": cart.token}

    @router.post("/{store_hash}/carts/{cart_id}/abandon")
    async def abandon(store_hash: str, cart_id: str) -> dict[str, Any]:
        """The cart had no activity for an hour: `store/cart/abandoned`."""
        runtime = runtime_for(store_hash)
        cart = cart_of(runtime, cart_id)
        runtime.state.abandoned_cart_tokens[cart.token] = cart.id
        sim.emit(runtime, [Event("store/cart/abandoned", {"type": "cart", "id": cart.id, "token": cart.token})])
        return {"data": {"cart_id": cart.id, "token": cart.token}}

    @router.post("/{store_hash}/carts/{cart_id}/convert")
    async def convert(store_hash: str, cart_id: str, conversion: Conversion) -> dict[str, Any]:
        """The checkout made an order: the cart is deleted and `store/cart/converted` sent."""
        runtime = runtime_for(store_hash)
        cart = cart_of(runtime, cart_id)
        if conversion.order_id not in runtime.state.orders:
            raise StoreError(422, f"Order {conversion.order_id} does not exist.")
        del runtime.state.carts[cart.id]
        cart.updated_time = now()
        data = {"type": "cart", "id": cart.id, "orderId": conversion.order_id}
        sim.emit(runtime, [Event("store/cart/converted", data)])
        return {"data": data}

    return router
