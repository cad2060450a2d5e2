"""Inputs and results of the activities. Pydantic models, so fields can be added without breaking
the histories of running cases (new fields get defaults)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field

# --- Shopify ---------------------------------------------------------------------------------


class HoldOrderRequest(BaseModel):
    store: str
    order_gid: str
    # Written on every hold: a retry after a timeout finds its own holds instead of adding more.
    handle: str = Field(max_length=64)
    reason: str = "OTHER"
    reason_notes: str


class HeldFulfillmentOrder(BaseModel):
    fulfillment_order_id: str
    hold_id: str


class HoldOrderResult(BaseModel):
    holds: list[HeldFulfillmentOrder]
    not_holdable: list[str] = Field(default_factory=list)  # fulfillment orders already closed etc.


class ReleaseHoldsRequest(BaseModel):
    store: str
    order_gid: str
    handle: str


class ReleaseHoldsResult(BaseModel):
    released: list[str]  # fulfillment order ids


class TagOrderRequest(BaseModel):
    store: str
    order_gid: str
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class CancelOrderRequest(BaseModel):
    store: str
    order_gid: str
    reason: str
    refund: bool
    restock: bool
    notify_customer: bool
    staff_note: str


class CancelOrderResult(BaseModel):
    job_id: str | None  # None when the order was already cancelled
    already_cancelled: bool = False


class AwaitCancellationRequest(BaseModel):
    store: str
    order_gid: str
    job_id: str | None


# --- OpenText Workflow Service -----------------------------------------------------------------


class StartReviewRequest(BaseModel):
    tenant: str
    definition_key: str
    # The case id; looked up before starting so a retried start never makes a second process.
    business_key: str
    name: str
    variables: dict[str, Any]
    outcome_variable: str = "reviewOutcome"
    # Processes the case's earlier reviews used (e.g. one whose decision could not be applied):
    # a decided process is taken as this review only when it is none of them.
    used_processes: list[str] = Field(default_factory=list)
    # When the case (this run of its id) began: a decided process started before then belongs to an
    # earlier case of the same id (the same order's earlier exception), never to this review.
    case_started_at: datetime | None = None


class ReviewTicket(BaseModel):
    process_instance_id: str
    task_id: str  # "" when the process was decided before its task could be reported
    task_name: str
    candidate_group: str | None = None


class CheckReviewRequest(BaseModel):
    tenant: str
    process_instance_id: str
    outcome_variable: str = "reviewOutcome"


class ReviewState(StrEnum):
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"  # the process was deleted in OpenText without an outcome


class ReviewCheck(BaseModel):
    state: ReviewState
    outcome: str | None = None
    task_id: str | None = None
    reviewer: str | None = None
    comment: str | None = None
    item_sku: str | None = None  # the task variable `itemSku` (see `ReviewDecision.item_sku`)
    delivery_date: str | None = None  # the task variable `deliveryDate` (see `ReviewDecision.delivery_date`)


class CommentRequest(BaseModel):
    tenant: str
    process_instance_id: str
    message: str


class HandOverRequest(BaseModel):
    """The open review task to another candidate group (an escalation, or an operator's reassign)."""

    tenant: str
    process_instance_id: str
    task_id: str
    candidate_group: str
    message: str  # the process comment that says who handed it over and why
    priority: int | None = None  # an escalation raises it; None leaves it as it is


class WithdrawReviewRequest(BaseModel):
    tenant: str
    process_instance_id: str
    reason: str


# --- BigCommerce -------------------------------------------------------------------------------


class BigCommerceOrderRequest(BaseModel):
    store: str  # store hash
    order_id: int


class BigCommerceStatusRequest(BigCommerceOrderRequest):
    status_id: int


class BigCommerceNoteRequest(BigCommerceOrderRequest):
    note: str


class BigCommerceOrderState(BaseModel):
    order_id: int
    status_id: int
    status: str


class BigCommerceRefundRequest(BigCommerceOrderRequest):
    # Marks the refund in BigCommerce (no idempotency key exists): a retry finds it, never refunds twice.
    key: str
    reason: str


class BigCommerceRefundResult(BaseModel):
    refund_id: int | None  # None: nothing was left to refund and no refund carries the key
    amount: Decimal = Decimal(0)
    created: bool = False  # False: found the refund an earlier attempt made (or nothing to refund)


# --- Adobe Commerce --------------------------------------------------------------------------


class AdobeOrderRequest(BaseModel):
    store: str  # store code
    order_id: int  # entity_id


class AdobeOrderState(BaseModel):
    order_id: int
    increment_id: str
    state: str
    status: str
    total_paid: Decimal = Decimal(0)
    total_refunded: Decimal = Decimal(0)
    # Something is still not invoiced: `cancel` can cancel it (an invoiced part needs a credit memo).
    cancellable: bool = False


class AdobeCommentRequest(AdobeOrderRequest):
    comment: str
    # Marks the comment: a retry after a lost answer finds it and does not write it twice.
    key: str
    notify_customer: bool = False


class AdobeRefundRequest(AdobeOrderRequest):
    key: str  # written into the credit memo's comment: never two credit memos for one key
    comment: str
    notify_customer: bool = False


class AdobeRefundResult(BaseModel):
    credit_memo_id: int | None  # None: nothing was left to refund and no memo carries the key
    amount: Decimal = Decimal(0)
    created: bool = False


# --- Shopify returns -----------------------------------------------------------------------------


class ReturnStatusRequest(BaseModel):
    store: str
    return_gid: str
    notify_customer: bool = False


class DeclineReturnRequest(ReturnStatusRequest):
    reason: str  # ReturnDeclineReason: RETURN_PERIOD_ENDED, FINAL_SALE, OTHER
    note: str | None = None


class ReturnStatusResult(BaseModel):
    status: str  # ReturnStatus after the step: OPEN when approved, DECLINED when declined
    changed: bool  # False: an earlier attempt had already made the change


# --- Adobe Commerce returns (RMA) ----------------------------------------------------------------


class AdobeRmaRequest(BaseModel):
    store: str  # store code
    rma_id: int  # entity_id


class AdobeRmaState(BaseModel):
    rma_id: int
    status: str  # the RMA's status after the step (authorized, closed, ...)


# --- Fulfillment exceptions: cancelling some lines of an order ---------------------------------


class LineQuantity(BaseModel):
    """Units of one SKU, as a warehouse reports them."""

    sku: str
    quantity: int = Field(ge=1)


class LinesToCancelRequest(BaseModel):
    store: str
    order_ref: str  # Shopify order gid; BigCommerce / Adobe Commerce order id
    lines: list[LineQuantity] = Field(min_length=1)


class ShopifyLineTarget(BaseModel):
    line_item_gid: str
    sku: str
    quantity_before: int
    quantity_after: int  # what the order edit lowers the line to


class ShopifyLineCancelPlan(BaseModel):
    """Read before the edit and kept in the case's history, so a retried edit aims at the same
    quantities and a retried refund pays the same amount."""

    targets: list[ShopifyLineTarget]
    refund_amount: Decimal  # the removed units' value (price, discount and tax), capped at what was paid
    currency: str


class ShopifyCancelLinesRequest(BaseModel):
    store: str
    order_gid: str
    key: str  # marks the refund: never two refunds for one cancellation
    targets: list[ShopifyLineTarget] = Field(min_length=1)
    refund_amount: Decimal
    restock: bool
    notify_customer: bool
    staff_note: str = Field(max_length=255)
    refund_note: str


class ShopifyCancelLinesResult(BaseModel):
    edited: bool  # False: the lines were already at their targets (an earlier attempt's edit)
    refund_id: str | None = None
    amount: Decimal = Decimal(0)


# --- Fulfillment exceptions: split shipment (Shopify) -----------------------------------------


class ShopifySplitShipmentRequest(BaseModel):
    store: str
    order_gid: str
    case_handle: str = Field(max_length=64)  # the case's holds, released so the rest ships
    waiting_handle: str = Field(max_length=64)  # the hold that keeps the reported lines back
    lines: list[LineQuantity] = Field(min_length=1)
    reason: str  # FulfillmentHoldReason of the waiting hold
    reason_notes: str = Field(max_length=255)


class ShopifySplitShipmentResult(BaseModel):
    waiting: list[str]  # fulfillment orders held with the reported lines
    split: bool  # False: no split was needed (or an earlier attempt made it)


# --- Replacement orders (returns decided as `replacement`) ----------------------------------


class ReplacementLine(BaseModel):
    """A line of a free replacement or exchange order."""

    title: str
    quantity: int = Field(ge=1)
    sku: str | None = None
    # The returned order line it replaces (Adobe Commerce order item id, Shopify LineItem gid,
    # BigCommerce order product id): a platform that orders by SKU reads the SKU from it.
    order_line_ref: str | None = None


class ReplacementOrderRequest(BaseModel):
    store: str
    order_ref: str  # the returned order: Shopify order gid, BigCommerce order id
    key: str  # the case id: one replacement order per case, whatever retries follow
    lines: list[ReplacementLine] = Field(min_length=1)
    note: str
    # Adobe Commerce: the coupon of the store's cart price rule that makes the order free (REST
    # cannot set an item's price); None there means the platform cannot create it.
    coupon_code: str | None = None


class ReplacementOrderResult(BaseModel):
    order_id: str
    order_name: str
    created: bool  # False: an earlier attempt's order was found


# --- Substitute items (fulfillment exceptions resolved as `substitute-item`) ----------------


class Substitution(BaseModel):
    """Units of an ordered SKU that cannot ship, and the SKU sent in their place."""

    sku: str
    quantity: int = Field(ge=1)
    substitute_sku: str


class SubstituteItemsRequest(BaseModel):
    store: str
    order_ref: str  # Shopify order gid; BigCommerce order id
    key: str  # marks the substitution (and its refund): a retry finds it done
    substitutions: list[Substitution] = Field(min_length=1)
    restock: bool  # the removed units go back to stock
    notify_customer: bool  # the platform's own email about the edited order
    staff_note: str = Field(max_length=255)
    refund_note: str


class SubstitutedLine(BaseModel):
    sku: str
    substitute_sku: str
    substitute_title: str
    quantity: int


class SubstituteItemsResult(BaseModel):
    """The customer never pays more: a dearer substitute is discounted to the price of the units it
    replaces (the merchant absorbs `absorbed`); a cheaper one is refunded the difference once."""

    lines: list[SubstitutedLine]
    applied: bool  # False: an earlier attempt had already edited the order
    absorbed: Decimal = Decimal(0)
    refund_id: str | None = None
    refunded: Decimal = Decimal(0)
    currency: str

    @classmethod
    def of_plan(
        cls, substitutes: Iterable[PlannedSubstitute], *, applied: bool, absorbed: Decimal, currency: str
    ) -> SubstituteItemsResult:
        """What a platform's substitution plan did, before any refund of a cheaper substitute."""
        lines = [
            SubstitutedLine(sku=s.sku, substitute_sku=s.substitute_sku, substitute_title=s.title, quantity=s.quantity)
            for s in substitutes
        ]
        return cls(lines=lines, applied=applied, absorbed=absorbed, currency=currency)


class PlannedSubstitute(Protocol):
    """One substitute of a platform's plan (activities/*_substitution.py)."""

    @property
    def sku(self) -> str: ...
    @property
    def substitute_sku(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def quantity(self) -> int: ...


# --- Exchanges: the catalog price of what is sent, and the difference paid back -------------


class ItemPricesRequest(BaseModel):
    store: str
    order_ref: str  # the returned order (Shopify order gid, BigCommerce / Adobe order id): its currency
    skus: list[str] = Field(min_length=1)


class ItemPrices(BaseModel):
    currency: str  # the order's
    # The catalog's unit price of each SKU it sells (for the order's currency); SKUs the catalog does
    # not know are left out.
    prices: dict[str, Decimal]


class OrderLineUnits(BaseModel):
    """Units of one order line, the line named as the platform's refund names it: a Shopify
    LineItem gid, a BigCommerce order product id, an Adobe Commerce order item id."""

    line_ref: str = Field(min_length=1)
    quantity: int = Field(ge=1)


class LinesRefundRequest(BaseModel):
    store: str
    order_ref: str  # Shopify order gid; BigCommerce / Adobe Commerce order id
    # Marks the refund (Shopify note, BigCommerce item reasons, Adobe Commerce memo comment): a
    # retry after a lost answer finds that refund and never pays twice.
    key: str
    lines: list[OrderLineUnits] = Field(min_length=1)
    note: str
    notify_customer: bool = False


class LinesRefundResult(BaseModel):
    refund_id: str | None  # None: nothing was left to refund and no refund carries the key
    amount: Decimal = Decimal(0)
    currency: str | None = None  # where the platform's answer names it
    created: bool = False  # False: an earlier attempt's refund was found (or nothing to refund)


class AmountRefundRequest(BaseModel):
    store: str
    order_ref: str  # Shopify order gid; BigCommerce / Adobe Commerce order id
    key: str  # one refund per key, whatever retries follow (looked up before paying)
    amount: Decimal = Field(gt=0)
    reason: str = Field(max_length=255)
    notify_customer: bool


class AmountRefundResult(BaseModel):
    refund_id: str
    amount: Decimal
    currency: str
    created: bool  # False: an earlier attempt's refund was found
