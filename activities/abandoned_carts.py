"""The check an abandoned-cart case makes when its reminder is due: is the cart or checkout still
abandoned (not paid, not made into an order, not gone), and does it name someone to write to? The
workflow sees yes or no and a reason, never the cart's contents or the shopper."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.cart_readers import read_cart
from activities.errors import translate_errors
from activities.order_triggers import TriggerCheck
from casebridge.connections import Connections


class CartCheckRequest(BaseModel):
    platform: str
    store: str
    cart_id: str  # Shopify's checkout id, BigCommerce's cart id


class AbandonedCartActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="carts.reminder_check")
    @translate_errors
    async def reminder_check(self, request: CartCheckRequest) -> TriggerCheck:
        cart = await read_cart(self._connections, request.platform, request.store, request.cart_id)
        if cart.closed is not None:
            return TriggerCheck(send=False, reason=cart.closed)
        if cart.recipient is None:
            return TriggerCheck(send=False, reason="a guest's cart without an e-mail address: nobody to write to")
        if not cart.items:
            return TriggerCheck(send=False, reason="the cart is empty")
        return TriggerCheck(send=True)
