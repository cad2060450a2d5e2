"""REST routes of guest-cart checkout (`/V1/carts/...`), and the JSON of their answers.

The order placement (`PUT /V1/carts/{cartId}/order`) is where a client most needs to survive a lost
answer, so it honours one fault after the fact: a `drop_connection` rule naming the route template
(`PUT /V1/carts/{cartId}/order`, as the guard's faults do) cuts the connection once the order is
placed. (A rule naming the literal path is taken earlier, by the sandbox-wide middleware, before
anything happens.)
"""

# No `from __future__ import annotations` here: FastAPI evaluates the route signatures.
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from sandbox.adobe_commerce import carts
from sandbox.adobe_commerce.events import SYSTEM
from sandbox.adobe_commerce.http_support import Guard, guarded_route_class
from sandbox.adobe_commerce.rendering import money
from sandbox.adobe_commerce.state import ZERO, CartItemState, CartState
from sandbox.adobe_commerce.store import Store
from sandbox.connection_faults import SimulatedConnectionDrop
from sandbox.faults import FaultEffect, FaultInjector

JSON = dict[str, Any]
PLACE_ORDER = "PUT /V1/carts/{cartId}/order"


def cart_item_json(cart: CartState, item: CartItemState) -> JSON:
    return {
        "item_id": item.item_id,
        "sku": item.sku,
        "qty": money(item.qty),
        "name": item.name,
        "price": money(item.price),
        "product_type": "simple",
        "quote_id": str(cart.id),
    }


def shipping_method_json(rate: carts.ShippingRate) -> JSON:
    return {
        "carrier_code": rate.carrier_code,
        "method_code": rate.method_code,
        "carrier_title": rate.carrier_title,
        "method_title": rate.method_title,
        "amount": money(rate.amount),
        "base_amount": money(rate.amount),
        "available": True,
        "error_message": "",
        "price_excl_tax": money(rate.amount),
        "price_incl_tax": money(rate.amount),
    }


def totals_json(store: Store, cart: CartState) -> JSON:
    t = carts.totals(store, cart)
    currency = store.config.currency
    return {
        "grand_total": money(t.grand_total),
        "base_grand_total": money(t.grand_total),
        "subtotal": money(t.subtotal),
        "base_subtotal": money(t.subtotal),
        "discount_amount": money(-t.discount),
        "base_discount_amount": money(-t.discount),
        "subtotal_with_discount": money(t.subtotal - (t.discount - t.shipping_discount)),
        "shipping_amount": money(t.shipping),
        "base_shipping_amount": money(t.shipping),
        "shipping_discount_amount": money(t.shipping_discount),
        "tax_amount": 0.0,
        "weee_tax_applied_amount": None,
        "base_currency_code": currency,
        "quote_currency_code": currency,
        **({"coupon_code": cart.coupon_code} if cart.coupon_code else {}),
        "items_qty": money(sum((i.qty for i in cart.items), ZERO)),
        "items": [
            {
                "item_id": i.item_id,
                "name": i.name,
                "price": money(i.price),
                "qty": money(i.qty),
                "row_total": money(i.price * i.qty),
                "row_total_with_discount": money(i.price * i.qty - t.item_discounts[i.item_id]),
                "discount_amount": money(t.item_discounts[i.item_id]),
                "discount_percent": money(t.discount_percent),
            }
            for i in cart.items
        ],
        "total_segments": [
            {"code": "subtotal", "title": "Subtotal", "value": money(t.subtotal)},
            {"code": "discount", "title": "Discount", "value": money(-t.discount)},
            {"code": "shipping", "title": "Shipping & Handling", "value": money(t.shipping)},
            {"code": "grand_total", "title": "Grand Total", "value": money(t.grand_total)},
        ],
    }


def payment_details_json(store: Store, cart: CartState) -> JSON:
    titles = {carts.FREE: "No Payment Information Required", carts.CHECK_MONEY_ORDER: "Check / Money order"}
    return {
        "payment_methods": [{"code": m, "title": titles[m]} for m in carts.payment_methods(store, cart)],
        "totals": totals_json(store, cart),
    }


class _DroppedAfterCommit(JSONResponse):
    """The response head goes out, then the connection is cut: the client never sees the body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        raise SimulatedConnectionDrop(f"sandbox fault: {SYSTEM} connection dropped after placing the order")


def _store(request: Request) -> Store:
    store: Store = request.state.store
    return store


async def _json(request: Request) -> JSON:
    body: JSON = await request.json()
    return body


def cart_router(guard: Guard, faults: FaultInjector) -> APIRouter:
    router = APIRouter(route_class=guarded_route_class(guard))

    @router.post("/V1/carts/")
    async def create_cart(request: Request) -> JSONResponse:
        return JSONResponse(carts.create_guest_cart(_store(request)))

    @router.post("/V1/carts/{quoteId}/items")
    async def add_item(request: Request, quoteId: int) -> JSONResponse:
        body = await _json(request)
        store = _store(request)
        item = carts.add_item(store, quoteId, body["cartItem"])
        return JSONResponse(cart_item_json(carts.get_active(store, quoteId), item))

    @router.get("/V1/carts/{cartId}/items")
    async def list_items(request: Request, cartId: int) -> JSONResponse:
        cart = carts.get_active(_store(request), cartId)
        return JSONResponse([cart_item_json(cart, i) for i in cart.items])

    @router.put("/V1/carts/{cartId}/coupons/{couponCode}")
    async def apply_coupon(request: Request, cartId: int, couponCode: str) -> JSONResponse:
        return JSONResponse(carts.apply_coupon(_store(request), cartId, couponCode))

    @router.post("/V1/carts/{cartId}/estimate-shipping-methods")
    async def estimate_shipping(request: Request, cartId: int) -> JSONResponse:
        store = _store(request)
        cart = carts.get_active(store, cartId)
        return JSONResponse([shipping_method_json(r) for r in carts.shipping_rates(store, cart)])

    @router.post("/V1/carts/{cartId}/shipping-information")
    async def shipping_information(request: Request, cartId: int) -> JSONResponse:
        body = await _json(request)
        store = _store(request)
        cart = carts.save_shipping_information(store, cartId, body["addressInformation"])
        return JSONResponse(payment_details_json(store, cart))

    @router.get("/V1/carts/{cartId}/totals")
    async def cart_totals(request: Request, cartId: int) -> JSONResponse:
        store = _store(request)
        return JSONResponse(totals_json(store, carts.get_active(store, cartId)))

    @router.put("/V1/carts/{cartId}/order")
    async def place_order(request: Request, cartId: int) -> JSONResponse:
        body = await _json(request) if await request.body() else {}
        order = carts.place_order(_store(request), cartId, body.get("paymentMethod"))
        store_code, orders = request.path_params.get("store_code"), [str(order.entity_id)]
        if faults.take(SYSTEM, PLACE_ORDER, {FaultEffect.DROP_CONNECTION}, store=store_code, orders=orders):
            return _DroppedAfterCommit(order.entity_id)
        return JSONResponse(order.entity_id)

    return router
