"""Typed views of Adobe Commerce's REST JSON (snake_case, as the 2.4.9 schema names it).

Models ignore unknown keys (extension attributes grow with every installed module) but require the
ones Casebridge acts on, so a changed contract fails loudly as `ContractError`. Money is `Decimal`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

_Item = TypeVar("_Item")


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SearchResult(_Wire, Generic[_Item]):
    items: list[_Item] = Field(default_factory=list)
    total_count: int = 0


# -- orders -----------------------------------------------------------------------------------------


class OrderState(StrEnum):
    NEW = "new"
    PENDING_PAYMENT = "pending_payment"
    PROCESSING = "processing"
    COMPLETE = "complete"
    CLOSED = "closed"
    CANCELED = "canceled"
    HOLDED = "holded"
    PAYMENT_REVIEW = "payment_review"


class OrderItem(_Wire):
    item_id: int
    sku: str
    name: str | None = None
    product_type: str | None = None
    qty_ordered: Decimal = Decimal(0)
    qty_invoiced: Decimal = Decimal(0)
    qty_refunded: Decimal = Decimal(0)
    qty_canceled: Decimal = Decimal(0)
    qty_shipped: Decimal = Decimal(0)
    # Units ordered beyond the salable stock (the product allows backorders): they cannot ship yet.
    qty_backordered: Decimal | None = None
    price: Decimal = Decimal(0)
    row_total: Decimal = Decimal(0)


class StatusHistory(_Wire):
    entity_id: int | None = None
    parent_id: int | None = None
    comment: str | None = None
    status: str | None = None
    created_at: str | None = None
    is_customer_notified: int | None = None
    is_visible_on_front: int | None = None


class OrderAddress(_Wire):
    address_type: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    street: list[str] = Field(default_factory=list)
    city: str | None = None
    postcode: str | None = None
    country_id: str | None = None
    email: str | None = None
    telephone: str | None = None
    region: str | None = None
    region_id: int | None = None
    region_code: str | None = None


class OrderPayment(_Wire):
    method: str


class Order(_Wire):
    entity_id: int
    increment_id: str
    state: str
    status: str
    hold_before_state: str | None = None
    hold_before_status: str | None = None
    customer_id: int | None = None
    customer_group_id: int | None = None  # 0: NOT LOGGED IN (a guest)
    customer_email: str
    customer_firstname: str | None = None
    customer_lastname: str | None = None
    store_id: int | None = None
    order_currency_code: str | None = None
    base_currency_code: str | None = None  # the catalog's prices are in this one
    grand_total: Decimal
    base_grand_total: Decimal
    subtotal: Decimal | None = None
    discount_amount: Decimal | None = None  # negative, as Magento stores it
    total_qty_ordered: Decimal | None = None
    shipping_amount: Decimal | None = None
    tax_amount: Decimal | None = None
    total_paid: Decimal | None = None
    total_invoiced: Decimal | None = None
    total_refunded: Decimal | None = None
    total_canceled: Decimal | None = None
    ext_order_id: str | None = None
    quote_id: int | None = None  # the cart it was placed from
    coupon_code: str | None = None
    customer_is_guest: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    items: list[OrderItem] = Field(default_factory=list)
    status_histories: list[StatusHistory] = Field(default_factory=list)
    billing_address: OrderAddress | None = None
    payment: OrderPayment | None = None
    extension_attributes: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_held(self) -> bool:
        return self.state == OrderState.HOLDED

    @property
    def placed_at(self) -> datetime | None:
        """`created_at` as a moment: Magento writes `Y-m-d H:i:s` in UTC, without a zone."""
        if not self.created_at:
            return None
        try:
            return datetime.strptime(self.created_at, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            return None

    @property
    def shipping_address(self) -> OrderAddress | None:
        """The first shipping assignment's address (Magento keeps it in extension attributes)."""
        for assignment in self.extension_attributes.get("shipping_assignments") or []:
            address = (assignment.get("shipping") or {}).get("address")
            if address:
                return OrderAddress.model_validate(address)
        return None

    @property
    def company_id(self) -> int | None:
        """The buyer's company (B2B), from `company_order_attributes`."""
        attributes = self.extension_attributes.get("company_order_attributes") or {}
        company_id = attributes.get("company_id")
        return int(company_id) if company_id else None

    @property
    def company_name(self) -> str | None:
        """The buyer's company's name when the order was placed (`company_order_attributes`)."""
        attributes = self.extension_attributes.get("company_order_attributes") or {}
        return str(attributes.get("company_name") or "") or None


class InvoiceItem(_Wire):
    entity_id: int | None = None
    order_item_id: int
    sku: str
    qty: Decimal
    price: Decimal | None = None
    row_total: Decimal | None = None


class Invoice(_Wire):
    entity_id: int
    increment_id: str | None = None
    order_id: int
    state: int | None = None  # 1 open, 2 paid, 3 canceled
    grand_total: Decimal | None = None
    base_total_refunded: Decimal | None = None
    total_qty: Decimal
    created_at: str | None = None
    items: list[InvoiceItem] = Field(default_factory=list)


class CreditMemoItem(_Wire):
    entity_id: int | None = None
    order_item_id: int
    sku: str | None = None
    qty: Decimal | None = None
    price: Decimal | None = None
    row_total: Decimal | None = None


class CreditMemoComment(_Wire):
    comment: str | None = None


class CreditMemo(_Wire):
    entity_id: int
    increment_id: str | None = None
    order_id: int
    invoice_id: int | None = None
    state: int | None = None  # 1 open, 2 refunded, 3 canceled
    grand_total: Decimal | None = None
    shipping_amount: Decimal | None = None
    adjustment_positive: Decimal | None = None
    adjustment_negative: Decimal | None = None
    created_at: str | None = None
    items: list[CreditMemoItem] = Field(default_factory=list)
    comments: list[CreditMemoComment] = Field(default_factory=list)


class RefundOutcome(_Wire):
    credit_memo: CreditMemo | None  # None: nothing was paid and not refunded, and no memo has the key
    created: bool  # False: an earlier attempt's memo (or nothing to refund)


class RefundItem(_Wire):
    order_item_id: int
    qty: Decimal


# -- returns (RMA) ----------------------------------------------------------------------------------


class RmaStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    PARTIALLY_AUTHORIZED = "partially_authorized"
    RECEIVED = "received"
    RECEIVED_ON_ITEM = "received_on_item"
    APPROVED_ON_ITEM = "approved_on_item"
    REJECTED_ON_ITEM = "rejected_on_item"
    CLOSED = "closed"
    PROCESSED_CLOSED = "processed_closed"


class RmaItemStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    RECEIVED = "received"
    APPROVED = "approved"
    REJECTED = "rejected"
    DENIED = "denied"


class RmaItem(_Wire):
    entity_id: int = 0
    rma_entity_id: int = 0
    order_item_id: int
    qty_requested: int
    qty_authorized: int | None = None
    qty_approved: int | None = None
    qty_returned: int | None = None
    reason: str = ""
    condition: str = ""
    resolution: str = ""
    status: str = RmaItemStatus.PENDING


class RmaComment(_Wire):
    entity_id: int | None = None
    comment: str
    status: str | None = None
    created_at: str | None = None
    customer_notified: bool = False
    visible_on_front: bool = False
    admin: bool = True


class RmaTrack(_Wire):
    entity_id: int | None = None
    track_number: str
    carrier_title: str = ""
    carrier_code: str = ""


class Rma(_Wire):
    entity_id: int
    increment_id: str
    order_id: int
    order_increment_id: str
    store_id: int
    customer_id: int
    date_requested: str | None = None
    customer_custom_email: str | None = None
    status: str
    items: list[RmaItem] = Field(default_factory=list)
    comments: list[RmaComment] = Field(default_factory=list)
    tracks: list[RmaTrack] = Field(default_factory=list)


class NewRmaItem(_Wire):
    order_item_id: int
    qty_requested: int
    reason: str
    condition: str
    resolution: str


# -- B2B --------------------------------------------------------------------------------------------


class CompanyStatus(IntEnum):
    PENDING = 0
    APPROVED = 1
    REJECTED = 2
    BLOCKED = 3


class Company(_Wire):
    id: int
    status: int
    company_name: str | None = None
    legal_name: str | None = None
    company_email: str | None = None
    street: list[str] = Field(default_factory=list)
    city: str | None = None
    country_id: str | None = None
    region: str | None = None
    region_id: str | None = None
    postcode: str | None = None
    telephone: str | None = None
    customer_group_id: int
    sales_representative_id: int
    super_user_id: int
    reject_reason: str | None = None
    rejected_at: str | None = None
    comment: str | None = None
    extension_attributes: dict[str, Any] = Field(default_factory=dict)


class NewCompany(_Wire):
    company_name: str
    company_email: str
    street: list[str]
    city: str
    country_id: str
    postcode: str
    telephone: str
    customer_group_id: int
    sales_representative_id: int
    super_user_id: int
    region_id: str | None = None
    legal_name: str | None = None
    status: CompanyStatus = CompanyStatus.PENDING


class CreditOperation(IntEnum):
    ALLOCATED = 1
    UPDATED = 2
    PURCHASED = 3
    REIMBURSED = 4
    REFUNDED = 5
    REVERTED = 6


class CompanyCredit(_Wire):
    id: int
    company_id: int
    credit_limit: Decimal | None = None
    balance: Decimal = Decimal(0)
    currency_code: str
    exceed_limit: bool
    available_limit: Decimal | None = None


class CreditHistoryEntry(_Wire):
    id: int | None = None
    company_credit_id: int | None = None
    type: int | None = None
    amount: Decimal
    balance: Decimal
    credit_limit: Decimal
    available_limit: Decimal | None = None
    currency_credit: str | None = None
    currency_operation: str | None = None
    rate: Decimal
    comment: str | None = None
    datetime: str | None = None


class NegotiableQuoteStatus(StrEnum):
    CREATED = "created"
    PROCESSING_BY_CUSTOMER = "processing_by_customer"
    PROCESSING_BY_ADMIN = "processing_by_admin"
    SUBMITTED_BY_CUSTOMER = "submitted_by_customer"
    SUBMITTED_BY_ADMIN = "submitted_by_admin"
    ORDERED = "ordered"
    EXPIRED = "expired"
    DECLINED = "declined"
    CLOSED = "closed"


class NegotiatedPriceType(IntEnum):
    PERCENTAGE_DISCOUNT = 1
    AMOUNT_DISCOUNT = 2
    PROPOSED_TOTAL = 3


class NegotiableQuoteDetails(_Wire):
    quote_id: int
    status: str
    quote_name: str | None = None
    negotiated_price_type: int | None = None
    negotiated_price_value: Decimal | None = None
    expiration_period: str | None = None
    original_total_price: Decimal | None = None
    negotiated_total_price: Decimal | None = None


class CartItem(_Wire):
    item_id: int | None = None
    sku: str
    qty: Decimal
    name: str | None = None
    price: Decimal | None = None


class NegotiableQuote(_Wire):
    """A B2B quote as Commerce returns it: a cart with `extension_attributes.negotiable_quote`."""

    id: int
    store_id: int
    items: list[CartItem] = Field(default_factory=list)
    extension_attributes: dict[str, Any] = Field(default_factory=dict)

    @property
    def negotiable(self) -> NegotiableQuoteDetails | None:
        raw = self.extension_attributes.get("negotiable_quote")
        return NegotiableQuoteDetails.model_validate(raw) if isinstance(raw, dict) else None


class QuoteComment(_Wire):
    entity_id: int
    parent_id: int
    creator_type: int
    creator_id: int
    comment: str
    is_decline: int = 0
    is_draft: int = 0
    created_at: str | None = None


# -- catalog ----------------------------------------------------------------------------------------


class ProductStatus(IntEnum):
    ENABLED = 1
    DISABLED = 2


class Visibility(IntEnum):
    NOT_VISIBLE = 1
    CATALOG = 2
    SEARCH = 3
    CATALOG_SEARCH = 4


class CustomAttribute(_Wire):
    attribute_code: str
    value: Any = None


class CategoryLink(_Wire):
    category_id: str
    position: int | None = None


class ProductExtension(_Wire):
    category_links: list[CategoryLink] = Field(default_factory=list)


class AttributeOption(_Wire):
    """An option of a select attribute: `value` is what products hold (an option id), `label` its name."""

    label: str
    value: str


class Product(_Wire):
    id: int | None = None
    sku: str
    name: str | None = None
    price: Decimal | None = None
    status: int | None = None
    visibility: int | None = None
    type_id: str | None = None
    attribute_set_id: int | None = None
    updated_at: str | None = None
    custom_attributes: list[CustomAttribute] = Field(default_factory=list)
    extension_attributes: ProductExtension = Field(default_factory=ProductExtension)

    def attribute(self, code: str) -> Any:
        return next((a.value for a in self.custom_attributes if a.attribute_code == code), None)

    @property
    def category_ids(self) -> list[int]:
        """The product's categories (`extension_attributes.category_links`)."""
        return [int(link.category_id) for link in self.extension_attributes.category_links]


class Category(_Wire):
    """`GET /V1/categories/{categoryId}` (`catalog-data-category-interface`)."""

    id: int
    name: str
    parent_id: int | None = None
    level: int | None = None
    is_active: bool | None = None
    path: str | None = None


class BasePrice(_Wire):
    sku: str
    price: Decimal
    store_id: int = 0


class SpecialPrice(_Wire):
    sku: str
    price: Decimal
    store_id: int = 0
    price_from: str
    price_to: str


class TierPrice(_Wire):
    sku: str
    price: Decimal
    price_type: str  # "fixed" or "discount"
    website_id: int = 0
    customer_group: str = "ALL GROUPS"
    quantity: Decimal


class PriceUpdateResult(_Wire):
    message: str
    parameters: list[str] = Field(default_factory=list)


# -- customers --------------------------------------------------------------------------------------


class CustomerGroup(_Wire):
    id: int
    code: str  # the group's name, e.g. "Wholesale"
