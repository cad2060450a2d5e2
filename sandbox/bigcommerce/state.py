"""The in-memory domain state of one simulated store (orders, catalog, customers, B2B Edition...).

Plain dataclasses: the API modules render them to each API's JSON, the domain modules change them.
Money is `Decimal` throughout and only becomes a string (v2) or number (v3) when rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.state_records import StoreRecords

ZERO = Decimal(0)

# orders.v2 `/order_statuses` table: id → name.
ORDER_STATUSES: dict[int, str] = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class AddressState:
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

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> AddressState:
        raw = raw or {}
        return cls(**{k: str(raw.get(k) or "") for k in cls.__dataclass_fields__})


@dataclass
class OrderProductState:
    id: int
    order_id: int
    product_id: int
    variant_id: int | None
    order_address_id: int
    name: str
    sku: str
    quantity: int
    price_ex_tax: Decimal
    price_inc_tax: Decimal
    quantity_shipped: int = 0
    quantity_refunded: int = 0
    refund_amount: Decimal = ZERO

    @property
    def total_inc_tax(self) -> Decimal:
        return self.price_inc_tax * self.quantity

    @property
    def total_ex_tax(self) -> Decimal:
        return self.price_ex_tax * self.quantity


@dataclass
class ShippingAddressState:
    id: int
    order_id: int
    address: AddressState
    shipping_method: str = "Flat Rate"
    cost_ex_tax: Decimal = ZERO
    cost_inc_tax: Decimal = ZERO
    refunded: Decimal = ZERO  # shipping refunded so far (SHIPPING refund items)


@dataclass
class ShipmentState:
    id: int
    order_id: int
    customer_id: int
    order_address_id: int
    date_created: datetime
    tracking_number: str
    shipping_provider: str
    tracking_carrier: str
    comments: str
    items: list[tuple[int, int, int]]  # (order_product_id, product_id, quantity)


@dataclass
class RefundItemState:
    item_type: str
    item_id: int
    quantity: int | None
    amount: Decimal
    reason: str | None


@dataclass
class RefundPaymentState:
    id: int
    provider_id: str
    amount: Decimal
    offline: bool


@dataclass
class RefundState:
    id: int
    order_id: int
    created: datetime
    reason: str | None
    total_amount: Decimal
    items: list[RefundItemState]
    payments: list[RefundPaymentState]


@dataclass
class QuoteRecord:
    """The last refund quote of an order: a refund must match it (items and amount)."""

    items_key: tuple[tuple[str, int, int, str], ...]
    total: Decimal
    providers: dict[str, bool]  # provider_id → offline


@dataclass
class MetafieldState:
    id: int
    resource_id: int
    namespace: str
    key: str
    value: str
    permission_set: str
    description: str
    date_created: datetime
    date_modified: datetime


@dataclass
class OrderState:
    id: int
    customer_id: int
    status_id: int
    billing: AddressState
    date_created: datetime
    date_modified: datetime
    channel_id: int = 1
    currency_code: str = "USD"
    products: list[OrderProductState] = field(default_factory=list)
    addresses: list[ShippingAddressState] = field(default_factory=list)
    shipments: list[ShipmentState] = field(default_factory=list)
    refunds: list[RefundState] = field(default_factory=list)
    metafields: list[MetafieldState] = field(default_factory=list)
    last_quote: QuoteRecord | None = None
    date_shipped: datetime | None = None
    staff_notes: str = ""
    customer_message: str = ""
    external_source: str = ""
    external_order_id: str = ""
    order_source: str = "external"
    payment_method: str = "Manual"
    # The provider that took the payment (`None`: an offline method such as "Manual" or "Cash").
    payment_provider_id: str | None = None
    payment_status: str = ""
    is_deleted: bool = False
    ip_address: str = ""
    # What the payment took: frozen at the order's first product edit (`PUT` with `products`), so a
    # lowered total leaves the difference refundable, as BigCommerce offers after an order edit.
    # None: never edited, the payment is the order total.
    paid_total: Decimal | None = None

    @property
    def status(self) -> str:
        return ORDER_STATUSES[self.status_id]

    @property
    def subtotal_ex_tax(self) -> Decimal:
        return sum((p.total_ex_tax for p in self.products), ZERO)

    @property
    def subtotal_inc_tax(self) -> Decimal:
        return sum((p.total_inc_tax for p in self.products), ZERO)

    @property
    def shipping_ex_tax(self) -> Decimal:
        return sum((a.cost_ex_tax for a in self.addresses), ZERO)

    @property
    def shipping_inc_tax(self) -> Decimal:
        return sum((a.cost_inc_tax for a in self.addresses), ZERO)

    @property
    def total_ex_tax(self) -> Decimal:
        return self.subtotal_ex_tax + self.shipping_ex_tax

    @property
    def total_inc_tax(self) -> Decimal:
        return self.subtotal_inc_tax + self.shipping_inc_tax

    @property
    def refunded_amount(self) -> Decimal:
        return sum((r.total_amount for r in self.refunds), ZERO)

    @property
    def refundable(self) -> Decimal:
        paid = self.total_inc_tax if self.paid_total is None else self.paid_total
        return max(paid - self.refunded_amount, ZERO)

    @property
    def items_total(self) -> int:
        return sum(p.quantity for p in self.products)

    @property
    def items_shipped(self) -> int:
        return sum(p.quantity_shipped for p in self.products)

    def product(self, order_product_id: int) -> OrderProductState | None:
        return next((p for p in self.products if p.id == order_product_id), None)

    def address(self, address_id: int) -> ShippingAddressState | None:
        return next((a for a in self.addresses if a.id == address_id), None)


@dataclass
class ProductState:
    id: int
    name: str
    sku: str
    price: Decimal
    base_variant_id: int
    type: str = "physical"
    sale_price: Decimal = ZERO
    description: str = ""
    is_visible: bool = True
    is_featured: bool = False
    availability: str = "available"
    availability_description: str = ""
    inventory_level: int = 0
    categories: list[int] = field(default_factory=list)  # category ids (the catalog's `categories`)
    brand_id: int = 0  # 0: no brand
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)
    # Any other writable field sent with PUT, kept and echoed back as given.
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BrandState:
    id: int
    name: str
    page_title: str = ""
    meta_description: str = ""
    search_keywords: str = ""
    meta_keywords: list[str] = field(default_factory=list)


@dataclass
class CustomerState:
    id: int
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    notes: str = ""
    customer_group_id: int = 0
    accepts_product_review_abandoned_cart_emails: bool = False
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)


@dataclass
class CartLineState:
    sku: str
    name: str
    quantity: int
    list_price: Decimal
    product_id: int = 0
    variant_id: int = 0


@dataclass
class CartState:
    """A storefront cart (`sandbox.bigcommerce.carts`); deleted when it becomes an order."""

    id: str  # a UUID, as BigCommerce's cart ids are
    token: str  # the abandoned-cart token `store/cart/abandoned` carries
    customer_id: int  # 0: a guest
    email: str
    currency: str
    lines: list[CartLineState]
    created_time: datetime = field(default_factory=now)
    updated_time: datetime = field(default_factory=now)


@dataclass
class CustomerGroupState:
    id: int
    name: str
    is_default: bool = False
    is_group_for_guests: bool = False
    category_access: dict[str, Any] = field(default_factory=lambda: {"type": "all"})
    discount_rules: list[dict[str, Any]] = field(default_factory=list)
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)


@dataclass
class PriceListState:
    id: int
    name: str
    active: bool = True
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)


@dataclass
class PriceRecordState:
    price_list_id: int
    variant_id: int
    product_id: int
    sku: str
    currency: str
    price: Decimal | None
    sale_price: Decimal | None = None
    retail_price: Decimal | None = None
    map_price: Decimal | None = None
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)


@dataclass
class AssignmentState:
    id: int
    price_list_id: int
    customer_group_id: int | None
    channel_id: int | None


@dataclass
class HookState:
    id: int
    scope: str
    destination: str
    is_active: bool
    headers: dict[str, str]
    created_at: int
    updated_at: int


@dataclass
class CreditState:
    enabled: bool = False
    currency: str = "USD"
    available: Decimal = ZERO
    limit_purchases: bool = False
    hold: bool = False


@dataclass
class CompanyState:
    id: int
    name: str
    email: str
    phone: str = ""
    status: int = 0  # 0 Pending, 1 Approved, 2 Rejected, 3 Inactive
    bc_group_id: int | None = None
    bc_group_name: str = ""
    created_at: int = 0
    updated_at: int = 0
    credit: CreditState = field(default_factory=CreditState)


@dataclass
class CompanyUserState:
    """A B2B Edition company user: a storefront customer buying for a company, in a role."""

    id: int
    company_id: int
    customer_id: int
    role: int = 1  # 0 admin, 1 senior buyer, 2 junior buyer
    created_at: int = 0


@dataclass
class RfqState:
    id: int
    quote_number: str
    title: str
    status: int  # 0 New, 2 In Process, 3 Updated by customer, 4 Ordered, 5 Expired, 6 Archived, 7 Draft
    company_id: int | None
    company_name: str
    sales_rep: str
    created_at: int
    updated_at: int
    expired_at: int
    subtotal: Decimal
    grand_total: Decimal
    discount: Decimal = ZERO
    notes: str = ""
    currency_code: str = "USD"
    lines: list[dict[str, Any]] = field(default_factory=list)
    bc_order_id: str = ""


class StoreState:
    """Everything one store holds; ids come from per-kind counters (never reused)."""

    def __init__(self, config: BigCommerceStoreConfig) -> None:
        self.config = config
        self.orders: dict[int, OrderState] = {}
        self.products: dict[int, ProductState] = {}
        self.brands: dict[int, BrandState] = {}
        self.customers: dict[int, CustomerState] = {}
        self.customer_groups: dict[int, CustomerGroupState] = {}
        self.price_lists: dict[int, PriceListState] = {}
        self.price_records: dict[tuple[int, int, str], PriceRecordState] = {}
        self.assignments: dict[int, AssignmentState] = {}
        self.hooks: dict[int, HookState] = {}
        self.companies: dict[int, CompanyState] = {}
        self.rfqs: dict[int, RfqState] = {}
        self.company_users: dict[int, CompanyUserState] = {}  # B2B Edition user id -> user
        self.records = StoreRecords()  # customer attributes, consent, product custom fields
        self.carts: dict[str, CartState] = {}
        self.abandoned_cart_tokens: dict[str, str] = {}  # token -> cart id, kept after conversion
        self._counters: dict[str, int] = {}

    def next_id(self, kind: str, start: int = 1) -> int:
        # Run N's ids start past those of earlier runs: Temporal outlives the sandbox's memory.
        base = start + self.config.generation * 100_000
        value = self._counters.get(kind, base - 1) + 1
        self._counters[kind] = value
        return value

    def company_of_customer(self, customer_id: int) -> int:
        """The company the customer is a user of; 0 for none (a B2C customer or a guest)."""
        user = next((u for u in self.company_users.values() if customer_id and u.customer_id == customer_id), None)
        return user.company_id if user is not None else 0

    def refund(self, refund_id: int) -> RefundState | None:
        for order in self.orders.values():
            for refund in order.refunds:
                if refund.id == refund_id:
                    return refund
        return None

    def variant(self, variant_id: int) -> ProductState | None:
        return next((p for p in self.products.values() if p.base_variant_id == variant_id), None)

    def variant_by_sku(self, sku: str) -> ProductState | None:
        return next((p for p in self.products.values() if p.sku == sku), None)
