"""Domain state of one simulated Commerce instance, in memory. Money is `Decimal` throughout."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.adobe_commerce.shipments import ShipmentState

from sandbox.adobe_commerce.attributes import (
    CASEBRIDGE_CUSTOMER_ATTRIBUTES,
    CASEBRIDGE_PRODUCT_ATTRIBUTES,
    DEFAULT_CUSTOMER_ATTRIBUTES,
    DEFAULT_PRODUCT_ATTRIBUTES,
)

ZERO = Decimal(0)


def now_text() -> str:
    """Magento's timestamp format (UTC, no zone)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


# -- sales ------------------------------------------------------------------------------------------


@dataclass
class OrderItemState:
    item_id: int
    sku: str
    name: str
    price: Decimal
    qty_ordered: Decimal
    product_type: str = "simple"
    qty_invoiced: Decimal = ZERO
    qty_refunded: Decimal = ZERO
    qty_canceled: Decimal = ZERO
    qty_shipped: Decimal = ZERO
    discount_amount: Decimal = ZERO  # positive, per row, from cart price rules (as Magento stores it)
    discount_percent: Decimal = ZERO
    # Ordered beyond the salable stock of a product that allows backorders (set at checkout).
    qty_backordered: Decimal = ZERO

    @property
    def row_total(self) -> Decimal:
        return self.price * self.qty_ordered

    @property
    def qty_to_invoice(self) -> Decimal:
        return self.qty_ordered - self.qty_invoiced - self.qty_canceled

    @property
    def qty_to_refund(self) -> Decimal:
        return self.qty_invoiced - self.qty_refunded


@dataclass
class OrderAddressState:
    address_type: str  # billing | shipping
    firstname: str
    lastname: str
    street: list[str]
    city: str
    postcode: str
    country_id: str
    telephone: str
    email: str | None = None
    region: str | None = None


@dataclass
class StatusHistoryState:
    entity_id: int
    parent_id: int
    comment: str
    status: str | None
    is_customer_notified: int
    is_visible_on_front: int
    created_at: str = field(default_factory=now_text)


@dataclass
class OrderState:
    entity_id: int
    increment_id: str
    state: str
    status: str
    customer_email: str
    customer_firstname: str
    customer_lastname: str
    customer_id: int | None
    customer_group_id: int
    store_id: int
    currency: str
    items: list[OrderItemState]
    shipping_amount: Decimal = ZERO
    ext_order_id: str | None = None
    billing_address: OrderAddressState | None = None
    shipping_address: OrderAddressState | None = None  # None for virtual orders
    payment_method: str = "checkmo"
    company_id: int | None = None  # B2B: the buyer's company (company_order_attributes)
    company_name: str | None = None
    hold_before_state: str | None = None
    hold_before_status: str | None = None
    total_paid: Decimal = ZERO
    total_invoiced: Decimal = ZERO
    total_refunded: Decimal = ZERO
    total_canceled: Decimal = ZERO
    shipping_invoiced: Decimal = ZERO
    shipping_refunded: Decimal = ZERO
    histories: list[StatusHistoryState] = field(default_factory=list)
    # Placed from a cart over REST (`PUT /V1/carts/{cartId}/order`): the quote and its coupon.
    quote_id: int | None = None
    coupon_code: str | None = None
    applied_rule_ids: str = ""
    shipping_discount_amount: Decimal = ZERO
    shipping_method: str = "flatrate_flatrate"
    created_at: str = field(default_factory=now_text)
    updated_at: str = field(default_factory=now_text)

    @property
    def subtotal(self) -> Decimal:
        return sum((i.row_total for i in self.items), ZERO)

    @property
    def discount_amount(self) -> Decimal:
        """Items' and shipping's discount together, positive (Magento renders it negative)."""
        return sum((i.discount_amount for i in self.items), ZERO) + self.shipping_discount_amount

    @property
    def grand_total(self) -> Decimal:
        return self.subtotal + self.shipping_amount - self.discount_amount

    def item(self, item_id: int) -> OrderItemState | None:
        return next((i for i in self.items if i.item_id == item_id), None)


@dataclass
class DocumentItem:
    """A line of an invoice or credit memo."""

    entity_id: int
    order_item_id: int
    sku: str
    name: str
    price: Decimal
    qty: Decimal

    @property
    def row_total(self) -> Decimal:
        return self.price * self.qty


@dataclass
class InvoiceState:
    entity_id: int
    increment_id: str
    order_id: int
    items: list[DocumentItem]
    shipping_amount: Decimal
    state: int  # 1 open, 2 paid, 3 canceled
    refunded: Decimal = ZERO
    created_at: str = field(default_factory=now_text)

    @property
    def subtotal(self) -> Decimal:
        return sum((i.row_total for i in self.items), ZERO)

    @property
    def grand_total(self) -> Decimal:
        return self.subtotal + self.shipping_amount


@dataclass
class CreditMemoState:
    entity_id: int
    increment_id: str
    order_id: int
    invoice_id: int | None
    items: list[DocumentItem]
    shipping_amount: Decimal
    adjustment_positive: Decimal
    adjustment_negative: Decimal
    comments: list[dict[str, Any]] = field(default_factory=list)
    state: int = 2  # refunded
    created_at: str = field(default_factory=now_text)

    @property
    def subtotal(self) -> Decimal:
        return sum((i.row_total for i in self.items), ZERO)

    @property
    def grand_total(self) -> Decimal:
        return self.subtotal + self.shipping_amount + self.adjustment_positive - self.adjustment_negative


# -- returns ----------------------------------------------------------------------------------------


@dataclass
class RmaItemState:
    entity_id: int
    order_item_id: int
    qty_requested: int
    reason: str
    condition: str
    resolution: str
    status: str = "pending"
    qty_authorized: int | None = None
    qty_returned: int | None = None
    qty_approved: int | None = None


@dataclass
class RmaState:
    entity_id: int
    increment_id: str
    order_id: int
    order_increment_id: str
    store_id: int
    customer_id: int
    customer_custom_email: str | None
    items: list[RmaItemState]
    status: str = "pending"
    comments: list[dict[str, Any]] = field(default_factory=list)
    tracks: list[dict[str, Any]] = field(default_factory=list)
    date_requested: str = field(default_factory=now_text)


# -- B2B --------------------------------------------------------------------------------------------


@dataclass
class CompanyState:
    id: int
    status: int
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
    legal_name: str | None = None
    region_id: str | None = None
    region: str | None = None
    vat_tax_id: str | None = None
    reseller_id: str | None = None
    comment: str | None = None
    reject_reason: str | None = None
    rejected_at: str | None = None


@dataclass
class CreditHistoryState:
    id: int
    company_credit_id: int
    type: int
    amount: Decimal
    balance: Decimal
    credit_limit: Decimal
    available_limit: Decimal
    currency_credit: str
    currency_operation: str
    comment: str
    datetime: str = field(default_factory=now_text)


@dataclass
class CreditState:
    id: int
    company_id: int
    currency_code: str
    credit_limit: Decimal = ZERO
    balance: Decimal = ZERO
    exceed_limit: bool = False
    history: list[CreditHistoryState] = field(default_factory=list)

    @property
    def available_limit(self) -> Decimal:
        return self.credit_limit + self.balance


@dataclass
class QuoteCommentState:
    entity_id: int
    parent_id: int
    creator_type: int  # 1 seller (admin), 2 buyer, per the B2B module's constants
    creator_id: int
    comment: str
    is_decline: int = 0
    is_draft: int = 0
    created_at: str = field(default_factory=now_text)


@dataclass
class NegotiableState:
    quote_name: str
    status: str
    creator_id: int
    negotiated_price_type: int | None = None
    negotiated_price_value: Decimal | None = None
    expiration_period: str = ""
    shipping_price: Decimal = ZERO
    comments: list[QuoteCommentState] = field(default_factory=list)


@dataclass
class CartItemState:
    item_id: int
    sku: str
    name: str
    price: Decimal
    qty: Decimal


@dataclass
class QuoteAddressState:
    """A cart's billing or shipping address (`quote-data-address-interface`)."""

    address_type: str  # billing | shipping
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


@dataclass
class CartState:
    id: int
    customer_id: int  # 0: a guest cart (`POST /V1/carts/`)
    customer_email: str
    customer_firstname: str
    customer_lastname: str
    store_id: int
    company_id: int | None
    items: list[CartItemState]
    negotiable: NegotiableState | None = None
    # Checkout of a regular cart: inactive once ordered (Magento's `is_active`).
    is_active: bool = True
    coupon_code: str | None = None
    billing_address: QuoteAddressState | None = None
    shipping_address: QuoteAddressState | None = None
    shipping_method: str | None = None  # `{carrier_code}_{method_code}`
    reserved_order_id: int | None = None
    created_at: str = field(default_factory=now_text)
    updated_at: str = field(default_factory=now_text)

    @property
    def original_total(self) -> Decimal:
        return sum((i.price * i.qty for i in self.items), ZERO)


@dataclass
class CartPriceRuleState:
    """A cart price rule with a specific coupon (`by_percent` of the items, optionally of shipping)."""

    rule_id: int
    name: str
    coupon_code: str
    discount_percent: Decimal
    apply_to_shipping: bool
    is_active: bool = True


# -- catalog ----------------------------------------------------------------------------------------


@dataclass
class ProductState:
    id: int
    sku: str
    name: str
    price: Decimal
    status: int = 1
    visibility: int = 4
    type_id: str = "simple"
    attribute_set_id: int = 4
    weight: Decimal | None = None
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    category_ids: list[int] = field(default_factory=list)  # `extension_attributes.category_links`
    created_at: str = field(default_factory=now_text)
    updated_at: str = field(default_factory=now_text)


@dataclass
class CustomerState:
    id: int
    email: str
    firstname: str
    lastname: str
    website_id: int = 1
    store_id: int = 1
    group_id: int = 1
    middlename: str | None = None
    dob: str | None = None
    is_subscribed: bool = False  # newsletter subscription (`extension_attributes.is_subscribed`)
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=now_text)
    updated_at: str = field(default_factory=now_text)


@dataclass
class CategoryState:
    id: int
    name: str
    parent_id: int
    level: int
    path: str  # ids from the root, e.g. "1/2/7"
    is_active: bool = True
    position: int = 0
    include_in_menu: bool = True
    created_at: str = field(default_factory=now_text)
    updated_at: str = field(default_factory=now_text)


@dataclass
class SpecialPriceState:
    sku: str
    store_id: int
    price: Decimal
    price_from: str
    price_to: str


@dataclass
class TierPriceState:
    sku: str
    website_id: int
    customer_group: str
    quantity: Decimal
    price_type: str
    price: Decimal


# -- the store --------------------------------------------------------------------------------------


class StoreState:
    def __init__(self, generation: int = 0) -> None:
        self._offset = generation * 100_000
        self._counters: dict[str, int] = defaultdict(int)
        self.orders: dict[int, OrderState] = {}
        self.invoices: dict[int, InvoiceState] = {}
        self.credit_memos: dict[int, CreditMemoState] = {}
        self.shipments: dict[int, ShipmentState] = {}
        self.rmas: dict[int, RmaState] = {}
        self.companies: dict[int, CompanyState] = {}
        self.credits: dict[int, CreditState] = {}
        self.carts: dict[int, CartState] = {}
        self.cart_price_rules: dict[int, CartPriceRuleState] = {}
        self.products: dict[str, ProductState] = {}
        # Magento's installed tree: the invisible root (1) and the store's root, "Default Category" (2).
        self.categories: dict[int, CategoryState] = {
            1: CategoryState(1, "Root Catalog", parent_id=0, level=0, path="1"),
            2: CategoryState(2, "Default Category", parent_id=1, level=1, path="1/2"),
        }
        # Magento's installed customer groups (id -> code); admins add their own (e.g. "VIP").
        self.customer_groups: dict[int, str] = {0: "NOT LOGGED IN", 1: "General", 2: "Wholesale", 3: "Retailer"}
        self.customers: dict[int, CustomerState] = {}
        # Custom attribute codes that exist (see `attributes`); seeding can add more.
        self.customer_attribute_codes: set[str] = set(DEFAULT_CUSTOMER_ATTRIBUTES | CASEBRIDGE_CUSTOMER_ATTRIBUTES)
        self.product_attribute_codes: set[str] = set(DEFAULT_PRODUCT_ATTRIBUTES | CASEBRIDGE_PRODUCT_ATTRIBUTES)
        # The options of select attributes (`manufacturer`, `color`): code -> option id -> admin label.
        self.product_attribute_options: dict[str, dict[str, str]] = {}
        self.base_prices: dict[tuple[str, int], Decimal] = {}
        self.special_prices: list[SpecialPriceState] = []
        self.tier_prices: list[TierPriceState] = []

    def next_id(self, kind: str) -> int:
        self._counters[kind] += 1
        return self._offset + self._counters[kind]

    @staticmethod
    def increment(entity_id: int) -> str:
        return f"{entity_id:09d}"

    def credit_of_company(self, company_id: int) -> CreditState | None:
        return next((c for c in self.credits.values() if c.company_id == company_id), None)
