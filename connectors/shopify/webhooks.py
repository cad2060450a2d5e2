"""Shopify webhook deliveries: signature verification and the REST-shaped bodies Casebridge reads
(`orders/*` and `returns/request`). What they mean for a case is `shim.facts.shopify`'s to say."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.payload_bounds import EntityId, Money, Quantity, gid_number


def sign(secret: bytes, body: bytes) -> str:
    """`X-Shopify-Hmac-Sha256`: base64 of HMAC-SHA256 over the exact body bytes."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def verify(secret: bytes, body: bytes, header_value: str | None) -> bool:
    """Constant-time comparison, done on the raw bytes before any parsing."""
    if not header_value:
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header_value.strip().encode())


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- `orders/*` ----------------------------------------------------------------------------------


class WebhookCustomer(_Payload):
    id: EntityId
    email: str | None = Field(default=None, max_length=320)
    tags: str = Field(default="", max_length=10_000)


class WebhookAddress(_Payload):
    country_code: str | None = Field(default=None, max_length=10)
    zip: str | None = Field(default=None, max_length=40)


class WebhookLineItem(_Payload):
    quantity: int = Field(default=0, ge=0, le=1_000_000)


class OrderPayload(_Payload):
    """The fields of an `orders/*` webhook body that Casebridge relies on."""

    id: EntityId
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/Order/\d{1,19}$")
    name: str = Field(max_length=255)
    email: str | None = Field(default=None, max_length=320)
    currency: str = Field(max_length=10)
    total_price: Money
    subtotal_price: Money
    total_discounts: Money = Decimal(0)
    tags: str = Field(default="", max_length=10_000)
    cancelled_at: datetime | None = None
    customer: WebhookCustomer | None = None
    shipping_address: WebhookAddress | None = None
    billing_address: WebhookAddress | None = None
    line_items: list[WebhookLineItem] = Field(default_factory=list)

    @field_validator("tags", mode="before")
    @classmethod
    def _none_tags(cls, value: object) -> object:
        return "" if value is None else value

    @model_validator(mode="after")
    def _id_is_the_gids(self) -> OrderPayload:
        _same_id(self.id, self.admin_graphql_api_id)
        return self


def _same_id(number: int, gid: str) -> None:
    """A body whose numeric id and gid disagree would start a case keyed by one and acting on the
    other: refuse it."""
    if gid_number(gid) != str(number):
        raise ValueError(f"id {number} does not match admin_graphql_api_id {gid}")


# --- `returns/request` ---------------------------------------------------------------------------


class OrderDocumentPayload(_Payload):
    """A `fulfillments/create` or `refunds/create` body: the new document's id and its order's."""

    id: EntityId
    order_id: EntityId


class ProductPayload(_Payload):
    """A `products/create` or `products/update` body: the product's id (the rest is read when needed)."""

    id: EntityId


class CheckoutPayload(_Payload):
    """A `checkouts/create` or `checkouts/update` body: the checkout's id and whether it was
    completed (the shopper's e-mail and cart are left unread: the reminder reads them when due)."""

    id: EntityId
    completed_at: datetime | None = None


class ShopMoney(_Payload):
    amount: Money
    currency_code: str = Field(max_length=10)


class MoneySet(_Payload):
    shop_money: ShopMoney


class DiscountAllocation(_Payload):
    amount: Money


class ReturnedOrderLine(_Payload):
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/LineItem/\d{1,19}$")
    title: str = Field(default="", max_length=1000)
    quantity: Quantity
    price_set: MoneySet
    discount_allocations: list[DiscountAllocation] = Field(default_factory=list)


class ReturnedFulfillmentLine(_Payload):
    admin_graphql_api_id: str = Field(max_length=200)
    line_item: ReturnedOrderLine


class ReturnLineItem(_Payload):
    quantity: Quantity
    return_reason: str = Field(max_length=100)
    customer_note: str | None = Field(default=None, max_length=5000)
    fulfillment_line_item: ReturnedFulfillmentLine


class ReturnedOrder(_Payload):
    id: EntityId
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/Order/\d{1,19}$")

    @model_validator(mode="after")
    def _id_is_the_gids(self) -> ReturnedOrder:
        _same_id(self.id, self.admin_graphql_api_id)
        return self


class ReturnRequestPayload(_Payload):
    """A `returns/request` webhook body: the return, its order and the lines asked back."""

    id: EntityId
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/Return/\d{1,19}$")
    name: str = Field(max_length=255)
    status: str = Field(max_length=50)
    order: ReturnedOrder
    return_line_items: list[ReturnLineItem] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _id_is_the_gids(self) -> ReturnRequestPayload:
        _same_id(self.id, self.admin_graphql_api_id)
        return self
