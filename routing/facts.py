"""Platform-neutral facts about an order: what routing rules look at and what a reviewer sees."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class OrderFacts(BaseModel):
    order_id: str  # the platform's own id (Shopify legacy numeric id as text)
    order_gid: str | None = None  # Shopify global id, when the platform has one
    order_name: str  # what people call the order, e.g. "#1042"
    currency: str
    total: Decimal
    subtotal: Decimal
    discount_total: Decimal = Decimal(0)
    risk_level: RiskLevel | None = None
    shipping_country: str | None = None
    customer_email: str | None = None
    customer_tags: list[str] = Field(default_factory=list)
    order_tags: list[str] = Field(default_factory=list)
    item_count: int | None = None  # units ordered
    # Billing and shipping address differ (country or postal code); None unless both are known.
    address_mismatch: bool | None = None
    # How far an order paid on account took the B2B company beyond its credit limit (0: within it).
    credit_exceeded_by: Decimal | None = None
    # Already cancelled when the routing read it: a late `created` event after the cancellation.
    cancelled: bool = False

    @property
    def discount_pct(self) -> Decimal:
        """Discount as a percentage of the pre-discount amount (0 when there was nothing to discount)."""
        base = self.subtotal + self.discount_total
        if base <= 0:
            return Decimal(0)
        return (self.discount_total / base * 100).quantize(Decimal("0.01"))
