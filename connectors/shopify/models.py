"""Typed views of the Shopify objects the connector reads. Field names follow the GraphQL schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class ShopifyModel(BaseModel):
    """Base of every typed view: GraphQL camelCase aliases, unknown fields ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")


_Model = ShopifyModel


class Record(ShopifyModel):
    """A typed view whose field names are the GraphQL names in snake_case (`totalPriceSet` →
    `total_price_set`): no alias to keep in sync with the documents."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", alias_generator=to_camel)


class Page(Record, Generic[T]):
    """A connection read through `nodes` (the documents ask for one page, sized for the use)."""

    nodes: list[T] = Field(default_factory=list)


class InputModel(BaseModel):
    """A GraphQL input object: snake_case in Python, camelCase on the wire, unset fields left out."""

    model_config = ConfigDict(populate_by_name=True, alias_generator=to_camel, frozen=True)

    def as_input(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class MoneyInput(InputModel):
    amount: Decimal
    currency_code: str


class Money(_Model):
    amount: Decimal
    currency_code: str = Field(alias="currencyCode")

    def as_input(self) -> dict[str, str]:
        """As a `MoneyInput` variable."""
        return {"amount": str(self.amount), "currencyCode": self.currency_code}


class MoneyBag(_Model):
    shop_money: Money = Field(alias="shopMoney")


class FulfillmentHold(_Model):
    id: str
    handle: str | None = None
    reason: str
    reason_notes: str | None = Field(default=None, alias="reasonNotes")


class FulfillmentOrderHolds(_Model):
    """A fulfillment order's order and the ids of the holds on it at the time of reading."""

    order_gid: str
    hold_ids: list[str]


class FulfillmentOrder(_Model):
    id: str
    status: str
    fulfillment_holds: list[FulfillmentHold] = Field(default_factory=list, alias="fulfillmentHolds")


class _Nodes(_Model):
    nodes: list[FulfillmentOrder] = Field(default_factory=list)


class RiskAssessment(_Model):
    risk_level: str = Field(alias="riskLevel")


class RiskSummary(_Model):
    recommendation: str | None = None
    assessments: list[RiskAssessment] = Field(default_factory=list)

    @property
    def highest_level(self) -> str | None:
        order = {"NONE": 0, "PENDING": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}
        levels = [a.risk_level for a in self.assessments if a.risk_level in order]
        return max(levels, key=order.__getitem__) if levels else None


class MailingAddress(_Model):
    country_code: str | None = Field(default=None, alias="countryCodeV2")


class ShipToAddress(_Model):
    first_name: str | None = Field(default=None, alias="firstName")
    last_name: str | None = Field(default=None, alias="lastName")
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province_code: str | None = Field(default=None, alias="provinceCode")
    zip: str | None = None
    phone: str | None = None
    country_code: str | None = Field(default=None, alias="countryCodeV2")


class CustomerId(_Model):
    id: str


class OrderShipTo(_Model):
    id: str
    email: str | None = None
    currency_code: str = Field(alias="currencyCode")
    customer_locale: str | None = Field(default=None, alias="customerLocale")
    customer: CustomerId | None = None
    shipping_address: ShipToAddress | None = Field(default=None, alias="shippingAddress")


class Customer(_Model):
    id: str
    email: str | None = None
    tags: list[str] = Field(default_factory=list)


class Order(_Model):
    id: str
    legacy_resource_id: str = Field(alias="legacyResourceId")
    name: str
    email: str | None = None
    cancelled_at: datetime | None = Field(default=None, alias="cancelledAt")
    cancel_reason: str | None = Field(default=None, alias="cancelReason")
    closed: bool = False
    tags: list[str] = Field(default_factory=list)
    note: str | None = None
    display_financial_status: str | None = Field(default=None, alias="displayFinancialStatus")
    display_fulfillment_status: str | None = Field(default=None, alias="displayFulfillmentStatus")
    total_price: MoneyBag = Field(alias="totalPriceSet")
    subtotal_price: MoneyBag | None = Field(default=None, alias="subtotalPriceSet")
    total_discounts: MoneyBag | None = Field(default=None, alias="totalDiscountsSet")
    shipping_address: MailingAddress | None = Field(default=None, alias="shippingAddress")
    customer: Customer | None = None
    risk: RiskSummary | None = None
    fulfillment_orders_page: _Nodes = Field(default_factory=_Nodes, alias="fulfillmentOrders")

    @property
    def fulfillment_orders(self) -> list[FulfillmentOrder]:
        return self.fulfillment_orders_page.nodes


class Job(_Model):
    id: str
    done: bool


class Node(_Model):
    """Any object read only for its id (`{ id }`)."""

    id: str


class UserError(_Model):
    field: list[str] | None = None
    message: str
    code: str | None = None
