"""Admin-created guest carts (quotes) and their checkout on Adobe Commerce: how orders are made over REST.

`POST /V1/carts/` with an admin (integration) token creates an empty quote that belongs to no
customer, so a shopper's own active cart is never touched. Items are added by SKU at the catalog
price; REST cannot set a custom item price, so a free order takes a coupon of a 100%-off cart price
rule. Placing (`PUT /V1/carts/{cartId}/order`) deactivates the quote: one quote gives at most one
order, and the order records it (`quote_id`, searchable), which is what makes a retry safe here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import quote

from connectors.adobe_commerce.cart_models import Cart, CartAddress, CartLine, PaymentDetails, ShippingMethod
from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.models import Order
from connectors.adobe_commerce.search import search_all, where

FREE_PAYMENT = "free"  # Zero Subtotal Checkout: Magento offers it only at a grand total of 0


class AdobeCarts:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    async def create_guest_cart(self) -> int:
        """A new empty quote of no customer (guest checkout); its id."""
        return await self.client.call_as(int, "create_cart", "POST", "/V1/carts/")

    async def get_cart(self, cart_id: int) -> Cart:
        return await self.client.call_as(Cart, "get_cart", "GET", f"/V1/carts/{int(cart_id)}")

    async def cart_items(self, cart_id: int) -> list[CartLine]:
        return await self.client.call_as(list[CartLine], "cart_items", "GET", f"/V1/carts/{int(cart_id)}/items")

    async def add_item(self, cart_id: int, sku: str, qty: Decimal | int) -> CartLine:
        """Add `qty` of the product `sku` (added to the line when the SKU is in the cart already).
        An unknown SKU is a `NotFoundError`, a disabled product a `RejectedError`."""
        body = {"cartItem": {"sku": sku, "qty": float(qty), "quote_id": str(int(cart_id))}}
        return await self.client.call_as(
            CartLine, "add_cart_item", "POST", f"/V1/carts/{int(cart_id)}/items", json=body
        )

    async def apply_coupon(self, cart_id: int, coupon_code: str) -> None:
        """Apply a cart price rule's coupon; an unknown code is a `NotFoundError`."""
        path = f"/V1/carts/{int(cart_id)}/coupons/{quote(coupon_code, safe='')}"
        await self.client.call("apply_coupon", "PUT", path)

    async def estimate_shipping_methods(self, cart_id: int, address: CartAddress) -> list[ShippingMethod]:
        return await self.client.call_as(
            list[ShippingMethod],
            "estimate_shipping_methods",
            "POST",
            f"/V1/carts/{int(cart_id)}/estimate-shipping-methods",
            json={"address": address.model_dump()},
        )

    async def set_shipping_information(
        self, cart_id: int, *, shipping: CartAddress, billing: CartAddress, carrier_code: str, method_code: str
    ) -> PaymentDetails:
        """Addresses and shipping method; answers the payment methods offered and the totals."""
        body = {
            "addressInformation": {
                "shipping_address": shipping.model_dump(),
                "billing_address": billing.model_dump(),
                "shipping_carrier_code": carrier_code,
                "shipping_method_code": method_code,
            }
        }
        return await self.client.call_as(
            PaymentDetails,
            "set_shipping_information",
            "POST",
            f"/V1/carts/{int(cart_id)}/shipping-information",
            json=body,
        )

    async def place_order(self, cart_id: int, payment_method: str) -> int:
        """Place the cart's order; its entity id. A placed (inactive) cart is a `NotFoundError`."""
        body = {"paymentMethod": {"method": payment_method}}
        return await self.client.call_as(int, "place_order", "PUT", f"/V1/carts/{int(cart_id)}/order", json=body)

    async def orders_of_cart(self, cart_id: int) -> Sequence[Order]:
        """Orders placed from this quote (Magento allows one): how a lost placement is found again."""
        return await search_all(self.client, Order, "find_orders", "/V1/orders", where("quote_id", int(cart_id)))
