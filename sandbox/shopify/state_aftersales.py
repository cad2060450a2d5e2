"""What happens to an order after it is placed: fulfillments, refunds, returns and disputes.

Plain dataclasses beside `state` (same conventions: money in `Decimal`, numeric ids per shop, gids
derived). Quantities that several of them share live on the order's `LineItem`
(`fulfilled_quantity`, `refunded_quantity`, `current_quantity`), so every view agrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sandbox.shopify.gid import gid
from sandbox.shopify.state import ZERO, Address, LineItem, Order, Transaction, money, utcnow

# Restock types that put units back into stock (LEGACY_RESTOCK lets Shopify pick RETURN or CANCEL).
RESTOCKING_TYPES = frozenset({"RETURN", "CANCEL", "LEGACY_RESTOCK"})
# Returns in these states hold on to their units: they cannot be asked for again.
ACTIVE_RETURN_STATUSES = frozenset({"REQUESTED", "OPEN", "CLOSED"})


@dataclass
class FulfillmentLineItem:
    TYPENAME: ClassVar[str] = "FulfillmentLineItem"
    id: int
    line_item: LineItem
    quantity: int
    fulfillment_order_line_item_id: int

    @property
    def gid(self) -> str:
        return gid("FulfillmentLineItem", self.id)


@dataclass
class TrackingInfo:
    company: str | None = None
    number: str | None = None
    url: str | None = None


@dataclass
class Fulfillment:
    TYPENAME: ClassVar[str] = "Fulfillment"
    id: int
    order: Order
    name: str  # `#1001.1`: the order's name and the fulfillment's position on it
    line_items: list[FulfillmentLineItem]
    fulfillment_order_ids: list[int]
    tracking: list[TrackingInfo] = field(default_factory=list)
    status: str = "SUCCESS"  # FulfillmentStatus
    notify_customer: bool = False
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("Fulfillment", self.id)

    @property
    def total_quantity(self) -> int:
        return sum(item.quantity for item in self.line_items)


@dataclass
class RefundLineItem:
    TYPENAME: ClassVar[str] = "RefundLineItem"
    id: int | None  # None while it is only a suggestion
    line_item: LineItem
    quantity: int
    restock_type: str  # RefundLineItemRestockType
    subtotal: Decimal
    total_tax: Decimal
    location_id: int | None = None

    @property
    def gid(self) -> str | None:
        return gid("RefundLineItem", self.id) if self.id is not None else None

    @property
    def restocked(self) -> bool:
        return self.restock_type in RESTOCKING_TYPES

    @property
    def unit_price(self) -> Decimal:
        return money(self.subtotal / self.quantity) if self.quantity else ZERO


@dataclass
class Refund:
    TYPENAME: ClassVar[str] = "Refund"
    id: int
    order: Order
    note: str | None
    line_items: list[RefundLineItem]
    transactions: list[Transaction]
    shipping_amount: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    shipping_adjustment_id: int | None = None  # REST shows a shipping refund as an order adjustment
    notify: bool = False
    created_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("Refund", self.id)

    @property
    def updated_at(self) -> datetime:
        return self.created_at

    @property
    def total_refunded(self) -> Decimal:
        """Money that went back to the buyer: the refund's successful transactions."""
        return money(sum((t.amount for t in self.transactions if t.status == "SUCCESS"), ZERO))


@dataclass
class ReturnLineItem:
    TYPENAME: ClassVar[str] = "ReturnLineItem"
    id: int
    fulfillment_line_item: FulfillmentLineItem
    quantity: int
    return_reason: str  # ReturnReason
    customer_note: str | None = None
    refunded_quantity: int = 0

    @property
    def gid(self) -> str:
        return gid("ReturnLineItem", self.id)


@dataclass
class Return:
    TYPENAME: ClassVar[str] = "Return"
    id: int
    order: Order
    name: str  # `#1001-R1`
    line_items: list[ReturnLineItem]
    status: str = "REQUESTED"  # ReturnStatus
    decline_reason: str | None = None  # ReturnDeclineReason
    decline_note: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("Return", self.id)

    @property
    def total_quantity(self) -> int:
        return sum(item.quantity for item in self.line_items)


# Evidence text fields `disputeEvidenceUpdate` accepts (ShopifyPaymentsDisputeEvidenceUpdateInput).
EVIDENCE_TEXT_FIELDS = (
    "customerEmailAddress",
    "customerFirstName",
    "customerLastName",
    "uncategorizedText",
    "accessActivityLog",
    "cancellationPolicyDisclosure",
    "cancellationRebuttal",
    "refundPolicyDisclosure",
    "refundRefusalExplanation",
)
EVIDENCE_FILE_FIELDS = (
    "cancellationPolicyFile",
    "customerCommunicationFile",
    "refundPolicyFile",
    "shippingDocumentationFile",
    "uncategorizedFile",
    "serviceDocumentationFile",
)


@dataclass
class DisputeEvidence:
    """ASSUMPTION (as Shopify's own examples show): the evidence object shares its dispute's number,
    `gid://shopify/ShopifyPaymentsDisputeEvidence/<dispute id>`."""

    TYPENAME: ClassVar[str] = "ShopifyPaymentsDisputeEvidence"
    dispute: Dispute
    text: dict[str, str | None] = field(default_factory=dict)  # camelCase field name → text
    shipping_address: Address | None = None
    billing_address: Address | None = None
    submitted: bool = False

    @property
    def id(self) -> int:
        return self.dispute.id

    @property
    def gid(self) -> str:
        return gid("ShopifyPaymentsDisputeEvidence", self.dispute.id)


@dataclass
class Dispute:
    TYPENAME: ClassVar[str] = "ShopifyPaymentsDispute"
    id: int
    order: Order
    kind: str  # DisputeType: CHARGEBACK or INQUIRY
    amount: Decimal
    currency: str
    reason: str  # ShopifyPaymentsDisputeReason
    network_reason_code: str | None
    evidence_due_by: date
    status: str = "NEEDS_RESPONSE"  # DisputeStatus
    evidence_sent_on: date | None = None
    finalized_on: date | None = None
    initiated_at: datetime = field(default_factory=utcnow)
    evidence: DisputeEvidence = field(init=False)

    def __post_init__(self) -> None:
        self.evidence = DisputeEvidence(self)

    @property
    def gid(self) -> str:
        return gid("ShopifyPaymentsDispute", self.id)
