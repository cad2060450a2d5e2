"""The check an abandoned-cart case makes when its reminder is due: is the cart or checkout still
abandoned (not paid, not made into an order, not gone), and does it name someone to write to? The
workflow sees yes or no, a reason and the shopper's customer id (for their account workspace),
never the cart's contents or the shopper's name and address."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import activity

from activities.cart_readers import read_cart
from activities.errors import translate_errors
from activities.letter_models import is_guest
from activities.order_triggers import TriggerCheck
from casebridge.connections import Connections


class CartCheckRequest(BaseModel):
    platform: str
    store: str
    cart_id: str  # Shopify's checkout id, BigCommerce's cart id


class CartCheck(TriggerCheck):
    # The customer account the cart belongs to, as the account workspace knows it (the platform's
    # customer number); None for a guest's cart.
    customer_id: str | None = None


def account_id(customer_ref: str) -> str | None:
    """The customer number an account workspace is keyed by (Shopify's gid -> its number, as the
    transaction archive keys it); None for a guest."""
    if is_guest(customer_ref):
        return None
    return customer_ref.rsplit("/", 1)[-1]


class AbandonedCartActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="carts.reminder_check")
    @translate_errors
    async def reminder_check(self, request: CartCheckRequest) -> CartCheck:
        cart = await read_cart(self._connections, request.platform, request.store, request.cart_id)
        if cart.closed is not None:
            return CartCheck(send=False, reason=cart.closed)
        if cart.recipient is None:
            return CartCheck(send=False, reason="a guest's cart without an e-mail address: nobody to write to")
        if not cart.items:
            return CartCheck(send=False, reason="the cart is empty")
        return CartCheck(send=True, customer_id=account_id(cart.recipient.customer_ref))
