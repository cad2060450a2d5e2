"""Carts and the Abandoned Carts API (v3): what an abandoned-cart reminder reads when it is due.
BigCommerce deletes a cart once it becomes an order (`store/cart/converted`), so a cart that answers
404 is no longer abandoned.

ASSUMPTION: no carts spec is vendored; the paths (`/v3/carts/{cartId}`,
`/v3/abandoned-carts/{token}`) and the fields read are BigCommerce's REST Management reference's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from connectors.bigcommerce.rest import RestBase, parse, segment
from connectors.errors import NotFoundError


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CartCurrency(_Wire):
    code: str


class CartItem(_Wire):
    sku: str = ""
    name: str = ""
    quantity: int
    list_price: Decimal = Decimal(0)
    sale_price: Decimal | None = None


class CartLineItems(_Wire):
    physical_items: list[CartItem] = Field(default_factory=list)
    digital_items: list[CartItem] = Field(default_factory=list)


class Cart(_Wire):
    id: str
    customer_id: int = 0  # 0: a guest
    email: str = ""
    currency: CartCurrency
    cart_amount: Decimal
    line_items: CartLineItems = Field(default_factory=CartLineItems)
    updated_time: datetime | None = None

    @property
    def items(self) -> list[CartItem]:
        return [*self.line_items.physical_items, *self.line_items.digital_items]


class AbandonedCart(_Wire):
    cart_id: str


class CartsApi(RestBase):
    async def get_cart(self, cart_id: str) -> Cart | None:
        """The cart, or None once it is gone (made into an order, or deleted)."""
        try:
            data = await self._v3_data("get_cart", "GET", f"/carts/{segment(cart_id)}")
        except NotFoundError:
            return None
        return parse(Cart, data, "get_cart")

    async def abandoned_cart_id(self, token: str) -> str:
        """The cart id behind an abandoned-cart token (the `store/cart/abandoned` webhook's `token`)."""
        data = await self._v3_data("abandoned_cart_id", "GET", f"/abandoned-carts/{segment(token)}")
        return parse(AbandonedCart, data, "abandoned_cart_id").cart_id
