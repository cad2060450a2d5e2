"""Typed views of the BigCommerce resources Casebridge reads and the requests it writes.

Responses are parsed leniently (unknown fields ignored, v2's money strings such as `"12.3400"` read
as `Decimal`, v2's RFC 2822 dates as `datetime`): BigCommerce adds fields over time and Casebridge
should not break on them. Requests are built strictly and turned into wire JSON by `wire()`, which
drops unset fields and writes money as JSON numbers (the specs type amounts as `number`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from enum import IntEnum
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator


class OrderStatus(IntEnum):
    """`status_id` values (orders.v2 `/order_statuses` table)."""

    INCOMPLETE = 0
    PENDING = 1
    SHIPPED = 2
    PARTIALLY_SHIPPED = 3
    REFUNDED = 4
    CANCELLED = 5
    DECLINED = 6
    AWAITING_PAYMENT = 7
    AWAITING_PICKUP = 8
    AWAITING_SHIPMENT = 9
    COMPLETED = 10
    AWAITING_FULFILLMENT = 11
    MANUAL_VERIFICATION_REQUIRED = 12
    DISPUTED = 13
    PARTIALLY_REFUNDED = 14


def _parse_datetime(value: object) -> object:
    """v2 dates are RFC 2822 (`Tue, 05 Mar 2019 21:36:59 +0000`); v3 are ISO 8601; empty = unset."""
    if value == "" or value is None:
        return None
    if isinstance(value, str) and value[:3].isalpha() and "," in value[:5]:
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return value


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def wire(self) -> dict[str, Any]:
        """JSON-ready dict: unset fields dropped, Decimals as numbers."""
        wired: dict[str, Any] = _to_wire(self.model_dump(exclude_none=True, by_alias=True))
        return wired


def _to_wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


# -- orders (v2) -------------------------------------------------------------------------------------


class Address(_Response):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street_1: str = ""
    street_2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    country_iso2: str = ""
    phone: str = ""
    email: str = ""


class Order(_Response):
    id: int
    status_id: int
    status: str = ""
    customer_id: int = 0
    channel_id: int = 1
    date_created: datetime | None = None
    date_modified: datetime | None = None
    date_shipped: datetime | None = None
    currency_code: str = ""
    subtotal_inc_tax: Decimal = Decimal(0)
    total_ex_tax: Decimal = Decimal(0)
    total_inc_tax: Decimal = Decimal(0)
    refunded_amount: Decimal = Decimal(0)
    discount_amount: Decimal = Decimal(0)
    payment_method: str = ""
    payment_status: str = ""
    items_total: int = 0
    items_shipped: int = 0
    staff_notes: str = ""
    customer_message: str = ""
    order_source: str = ""
    external_source: str | None = None
    external_order_id: str | None = None
    is_deleted: bool = False
    billing_address: Address | None = None

    _dates = field_validator("date_created", "date_modified", "date_shipped", mode="before")(_parse_datetime)

    @field_validator("external_source", "external_order_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def on_hold(self) -> bool:
        return self.status_id == OrderStatus.MANUAL_VERIFICATION_REQUIRED

    @property
    def refundable(self) -> Decimal:
        return max(self.total_inc_tax - self.refunded_amount, Decimal(0))


class OrderProductDiscount(_Response):
    """An `applied_discounts` entry of an order product (a coupon or manual discount's share)."""

    id: str | int
    amount: Decimal
    name: str = ""
    code: str | None = None
    target: str = ""


class OrderProduct(_Response):
    id: int
    order_id: int
    product_id: int = 0
    variant_id: int | None = None
    order_address_id: int = 0
    name: str = ""
    sku: str = ""
    quantity: int
    price_ex_tax: Decimal = Decimal(0)
    price_inc_tax: Decimal = Decimal(0)
    total_inc_tax: Decimal = Decimal(0)
    quantity_shipped: int = 0
    quantity_refunded: int = 0
    refund_amount: Decimal = Decimal(0)
    applied_discounts: list[OrderProductDiscount] = []


class OrderShippingAddress(Address):
    id: int
    order_id: int
    items_total: int = 0
    items_shipped: int = 0
    cost_inc_tax: Decimal = Decimal(0)
    shipping_method: str = ""


class ShipmentItem(_Response):
    order_product_id: int
    product_id: int = 0
    quantity: int


class Shipment(_Response):
    id: int
    order_id: int
    order_address_id: int
    date_created: datetime | None = None
    tracking_number: str = ""
    shipping_provider: str = ""
    tracking_carrier: str = ""
    comments: str = ""
    items: list[ShipmentItem] = []

    _dates = field_validator("date_created", mode="before")(_parse_datetime)


class ShipmentItemRequest(_Request):
    order_product_id: int
    quantity: int = Field(ge=1)


class NewShipment(_Request):
    order_address_id: int
    items: list[ShipmentItemRequest] = Field(min_length=1)
    tracking_number: str | None = None
    # A core provider (`ups`, `fedex`, `usps`, ...) or `carrier_{id}`, or "" (none).
    shipping_provider: str | None = None
    tracking_carrier: str | None = None
    comments: str | None = None


class OrderLine(_Request):
    """A line of an offline order: a catalog product (`product_id`) or a custom one (`name` + prices)."""

    product_id: int | None = None
    variant_id: int | None = None
    name: str | None = None
    sku: str | None = None
    quantity: int = Field(ge=1)
    price_inc_tax: Decimal | None = None
    price_ex_tax: Decimal | None = None


class NewAddress(_Request):
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    street_1: str | None = None
    street_2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str
    country: str | None = None
    country_iso2: str | None = None
    phone: str | None = None
    email: str | None = None


class OfflineOrder(_Request):
    """`POST /v2/orders` body; `external_order_id` is what makes a retry safe (looked up first)."""

    external_order_id: str = Field(min_length=1)
    external_source: str | None = None
    customer_id: int = 0  # 0 = guest
    billing_address: NewAddress
    products: list[OrderLine] = Field(min_length=1)
    shipping_addresses: list[NewAddress] | None = None
    status_id: int | None = Field(default=None, ge=0, le=14)
    channel_id: int | None = None
    staff_notes: str | None = None
    customer_message: str | None = None
    payment_method: str | None = None


class OrderProductUpdate(_Request):
    """An order line changed by `PUT /v2/orders/{id}` (`products[]` with `id`): only the fields
    given change; quantity 0 removes the line. BigCommerce clears the line's discounts."""

    id: int
    quantity: int | None = Field(default=None, ge=0)
    price_inc_tax: Decimal | None = Field(default=None, ge=0)
    price_ex_tax: Decimal | None = Field(default=None, ge=0)


class ProductOptionValue(_Request):
    """A variant option or modifier of a product added to an order (`product_options[]`)."""

    id: int
    value: str


class OrderProductAddition(_Request):
    """A catalog product added to an existing order (`products[]` without `id`): a product with
    variants needs `variant_id` or its `product_options`; prices default to the catalog's."""

    product_id: int
    quantity: int = Field(ge=1)
    variant_id: int | None = None
    product_options: list[ProductOptionValue] | None = None
    price_inc_tax: Decimal | None = Field(default=None, ge=0)
    price_ex_tax: Decimal | None = Field(default=None, ge=0)


class OrderCreation(_Response):
    order: Order
    created: bool  # False: an order with this external_order_id already existed


# -- refunds (v3 payment actions) -------------------------------------------------------------------

RefundItemType = Literal["PRODUCT", "GIFT_WRAPPING", "SHIPPING", "HANDLING", "ORDER", "FEE"]


class RefundItemRequest(_Request):
    """PRODUCT/GIFT_WRAPPING by `quantity` (item_id = order product id); SHIPPING/HANDLING by
    `amount` (item_id = order address id); ORDER by `amount` (item_id = order id)."""

    item_type: RefundItemType
    item_id: int
    quantity: int | None = Field(default=None, ge=1)
    amount: Decimal | None = Field(default=None, ge=0)
    reason: str | None = None


class PaymentOption(_Response):
    provider_id: str
    provider_description: str = ""
    amount: Decimal
    offline: bool = False
    offline_provider: bool = False
    offline_reason: str = ""


class RefundQuote(_Response):
    order_id: int
    total_refund_amount: Decimal
    total_refund_tax_amount: Decimal = Decimal(0)
    rounding: Decimal = Decimal(0)
    tax_inclusive: bool = True
    refund_methods: list[list[PaymentOption]] = []


class RefundPaymentRequest(_Request):
    provider_id: str
    amount: Decimal
    offline: bool


class RefundItem(_Response):
    item_type: str
    item_id: int
    quantity: int | None = None
    reason: str | None = None
    requested_amount: Decimal | None = None


class RefundPayment(_Response):
    id: int | None = None
    provider_id: str
    amount: Decimal
    offline: bool = False
    is_declined: bool = False
    declined_message: str = ""


class Refund(_Response):
    id: int
    order_id: int
    created: datetime | None = None
    reason: str | None = None
    total_amount: Decimal
    total_tax: Decimal = Decimal(0)
    items: list[RefundItem] = []
    payments: list[RefundPayment] = []


class RefundOutcome(_Response):
    refund: Refund
    created: bool  # False: a refund carrying this key already existed (a retried call)


# -- metafields (v3) --------------------------------------------------------------------------------


class Metafield(_Response):
    id: int
    namespace: str
    key: str
    value: str
    permission_set: str = ""
    description: str = ""
    resource_type: str = ""
    resource_id: int | None = None
    date_created: datetime | None = None
    date_modified: datetime | None = None


# -- customers (v3) and customer groups (v2) --------------------------------------------------------


class Customer(_Response):
    id: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    notes: str = ""
    customer_group_id: int = 0
    # The one marketing-email flag of customers.v3: product review and abandoned cart emails.
    accepts_product_review_abandoned_cart_emails: bool = False
    date_created: datetime | None = None
    date_modified: datetime | None = None


class CustomerUpdate(_Request):
    """`PUT /v3/customers` item: only the fields given change."""

    id: int
    customer_group_id: int | None = None
    notes: str | None = None
    company: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    accepts_product_review_abandoned_cart_emails: bool | None = None


class CustomerGroup(_Response):
    id: int
    name: str
    is_default: bool = False
    is_group_for_guests: bool = False
    category_access: dict[str, Any] | None = None
    discount_rules: list[dict[str, Any]] = []
    date_created: datetime | None = None
    date_modified: datetime | None = None

    _dates = field_validator("date_created", "date_modified", mode="before")(_parse_datetime)


class NewCustomerGroup(_Request):
    name: str = Field(min_length=1)
    is_default: bool | None = None
    category_access: dict[str, Any] | None = None
    # `[{"type": "price_list", "price_list_id": 3}]` or category/product/all rules, as the spec says.
    discount_rules: list[dict[str, Any]] | None = None


class CustomerGroupUpdate(_Request):
    name: str | None = None
    category_access: dict[str, Any] | None = None
    discount_rules: list[dict[str, Any]] | None = None


# -- catalog (v3) -----------------------------------------------------------------------------------

Availability = Literal["available", "disabled", "preorder"]


class Product(_Response):
    id: int
    name: str
    sku: str = ""
    type: str = ""
    description: str = ""
    price: Decimal = Decimal(0)
    sale_price: Decimal = Decimal(0)
    calculated_price: Decimal | None = None  # the storefront price: the sale price when set
    is_visible: bool = True
    is_featured: bool = False
    availability: str = "available"
    availability_description: str = ""
    inventory_level: int = 0
    categories: list[int] = []  # category ids; names would need the category tree (not read)
    brand_id: int = 0  # 0: no brand; its name is `get_brand`
    base_variant_id: int | None = None
    date_modified: datetime | None = None


class Brand(_Response):
    """`GET /v3/catalog/brands/{id}`: a catalog brand (the manufacturer a product names)."""

    id: int
    name: str


class ProductUpdate(_Request):
    """`PUT /v3/catalog/products/{id}`: visibility, availability and content fields."""

    name: str | None = Field(default=None, min_length=1, max_length=250)
    description: str | None = None
    is_visible: bool | None = None
    is_featured: bool | None = None
    availability: Availability | None = None
    availability_description: str | None = Field(default=None, max_length=255)
    price: Decimal | None = Field(default=None, ge=0)
    sale_price: Decimal | None = Field(default=None, ge=0)
    search_keywords: str | None = None
    page_title: str | None = Field(default=None, max_length=255)
    meta_description: str | None = None


# -- price lists (v3) -------------------------------------------------------------------------------


class PriceList(_Response):
    id: int
    name: str
    active: bool = True
    date_created: datetime | None = None
    date_modified: datetime | None = None


class PriceRecord(_Response):
    price_list_id: int
    variant_id: int
    product_id: int | None = None
    sku: str | None = None
    currency: str
    price: Decimal | None = None
    sale_price: Decimal | None = None
    retail_price: Decimal | None = None
    map_price: Decimal | None = None
    calculated_price: Decimal | None = None


class PriceRecordUpsert(_Request):
    """One record of a batch upsert: identify the variant by `variant_id` or `sku`."""

    variant_id: int | None = None
    sku: str | None = None
    currency: str = Field(min_length=3, max_length=3)
    price: Decimal | None = None
    sale_price: Decimal | None = None
    retail_price: Decimal | None = None
    map_price: Decimal | None = None


class PriceListAssignment(_Response):
    id: int | None = None
    price_list_id: int
    customer_group_id: int | None = None
    channel_id: int | None = None


class NewPriceListAssignment(_Request):
    price_list_id: int
    customer_group_id: int | None = None
    channel_id: int | None = None


# -- webhooks (v3) ----------------------------------------------------------------------------------


class Hook(_Response):
    id: int
    scope: str
    destination: str
    is_active: bool = True
    headers: dict[str, str] | None = None
    client_id: str = ""
    store_hash: str = ""
    created_at: int | None = None
    updated_at: int | None = None


# -- B2B Edition ------------------------------------------------------------------------------------


class CompanyStatus(IntEnum):
    PENDING = 0
    APPROVED = 1
    REJECTED = 2
    INACTIVE = 3


class Company(_Response):
    company_id: int = Field(validation_alias=AliasChoices("companyId", "company_id"))
    company_name: str = Field(default="", validation_alias=AliasChoices("companyName", "company_name"))
    company_email: str = Field(default="", validation_alias=AliasChoices("companyEmail", "company_email"))
    company_phone: str = Field(default="", validation_alias=AliasChoices("companyPhone", "company_phone"))
    # Read back as a string ("1"); written as an integer.
    company_status: CompanyStatus = Field(validation_alias=AliasChoices("companyStatus", "company_status"))
    bc_group_id: int | None = Field(default=None, validation_alias=AliasChoices("bcGroupId", "bc_group_id"))
    bc_group_name: str = Field(default="", validation_alias=AliasChoices("bcGroupName", "bc_group_name"))
    updated_at: datetime | None = Field(default=None, validation_alias=AliasChoices("updatedAt", "updated_at"))
    created_at: datetime | None = Field(default=None, validation_alias=AliasChoices("createdAt", "created_at"))

    @field_validator("bc_group_id", mode="before")
    @classmethod
    def _group_id(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("updated_at", "created_at", mode="before")
    @classmethod
    def _unix(cls, value: object) -> object:
        if isinstance(value, str) and value.isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        return _parse_datetime(value)


class CompanyOrder(_Response):
    """An order as B2B Edition lists it (`orderData_ALL`): the company it was bought for and the
    BigCommerce order it is (`bcOrderId`, the id the REST orders API knows)."""

    id: int  # B2B Edition's own id, not usable with the REST orders API
    bc_order_id: int = Field(validation_alias=AliasChoices("bcOrderId", "bc_order_id"))
    company_id: int = Field(default=0, validation_alias=AliasChoices("companyId", "company_id"))
    total_inc_tax: Decimal = Field(validation_alias=AliasChoices("totalIncTax", "total_inc_tax"))
    currency_code: str = Field(default="", validation_alias=AliasChoices("currencyCode", "currency_code"))
    created_at: datetime = Field(validation_alias=AliasChoices("createdAt", "created_at"))

    @field_validator("created_at", mode="before")
    @classmethod
    def _unix(cls, value: object) -> object:
        if isinstance(value, int | str) and str(value).isdigit():
            return datetime.fromtimestamp(int(value), UTC)
        return value


class CompanyUserRole(IntEnum):
    ADMIN = 0
    SENIOR_BUYER = 1
    JUNIOR_BUYER = 2


class CompanyUser(_Response):
    """A B2B Edition company user (`userResponse`): a storefront customer buying for a company."""

    id: int  # B2B Edition's user id
    customer_id: int = Field(validation_alias=AliasChoices("customerId", "customer_id"))
    company_id: int = Field(validation_alias=AliasChoices("companyId", "company_id"))
    first_name: str = Field(default="", validation_alias=AliasChoices("firstName", "first_name"))
    last_name: str = Field(default="", validation_alias=AliasChoices("lastName", "last_name"))
    email: str = ""
    # Custom roles count as junior buyers here (`companyRoleId` tells them apart).
    role: int = CompanyUserRole.JUNIOR_BUYER

    @property
    def full_name(self) -> str:
        return " ".join(n for n in (self.first_name, self.last_name) if n)


class CompanyCredit(_Response):
    credit_enabled: bool = Field(validation_alias=AliasChoices("creditEnabled", "credit_enabled"))
    credit_currency: str = Field(default="", validation_alias=AliasChoices("creditCurrency", "credit_currency"))
    available_credit: Decimal = Field(
        default=Decimal(0), validation_alias=AliasChoices("availableCredit", "available_credit")
    )
    limit_purchases: bool = Field(default=False, validation_alias=AliasChoices("limitPurchases", "limit_purchases"))
    credit_hold: bool = Field(default=False, validation_alias=AliasChoices("creditHold", "credit_hold"))


class CompanyCreditUpdate(_Request):
    credit_enabled: bool | None = Field(default=None, serialization_alias="creditEnabled")
    credit_currency: str | None = Field(default=None, serialization_alias="creditCurrency")
    available_credit: Decimal | None = Field(default=None, serialization_alias="availableCredit")
    limit_purchases: bool | None = Field(default=None, serialization_alias="limitPurchases")
    credit_hold: bool | None = Field(default=None, serialization_alias="creditHold")


class QuoteSummary(_Response):
    """A row of `GET /rfq`. Quote status: 0 New, 2 In Process, 3 Updated by customer, 4 Ordered,
    5 Expired, 6 Archived, 7 Draft."""

    quote_id: int = Field(validation_alias=AliasChoices("quoteId", "quote_id"))
    quote_number: str = Field(default="", validation_alias=AliasChoices("quoteNumber", "quote_number"))
    quote_title: str = Field(default="", validation_alias=AliasChoices("quoteTitle", "quote_title"))
    status: int
    company: str = ""
    sales_rep: str = Field(default="", validation_alias=AliasChoices("salesRep", "sales_rep"))
    bc_order_id: str = Field(default="", validation_alias=AliasChoices("bcOrderId", "bc_order_id"))
    subtotal: Decimal = Decimal(0)
    created_at: int = Field(default=0, validation_alias=AliasChoices("createdAt", "created_at"))
    updated_at: int = Field(default=0, validation_alias=AliasChoices("updatedAt", "updated_at"))
    expired_at: int = Field(default=0, validation_alias=AliasChoices("expiredAt", "expired_at"))


class QuoteLine(_Response):
    product_id: int = Field(validation_alias=AliasChoices("productId", "product_id"))
    product_name: str = Field(default="", validation_alias=AliasChoices("productName", "product_name"))
    sku: str = ""
    base_price: Decimal = Field(default=Decimal(0), validation_alias=AliasChoices("basePrice", "base_price"))
    offered_price: Decimal = Field(default=Decimal(0), validation_alias=AliasChoices("offeredPrice", "offered_price"))
    quantity: int = 0


class Quote(_Response):
    """`GET /rfq/{quote_id}` (the fields Casebridge uses)."""

    quote_number: str = Field(default="", validation_alias=AliasChoices("quoteNumber", "quote_number"))
    quote_title: str = Field(default="", validation_alias=AliasChoices("quoteTitle", "quote_title"))
    status: int
    bc_order_id: str = Field(default="", validation_alias=AliasChoices("bcOrderId", "bc_order_id"))
    created_at: int = Field(default=0, validation_alias=AliasChoices("createdAt", "created_at"))
    expired_at: int = Field(default=0, validation_alias=AliasChoices("expiredAt", "expired_at"))
    subtotal: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    grand_total: Decimal = Field(default=Decimal(0), validation_alias=AliasChoices("grandTotal", "grand_total"))
    notes: str = ""
    product_list: list[QuoteLine] = Field(default=[], validation_alias=AliasChoices("productList", "product_list"))
