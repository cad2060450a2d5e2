"""Typed views of the cart (quote) checkout JSON of Adobe Commerce 2.4.9: what is sent and read back."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CartAddress(_Wire):
    """`quote-data-address-interface`: the schema requires every field below, region ones included
    (0 and "" when the country has no regions or the order did not record them)."""

    firstname: str
    lastname: str
    street: list[str]
    city: str
    postcode: str
    country_id: str
    telephone: str
    email: str
    region: str = ""
    region_id: int = 0
    region_code: str = ""


class CartLine(_Wire):
    """`quote-data-cart-item-interface` as answered for an added or listed item."""

    item_id: int | None = None
    sku: str
    qty: Decimal
    name: str | None = None
    price: Decimal | None = None
    quote_id: str | None = None


class ShippingMethod(_Wire):
    """`quote-data-shipping-method-interface` (the rate before any cart price rule)."""

    carrier_code: str
    method_code: str
    carrier_title: str | None = None
    method_title: str | None = None
    amount: Decimal
    available: bool


class PaymentMethod(_Wire):
    code: str
    title: str | None = None


class CartTotals(_Wire):
    """`quote-data-totals-interface`, the amounts Casebridge checks (discount is negative)."""

    grand_total: Decimal
    subtotal: Decimal | None = None
    discount_amount: Decimal | None = None
    shipping_amount: Decimal | None = None
    coupon_code: str | None = None


class PaymentDetails(_Wire):
    """`checkout-data-payment-details-interface`: the answer to `shipping-information`."""

    payment_methods: list[PaymentMethod] = Field(default_factory=list)
    totals: CartTotals


class CartCustomer(_Wire):
    """`customer-data-customer-interface` as a cart names it (id 0 and empty names for a guest)."""

    id: int | None = None
    email: str | None = None
    firstname: str | None = None
    lastname: str | None = None


class CartCurrency(_Wire):
    quote_currency_code: str | None = None
    base_currency_code: str | None = None


class Cart(_Wire):
    """`quote-data-cart-interface` (`GET /V1/carts/{cartId}`), the fields a checkout and an
    abandoned-cart reminder need."""

    id: int
    is_active: bool | None = None
    customer_is_guest: bool | None = None
    reserved_order_id: str | None = None
    items: list[CartLine] = Field(default_factory=list)
    customer: CartCustomer | None = None
    billing_address: CartAddress | None = None
    currency: CartCurrency | None = None
