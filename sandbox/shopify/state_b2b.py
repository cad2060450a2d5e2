"""B2B: companies with their locations and contacts, and draft orders (Shopify's quotes).

A company contact is a customer acting for a company; a draft order is bought either by a customer
or by a company (company + location + contact), and completing it creates an ordinary order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sandbox.shopify.gid import gid
from sandbox.shopify.state import ZERO, Address, Customer, ManualLineDiscount, money, utcnow


@dataclass
class CompanyAddress:
    TYPENAME: ClassVar[str] = "CompanyAddress"
    id: int
    company_name: str
    address1: str = ""
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    zone_code: str | None = None
    country_code: str = "US"
    recipient: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("CompanyAddress", self.id)


@dataclass
class CompanyContact:
    TYPENAME: ClassVar[str] = "CompanyContact"
    id: int
    company: Company
    customer: Customer
    title: str | None = None
    locale: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("CompanyContact", self.id)

    @property
    def is_main_contact(self) -> bool:
        return self.company.main_contact is self


@dataclass
class CompanyLocation:
    TYPENAME: ClassVar[str] = "CompanyLocation"
    id: int
    company: Company
    name: str
    currency: str
    external_id: str | None = None
    phone: str | None = None
    locale: str | None = None
    note: str | None = None
    billing_address: CompanyAddress | None = None
    shipping_address: CompanyAddress | None = None
    tax_exempt: bool = False
    tax_registration_id: str | None = None
    checkout_to_draft: bool = False
    editable_shipping_address: bool = False
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("CompanyLocation", self.id)


@dataclass
class Company:
    TYPENAME: ClassVar[str] = "Company"
    id: int
    name: str
    note: str | None = None
    external_id: str | None = None
    customer_since: datetime = field(default_factory=utcnow)
    contacts: list[CompanyContact] = field(default_factory=list)
    locations: list[CompanyLocation] = field(default_factory=list)
    main_contact: CompanyContact | None = None
    order_ids: list[int] = field(default_factory=list)
    draft_order_ids: list[int] = field(default_factory=list)
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("Company", self.id)


@dataclass
class PurchasingCompany:
    """Who buys a B2B draft order (and the order it becomes)."""

    TYPENAME: ClassVar[str] = "PurchasingCompany"
    company: Company
    location: CompanyLocation
    contact: CompanyContact | None


@dataclass
class DraftOrderLineItem:
    TYPENAME: ClassVar[str] = "DraftOrderLineItem"
    id: int
    title: str
    quantity: int
    price: Decimal
    currency: str
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None
    variant_title: str | None = None
    vendor: str | None = None
    requires_shipping: bool = True
    taxable: bool = True
    custom: bool = True  # not backed by a product variant
    uuid: str = ""
    applied_discount: ManualLineDiscount | None = None  # `appliedDiscount`

    @property
    def gid(self) -> str:
        return gid("DraftOrderLineItem", self.id)

    @property
    def total(self) -> Decimal:
        """Before the line's discount (`originalTotalSet`)."""
        return money(self.price * self.quantity)

    @property
    def discount(self) -> Decimal:
        return self.applied_discount.amount_for(self.price, self.quantity) if self.applied_discount else ZERO

    @property
    def discounted_total(self) -> Decimal:
        return money(self.total - self.discount)

    @property
    def name(self) -> str:
        return f"{self.title} - {self.variant_title}" if self.variant_title else self.title


@dataclass
class DraftOrder:
    TYPENAME: ClassVar[str] = "DraftOrder"
    id: int
    name: str  # `#D1`
    currency: str
    line_items: list[DraftOrderLineItem]
    status: str = "OPEN"  # DraftOrderStatus
    email: str | None = None
    phone: str | None = None
    note: str | None = None
    tags: list[str] = field(default_factory=list)
    customer: Customer | None = None
    purchasing_company: PurchasingCompany | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    shipping_title: str | None = None
    shipping_price: Decimal = ZERO
    po_number: str | None = None
    source_name: str | None = None
    tax_exempt: bool = False
    custom_attributes: list[tuple[str, str]] = field(default_factory=list)
    invoice_token: str = ""
    invoice_sent_at: datetime | None = None
    completed_at: datetime | None = None
    order_id: int | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("DraftOrder", self.id)

    @property
    def line_items_total(self) -> Decimal:
        """The lines before their discounts (`totalLineItemsPriceSet`)."""
        return money(sum((li.total for li in self.line_items), ZERO))

    @property
    def total_discounts(self) -> Decimal:
        return money(sum((li.discount for li in self.line_items), ZERO))

    @property
    def subtotal(self) -> Decimal:
        """The lines after their discounts (`subtotalPriceSet`, `lineItemsSubtotalPrice`)."""
        return money(sum((li.discounted_total for li in self.line_items), ZERO))

    @property
    def total_price(self) -> Decimal:
        # ASSUMPTION: no tax engine in the sandbox; drafts are priced as entered (taxes 0).
        return money(self.subtotal + self.shipping_price)
