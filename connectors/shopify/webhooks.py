"""Shopify webhook deliveries: signature verification and the REST-shaped bodies Casebridge reads
(`orders/*` and `returns/request`). What they mean for a case is `shim.facts.shopify`'s to say."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
    id: int
    email: str | None = None
    tags: str = ""


class WebhookAddress(_Payload):
    country_code: str | None = None
    zip: str | None = None


class WebhookLineItem(_Payload):
    quantity: int = 0


class OrderPayload(_Payload):
    """The fields of an `orders/*` webhook body that Casebridge relies on."""

    id: int
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/Order/\d+$")
    name: str
    email: str | None = None
    currency: str
    total_price: Decimal
    subtotal_price: Decimal
    total_discounts: Decimal = Decimal(0)
    tags: str = ""
    cancelled_at: datetime | None = None
    customer: WebhookCustomer | None = None
    shipping_address: WebhookAddress | None = None
    billing_address: WebhookAddress | None = None
    line_items: list[WebhookLineItem] = Field(default_factory=list)

    @field_validator("tags", mode="before")
    @classmethod
    def _none_tags(cls, value: object) -> object:
        return "" if value is None else value


# --- `returns/request` ---------------------------------------------------------------------------


class ShopMoney(_Payload):
    amount: Decimal
    currency_code: str


class MoneySet(_Payload):
    shop_money: ShopMoney


class DiscountAllocation(_Payload):
    amount: Decimal


class ReturnedOrderLine(_Payload):
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/LineItem/\d+$")
    title: str = ""
    quantity: int = Field(ge=1)
    price_set: MoneySet
    discount_allocations: list[DiscountAllocation] = Field(default_factory=list)


class ReturnedFulfillmentLine(_Payload):
    admin_graphql_api_id: str
    line_item: ReturnedOrderLine


class ReturnLineItem(_Payload):
    quantity: int = Field(ge=1)
    return_reason: str
    customer_note: str | None = None
    fulfillment_line_item: ReturnedFulfillmentLine


class ReturnedOrder(_Payload):
    id: int
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/Order/\d+$")


class ReturnRequestPayload(_Payload):
    """A `returns/request` webhook body: the return, its order and the lines asked back."""

    id: int
    admin_graphql_api_id: str = Field(pattern=r"^gid://shopify/Return/\d+$")
    name: str
    status: str
    order: ReturnedOrder
    return_line_items: list[ReturnLineItem] = Field(min_length=1)
