"""Shopify webhook deliveries: signature verification and the REST-shaped order payload."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from routing.facts import OrderFacts


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

    def facts(self, risk_level: str | None = None) -> OrderFacts:
        return OrderFacts.model_validate(
            {
                "order_id": str(self.id),
                "order_gid": self.admin_graphql_api_id,
                "order_name": self.name,
                "currency": self.currency,
                "total": self.total_price,
                "subtotal": self.subtotal_price,
                "discount_total": self.total_discounts,
                "risk_level": risk_level,
                "shipping_country": self.shipping_address.country_code if self.shipping_address else None,
                "customer_email": self.email or (self.customer.email if self.customer else None),
                "customer_tags": _split_tags(self.customer.tags if self.customer else ""),
                "order_tags": _split_tags(self.tags),
                "item_count": sum(line.quantity for line in self.line_items) if self.line_items else None,
                "address_mismatch": addresses_differ(self.billing_address, self.shipping_address),
                "cancelled": self.cancelled_at is not None,
            }
        )


def addresses_differ(billing: WebhookAddress | None, shipping: WebhookAddress | None) -> bool | None:
    if billing is None or shipping is None or not billing.country_code or not shipping.country_code:
        return None
    return (billing.country_code.upper(), (billing.zip or "").strip()) != (
        shipping.country_code.upper(),
        (shipping.zip or "").strip(),
    )


def _split_tags(raw: str) -> list[str]:
    return [t.strip() for t in raw.split(",") if t.strip()]
