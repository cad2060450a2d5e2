"""The in-memory domain of one simulated shop: orders, customers, fulfillment orders, holds, jobs,
webhook subscriptions; fulfillments, refunds, returns and disputes (`state_aftersales`), products,
publications and price lists (`state_catalog`), companies and draft orders (`state_b2b`).

Plain dataclasses with Shopify's semantics (money in `Decimal`, derived totals as properties) and
no GraphQL or HTTP in sight, so the operations, the GraphQL resolvers and the REST webhook payloads
all read the same truth. Numeric ids are per shop and increase from realistic-looking bases.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, ClassVar

from sandbox.config import ShopConfig
from sandbox.shopify.gid import gid

if TYPE_CHECKING:  # annotations only: those modules build on this one
    from sandbox.shopify.checkouts import Checkout
    from sandbox.shopify.order_edits import CalculatedOrder
    from sandbox.shopify.state_aftersales import Dispute, Fulfillment, Refund, Return
    from sandbox.shopify.state_b2b import Company, CompanyContact, CompanyLocation, DraftOrder, PurchasingCompany
    from sandbox.shopify.state_catalog import PriceList, Product, ProductVariant, Publication
    from sandbox.shopify.state_records import Metafield

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# The app the shop's access token belongs to: every hold or risk assessment made through the API
# is attributed to it. Other apps only exist when a test seeds their holds.
SELF_APP_ID = 1830279
SELF_APP_TITLE = "Casebridge"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class UserError:
    """A mutation's refusal, rendered into whichever `*UserError` type the payload declares."""

    message: str
    field: list[str] | None = None
    code: str | None = None

    def as_graphql(self) -> dict[str, object]:
        return {"message": self.message, "field": self.field, "code": self.code}


@dataclass
class Address:
    TYPENAME: ClassVar[str] = "MailingAddress"
    id: int
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    province_code: str | None = None
    zip: str | None = None
    phone: str | None = None
    country_code: str | None = None

    @property
    def gid(self) -> str:
        return gid("MailingAddress", self.id)

    @property
    def name(self) -> str | None:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or None


@dataclass
class MarketingConsent:
    """A customer's consent on one channel (`CustomerEmailMarketingConsentState` / `...Sms...`)."""

    state: str = "NOT_SUBSCRIBED"  # CustomerEmailMarketingState / CustomerSmsMarketingState
    opt_in_level: str | None = None  # CustomerMarketingOptInLevel
    updated_at: datetime | None = None


@dataclass
class Customer:
    TYPENAME: ClassVar[str] = "Customer"
    id: int
    email: str | None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    tax_exempt: bool = False
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    order_ids: list[int] = field(default_factory=list)
    email_consent: MarketingConsent = field(default_factory=MarketingConsent)
    sms_consent: MarketingConsent = field(default_factory=MarketingConsent)

    @property
    def gid(self) -> str:
        return gid("Customer", self.id)

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.email or ""


@dataclass
class TaxLine:
    title: str
    rate: Decimal
    price: Decimal
    channel_liable: bool | None = None
    currency: str = "USD"


@dataclass
class LineItem:
    TYPENAME: ClassVar[str] = "LineItem"
    id: int
    title: str
    quantity: int
    price: Decimal  # unit price before discounts
    currency: str = "USD"
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None
    variant_title: str | None = None
    vendor: str | None = None
    requires_shipping: bool = True
    taxable: bool = True
    gift_card: bool = False
    properties: list[tuple[str, str]] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    discount: Decimal = ZERO  # this line's share of the order's discount code
    manual_discount: ManualLineDiscount | None = None  # what `discount` is, when a draft's line discount
    current_quantity: int = -1  # -1: same as quantity; lowered by refunds, 0 after a cancellation
    fulfilled_quantity: int = 0
    refunded_quantity: int = 0
    removed_by_edit: int = 0  # units an order edit took off: no longer charged (unlike refunded ones)

    def __post_init__(self) -> None:
        if self.current_quantity < 0:
            self.current_quantity = self.quantity

    @property
    def unfulfilled_quantity(self) -> int:
        return max(self.current_quantity - self.fulfilled_quantity, 0)

    @property
    def discounted_unit_price(self) -> Decimal:
        """What one unit really cost after the order's discount (the basis of a refund)."""
        return self.discounted_total / self.quantity if self.quantity else ZERO

    @property
    def unit_tax(self) -> Decimal:
        return self.tax_total / self.quantity if self.quantity else ZERO

    @property
    def gid(self) -> str:
        return gid("LineItem", self.id)

    @property
    def name(self) -> str:
        return f"{self.title} - {self.variant_title}" if self.variant_title else self.title

    @property
    def original_total(self) -> Decimal:
        return money(self.price * self.quantity)

    @property
    def discounted_total(self) -> Decimal:
        return money(self.original_total - self.discount)

    @property
    def tax_total(self) -> Decimal:
        return money(sum((t.price for t in self.tax_lines), ZERO))


@dataclass
class ShippingLine:
    TYPENAME: ClassVar[str] = "ShippingLine"
    id: int
    title: str
    price: Decimal
    currency: str = "USD"
    code: str | None = None
    source: str | None = None
    discount: Decimal = ZERO
    tax_lines: list[TaxLine] = field(default_factory=list)


@dataclass
class ManualLineDiscount:
    """A merchant's own discount on one line: a draft order line's `appliedDiscount`, and on the
    order that line becomes a `ManualDiscountApplication` allocated to that line alone.
    ASSUMPTION: as with order edits' line discounts, a FIXED_AMOUNT is taken off each unit and
    never takes a line below zero."""

    TYPENAME: ClassVar[str] = "ManualDiscountApplication"
    value_type: str  # DraftOrderAppliedDiscountType: PERCENTAGE or FIXED_AMOUNT
    value: Decimal  # the percentage, or the amount off each unit
    title: str | None = None
    description: str | None = None
    index: int = 0  # its place among the order's discount applications

    def amount_for(self, unit_price: Decimal, quantity: int) -> Decimal:
        """What it takes off a line of `quantity` units at `unit_price`."""
        line_total = money(unit_price * quantity)
        if self.value_type == "PERCENTAGE":
            return money(line_total * self.value / 100)
        return min(money(self.value * quantity), line_total)


@dataclass
class DiscountCode:
    code: str
    kind: str  # REST `type`: percentage, fixed_amount, shipping
    value: Decimal  # the percentage or the fixed amount asked for
    amount: Decimal = ZERO  # what it actually took off the order


@dataclass
class Transaction:
    TYPENAME: ClassVar[str] = "OrderTransaction"
    id: int
    kind: str  # OrderTransactionKind
    status: str  # OrderTransactionStatus
    amount: Decimal
    currency: str
    gateway: str = "manual"
    authorization_code: str | None = None
    test: bool = False
    created_at: datetime = field(default_factory=utcnow)
    processed_at: datetime = field(default_factory=utcnow)
    parent_id: int | None = None  # a REFUND's SALE/CAPTURE
    order_id: int | None = None

    @property
    def gid(self) -> str:
        return gid("OrderTransaction", self.id)


@dataclass
class RiskFact:
    description: str
    sentiment: str  # RiskFactSentiment


@dataclass
class RiskAssessment:
    risk_level: str  # RiskAssessmentResult
    facts: list[RiskFact]
    provider_app_id: int | None = None  # None: Shopify's own analysis


@dataclass
class FulfillmentHold:
    TYPENAME: ClassVar[str] = "FulfillmentHold"
    id: int
    reason: str  # FulfillmentHoldReason
    reason_notes: str | None
    handle: str
    app_id: int
    external_id: str | None = None
    notify_merchant: bool = False
    created_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("FulfillmentHold", self.id)


@dataclass
class FulfillmentOrderLineItem:
    TYPENAME: ClassVar[str] = "FulfillmentOrderLineItem"
    id: int
    line_item: LineItem
    total_quantity: int
    remaining_quantity: int

    @property
    def gid(self) -> str:
        return gid("FulfillmentOrderLineItem", self.id)


@dataclass
class FulfillmentOrder:
    TYPENAME: ClassVar[str] = "FulfillmentOrder"
    id: int
    order: Order
    line_items: list[FulfillmentOrderLineItem]
    status: str = "OPEN"  # FulfillmentOrderStatus
    request_status: str = "UNSUBMITTED"
    holds: list[FulfillmentHold] = field(default_factory=list)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("FulfillmentOrder", self.id)


@dataclass
class Order:
    TYPENAME: ClassVar[str] = "Order"
    id: int
    number: int  # order_number is 1000 + number
    name: str
    currency: str
    email: str | None = None
    phone: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    processed_at: datetime = field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None  # OrderCancelReason
    cancel_staff_note: str | None = None
    closed_at: datetime | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_attributes: list[tuple[str, str]] = field(default_factory=list)
    po_number: str | None = None
    source_name: str | None = None
    source_identifier: str | None = None
    source_url: str | None = None
    test: bool = False
    taxes_included: bool = False
    buyer_accepts_marketing: bool = False
    financial_status: str = "PENDING"  # OrderDisplayFinancialStatus
    customer: Customer | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    discount_codes: list[DiscountCode] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    fulfillment_orders: list[FulfillmentOrder] = field(default_factory=list)
    risk_assessments: list[RiskAssessment] = field(default_factory=list)
    total_refunded: Decimal = ZERO
    refunded_shipping: Decimal = ZERO
    cancel_job_id: str | None = None  # set while an orderCancel job is pending
    refunds: list[Refund] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)
    disputes: list[Dispute] = field(default_factory=list)
    purchasing_company: PurchasingCompany | None = None  # B2B orders (from a company's draft order)

    @property
    def gid(self) -> str:
        return gid("Order", self.id)

    @property
    def order_number(self) -> int:
        return 1000 + self.number

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def total_line_items_price(self) -> Decimal:
        return money(sum((li.original_total for li in self.line_items), ZERO))

    @property
    def line_discounts(self) -> Decimal:
        return money(sum((li.discount for li in self.line_items), ZERO))

    @property
    def edit_removals(self) -> Decimal:
        """What the units order edits took off were worth (after discounts): no longer charged."""
        return money(sum((li.discounted_unit_price * li.removed_by_edit for li in self.line_items), ZERO))

    @property
    def subtotal(self) -> Decimal:
        """Line items after discounts, before shipping and taxes (Shopify's `subtotal_price`); an
        order edit's removed units are off it, its added lines on it."""
        return money(self.total_line_items_price - self.line_discounts - self.edit_removals)

    @property
    def total_shipping(self) -> Decimal:
        return money(sum((s.price - s.discount for s in self.shipping_lines), ZERO))

    @property
    def total_discounts(self) -> Decimal:
        return money(self.line_discounts + sum((s.discount for s in self.shipping_lines), ZERO))

    @property
    def total_tax(self) -> Decimal:
        lines = sum((li.tax_total - li.unit_tax * li.removed_by_edit for li in self.line_items), ZERO)
        shipping = sum((t.price for s in self.shipping_lines for t in s.tax_lines), ZERO)
        order_level = sum((t.price for t in self.tax_lines), ZERO)
        return money(lines + shipping + order_level)

    @property
    def total_price(self) -> Decimal:
        tax = ZERO if self.taxes_included else self.total_tax
        return money(self.subtotal + self.total_shipping + tax)

    @property
    def total_received(self) -> Decimal:
        received = sum(
            (t.amount for t in self.transactions if t.status == "SUCCESS" and t.kind in ("SALE", "CAPTURE")),
            ZERO,
        )
        return money(received)

    @property
    def net_payment(self) -> Decimal:
        return money(self.total_received - self.total_refunded)

    @property
    def current_total_price(self) -> Decimal:
        return ZERO if self.cancelled_at is not None else self.total_price

    @property
    def total_outstanding(self) -> Decimal:
        if self.cancelled_at is not None or self.financial_status in ("VOIDED", "REFUNDED"):
            return ZERO
        return money(max(self.total_price - self.total_received, ZERO))

    @property
    def display_fulfillment_status(self) -> str:
        fulfilled = sum(li.fulfilled_quantity for li in self.line_items)
        if fulfilled:
            outstanding = sum(li.unfulfilled_quantity for li in self.line_items)
            return "PARTIALLY_FULFILLED" if outstanding else "FULFILLED"
        statuses = {fo.status for fo in self.fulfillment_orders}
        if "ON_HOLD" in statuses:
            return "ON_HOLD"
        if "IN_PROGRESS" in statuses:
            return "IN_PROGRESS"
        if "SCHEDULED" in statuses:
            return "SCHEDULED"
        return "UNFULFILLED"

    @property
    def contact_email(self) -> str | None:
        return self.email or (self.customer.email if self.customer else None)


@dataclass
class Job:
    TYPENAME: ClassVar[str] = "Job"
    id: str  # a uuid, as Shopify's job ids are
    due_at: float  # on the simulator's monotonic clock
    order_id: int
    reason: str = "OTHER"  # OrderCancelReason, applied when the job completes
    staff_note: str | None = None
    refund: bool = False
    restock: bool = False
    done: bool = False

    @property
    def gid(self) -> str:
        return gid("Job", self.id)


@dataclass
class WebhookSubscription:
    TYPENAME: ClassVar[str] = "WebhookSubscription"
    id: int
    topic: str  # WebhookSubscriptionTopic, e.g. ORDERS_CREATE
    callback_url: str
    format: str = "JSON"
    include_fields: list[str] = field(default_factory=list)
    metafield_namespaces: list[str] = field(default_factory=list)
    filter: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("WebhookSubscription", self.id)


# Room for each sandbox run (see ShopConfig.generation): ids and order numbers never repeat.
_IDS_PER_GENERATION = 10_000_000
_ORDER_NUMBERS_PER_GENERATION = 10_000

# Where each kind's numbers start, so ids of different kinds never look alike in a log.
_ID_BASES = {
    "Order": 5550000000001,
    "Customer": 7770000000001,
    "LineItem": 14000000000001,
    "FulfillmentOrder": 6660000000001,
    "FulfillmentOrderLineItem": 15000000000001,
    "FulfillmentHold": 8880000000001,
    "MailingAddress": 4440000000001,
    "ShippingLine": 3300000000001,
    "OrderTransaction": 9990000000001,
    "WebhookSubscription": 1100000000001,
    "Fulfillment": 4550000000001,
    "FulfillmentLineItem": 16000000000001,
    "Refund": 9900000000001,
    "RefundLineItem": 2200000000001,
    "Return": 3880000000001,
    "ReturnLineItem": 3890000000001,
    "ShopifyPaymentsDispute": 4400000000001,
    "Product": 8100000000001,
    "Metafield": 2880000000001,
    "ProductVariant": 4770000000001,
    "Publication": 1650000000001,
    "PriceList": 2550000000001,
    "Company": 1330000000001,
    "CompanyContact": 1340000000001,
    "CompanyLocation": 1350000000001,
    "CompanyAddress": 1360000000001,
    "DraftOrder": 1060000000001,
    "DraftOrderLineItem": 1070000000001,
    "OrderAdjustment": 2330000000001,
    "CalculatedOrder": 1560000000001,
    "Checkout": 3770000000001,
    "CalculatedManualDiscountApplication": 1570000000001,
}


@dataclass
class ShopState:
    """Everything one shop holds. Lookups are by numeric id; the GraphQL layer maps gids onto them."""

    config: ShopConfig
    currency: str = "USD"
    orders: dict[int, Order] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    fulfillment_orders: dict[int, FulfillmentOrder] = field(default_factory=dict)
    holds: dict[int, FulfillmentHold] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    webhook_subscriptions: dict[int, WebhookSubscription] = field(default_factory=dict)
    fulfillments: dict[int, Fulfillment] = field(default_factory=dict)
    refunds: dict[int, Refund] = field(default_factory=dict)
    returns: dict[int, Return] = field(default_factory=dict)
    disputes: dict[int, Dispute] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    variants: dict[int, ProductVariant] = field(default_factory=dict)
    publications: dict[int, Publication] = field(default_factory=dict)
    price_lists: dict[int, PriceList] = field(default_factory=dict)
    companies: dict[int, Company] = field(default_factory=dict)
    company_contacts: dict[int, CompanyContact] = field(default_factory=dict)
    company_locations: dict[int, CompanyLocation] = field(default_factory=dict)
    draft_orders: dict[int, DraftOrder] = field(default_factory=dict)
    calculated_orders: dict[int, CalculatedOrder] = field(default_factory=dict)  # order edits
    metafields: dict[int, Metafield] = field(default_factory=dict)  # customers' and products'
    checkouts: dict[int, Checkout] = field(default_factory=dict)  # `sandbox.shopify.checkouts`
    # Currencies the shop sells in (Markets): price lists and draft orders must use one of them.
    enabled_currencies: tuple[str, ...] = ("USD", "CAD", "EUR", "GBP")
    _sequences: dict[str, Iterator[int]] = field(default_factory=dict, repr=False)
    _order_numbers: Iterator[int] | None = field(default=None, repr=False)
    _draft_numbers: Iterator[int] | None = field(default=None, repr=False)

    @property
    def domain(self) -> str:
        return self.config.domain

    def next_id(self, kind: str) -> int:
        if kind not in self._sequences:
            self._sequences[kind] = itertools.count(_ID_BASES[kind] + self.config.generation * _IDS_PER_GENERATION)
        return next(self._sequences[kind])

    def next_order_number(self) -> int:
        if self._order_numbers is None:
            self._order_numbers = itertools.count(1 + self.config.generation * _ORDER_NUMBERS_PER_GENERATION)
        return next(self._order_numbers)

    def next_draft_number(self) -> int:
        """Draft orders are named `#D1`, `#D2`, ... on a sequence of their own."""
        if self._draft_numbers is None:
            self._draft_numbers = itertools.count(1 + self.config.generation * _ORDER_NUMBERS_PER_GENERATION)
        return next(self._draft_numbers)

    def line_item(self, line_item_id: int) -> LineItem | None:
        for order in self.orders.values():
            for item in order.line_items:
                if item.id == line_item_id:
                    return item
        return None

    def customer_by_email(self, email: str) -> Customer | None:
        wanted = email.strip().lower()
        return next((c for c in self.customers.values() if (c.email or "").lower() == wanted), None)
