"""The routing policy model and its loader."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Literal, cast, get_args

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from routing.abandoned_carts import AbandonedCartPolicy
from routing.communications import CommunicationsPolicy, LetterPurpose
from routing.facts import RiskLevel
from routing.fulfillment_policy import FulfillmentExceptionPolicy
from routing.order_triggers import ProductDocument, ReplenishmentReminder, WarrantyTerms, feedback_url_template
from routing.review_sla import CancelReason, ReviewSla


class OrderReviewRules(BaseModel):
    """An order is reviewed when any rule matches. A rule left empty never matches."""

    total_at_least: Decimal | None = None
    discount_pct_at_least: Decimal | None = Field(default=None, ge=0, le=100)
    risk_levels: list[RiskLevel] = Field(default_factory=list)
    restricted_countries: list[str] = Field(default_factory=list)  # ISO 3166-1 alpha-2
    customer_tags: list[str] = Field(default_factory=list)  # e.g. vip, wholesale
    items_at_least: int | None = Field(default=None, ge=1)  # a large basket, in units
    address_mismatch: bool = False  # billing and shipping address differ
    company_credit_exceeded: bool = False  # paid on account beyond the company's credit limit

    @model_validator(mode="after")
    def _normalise(self) -> OrderReviewRules:
        self.restricted_countries = [c.upper() for c in self.restricted_countries]
        self.customer_tags = [t.strip().lower() for t in self.customer_tags]
        return self


class ReviewRoute(BaseModel):
    """Where the decision is made in OpenText."""

    opentext_tenant: str | None = None  # defaults to the store's tenant
    process_definition_key: str = "casebridge_order_review"
    team: str  # candidate group of the review task
    escalation_team: str  # candidate group after escalation


class TimeoutAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class RejectAction(BaseModel):
    """How a rejected order is cancelled on the platform."""

    cancel_reason: CancelReason = "DECLINED"
    refund: bool = True
    restock: bool = True
    notify_customer: bool = True
    staff_note: str = "Rejected in Casebridge order review"


class CaseTags(BaseModel):
    review: str = "casebridge-review"
    approved: str = "casebridge-approved"
    rejected: str = "casebridge-rejected"


class OrderReviewPolicy(BaseModel):
    enabled: bool = True
    rules: OrderReviewRules
    route: ReviewRoute
    sla: ReviewSla
    on_timeout: TimeoutAction = TimeoutAction.REJECT
    reject: RejectAction = Field(default_factory=RejectAction)
    tags: CaseTags = Field(default_factory=CaseTags)


# --- returns ---------------------------------------------------------------------------------

# Shopify's `ReturnReason` values; other platforms map their reasons onto these.
ReturnReasonCode = Literal[
    "SIZE_TOO_SMALL",
    "SIZE_TOO_LARGE",
    "UNWANTED",
    "NOT_AS_DESCRIBED",
    "WRONG_ITEM",
    "DEFECTIVE",
    "STYLE",
    "COLOR",
    "OTHER",
    "UNKNOWN",
]


# How each platform's return reasons become `ReturnReasonCode`s: the one place where they are
# mapped, so the policy's low-risk list (`auto_approve.reasons`) means the same on every platform.
# Shopify sends the codes themselves. BigCommerce has no returns API: a return form sends free
# text (BigCommerce's classic return reasons below, or a code itself). Adobe Commerce sends the RMA
# item's `reason` attribute (Magento's default options). Matching is exact after normalising case
# and spaces; anything else becomes OTHER, which is never low-risk unless a policy says so, so an
# unknown reason is reviewed rather than auto-approved.
RETURN_REASON_ALIASES: dict[str, dict[str, ReturnReasonCode]] = {
    "bigcommerce": {
        "received wrong product": "WRONG_ITEM",
        "wrong product ordered": "UNWANTED",
        "not satisfied with the product": "UNWANTED",
        "there was a problem with the product": "DEFECTIVE",
        "too small": "SIZE_TOO_SMALL",
        "too large": "SIZE_TOO_LARGE",
        "no longer needed": "UNWANTED",
        "changed my mind": "UNWANTED",
        "not as described": "NOT_AS_DESCRIBED",
        "damaged": "DEFECTIVE",
        "defective": "DEFECTIVE",
    },
    "adobe-commerce": {
        "wrong color": "COLOR",
        # Magento does not say which way the size is wrong; both are size reasons to a policy.
        "wrong size": "SIZE_TOO_LARGE",
        "out of service": "DEFECTIVE",
        "other": "OTHER",
    },
}


def return_reason_code(platform: str, reason: str) -> ReturnReasonCode:
    """The policy's reason code for a platform's return reason (see `RETURN_REASON_ALIASES`)."""
    text = " ".join(reason.split()).lower()
    code = text.upper().replace(" ", "_").replace("-", "_")
    if code in get_args(ReturnReasonCode):
        return cast(ReturnReasonCode, code)
    return RETURN_REASON_ALIASES.get(platform, {}).get(text, "OTHER")


class ReturnAutoApproval(BaseModel):
    """A return is approved and refunded without review when it is worth at most `value_at_most`
    and every returned line gives a reason from `reasons`."""

    value_at_most: Decimal = Field(ge=0)
    reasons: list[ReturnReasonCode] = Field(min_length=1)

    @field_validator("reasons", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return [str(v).upper() for v in value] if isinstance(value, list) else value


class ReturnReviewRoute(ReviewRoute):
    process_definition_key: str = "casebridge_return_review"


class ReturnDefault(StrEnum):
    """What happens when nobody decides (review timeout) or the customer sends no evidence."""

    REFUND = "refund"
    REJECT = "reject"


class ExchangeRules(BaseModel):
    """An exchange sends the chosen item free of charge; its catalog price is compared with what
    the customer paid for the returned items."""

    # How much dearer (order currency) the exchange may be before an operator must accept it (the
    # store absorbs it); above that the case parks with both values.
    max_extra: Decimal = Field(default=Decimal(0), ge=0)
    refund_difference: bool = True  # a cheaper exchange: the difference is paid back once


class EvidenceRequests(BaseModel):
    """Whether a reviewer may ask the customer for photos or proof, and how long the case waits."""

    deadline: timedelta
    max_requests: int = Field(default=1, ge=1)  # per case: then the reviewer must decide
    on_deadline: ReturnDefault = ReturnDefault.REJECT

    @model_validator(mode="after")
    def _positive(self) -> EvidenceRequests:
        if self.deadline <= timedelta(0):
            raise ValueError("evidence deadline must be positive")
        return self


ReturnDeclineReasonCode = Literal["RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER"]


class LateReturnAction(StrEnum):
    """What happens to a line the policy's windows no longer cover (see `routing.return_rules`)."""

    REVIEW = "review"  # a person decides, told why
    DECLINE = "decline"  # declined by policy, nobody reviews it


def _positive_period(value: timedelta | None, what: str) -> None:
    if value is not None and value <= timedelta(0):
        raise ValueError(f"{what} must be positive")


class ReturnCategoryRule(BaseModel):
    """Rules for the returned products of one category (Shopify product type, BigCommerce or
    Adobe Commerce category name). Unset periods fall back to the returns policy's own."""

    review_always: bool = False  # never auto-approved (e.g. electronics: serial numbers, data)
    return_window: timedelta | None = None  # ISO 8601, e.g. P14D
    warranty: timedelta | None = None  # ISO 8601, e.g. P2Y
    out_of_warranty: LateReturnAction | None = None  # e.g. decline for consumables
    # The store's own ids of this category, matched as well as the name: BigCommerce products carry
    # category ids only (the category names are not read).
    category_ids: list[str] = Field(default_factory=list)

    @field_validator("category_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _positive(self) -> ReturnCategoryRule:
        _positive_period(self.return_window, "return_window")
        _positive_period(self.warranty, "warranty")
        return self


def _defects() -> list[ReturnReasonCode]:
    return ["DEFECTIVE"]


class ReturnsPolicy(BaseModel):
    enabled: bool = True
    auto_approve: ReturnAutoApproval | None = None  # None: every return is reviewed
    route: ReturnReviewRoute
    sla: ReviewSla
    on_timeout: ReturnDefault = ReturnDefault.REJECT
    evidence: EvidenceRequests | None = None  # None: reviewers cannot ask for evidence
    decline_reason: ReturnDeclineReasonCode = "OTHER"
    notify_customer: bool = True
    # The Exstream communication that asks the customer for evidence and, where the platform does
    # not tell the customer itself (BigCommerce, Adobe Commerce), announces the decision. None: none.
    customer_notice: str | None = None
    # Letters sent instead of the decision letter where they apply, each under the store's name for
    # it (`communications.letters`): the "Return Authorisation Letter" for a return approved for a
    # replacement or an exchange (a refund's letter is the "Refund Letter"). Not listed: the decision letter.
    letters: list[LetterPurpose] = Field(default_factory=lambda: [LetterPurpose.RETURN_AUTHORISATION])
    # What the return authorisation tells the customer: how to send the items back, and within how
    # long of the approval (None: the letter names no date).
    return_instructions: str = "Pack the items securely and write the return number on the parcel."
    send_back_within: timedelta | None = None
    # Adobe Commerce: the coupon of the store's cart price rule (100% off items and shipping) that
    # makes replacement and exchange orders free, since REST cannot set an item's price. None: such
    # orders are left to staff there. Shopify and BigCommerce set the price themselves.
    replacement_coupon: str | None = None
    exchange: ExchangeRules = Field(default_factory=ExchangeRules)
    # Windows, measured from the order date (`routing.return_rules`). None: returns are accepted
    # whenever they come, and no return is a warranty claim.
    return_window: timedelta | None = None
    warranty: timedelta | None = None  # the default warranty; a category may set its own
    # What the windows count from: the order date, or the order's last shipment (the order date
    # while nothing has shipped, and on Adobe Commerce, whose shipments Casebridge does not read).
    window_from: Literal["order", "shipment"] = "order"
    # Reasons that make a return after the window a warranty claim (reviewed as such while the
    # warranty lasts).
    warranty_reasons: list[ReturnReasonCode] = Field(default_factory=_defects)
    out_of_warranty: LateReturnAction = LateReturnAction.REVIEW  # a warranty reason after the warranty
    outside_window: LateReturnAction = LateReturnAction.REVIEW  # any other reason after the window
    # Per product category, by name (case-insensitive). Categories are read from the platform's
    # catalog only when this is not empty (the reads spend the store's API quota).
    categories: dict[str, ReturnCategoryRule] = Field(default_factory=dict)

    @field_validator("letters")
    @classmethod
    def _return_letters(cls, letters: list[LetterPurpose]) -> list[LetterPurpose]:
        unsupported = sorted(set(letters) - {LetterPurpose.RETURN_AUTHORISATION})
        if unsupported:
            raise ValueError(
                f"letters {', '.join(unsupported)} are not sent for returns; choose from "
                f"{LetterPurpose.RETURN_AUTHORISATION.value}"
            )
        return letters

    @field_validator("send_back_within")
    @classmethod
    def _positive_send_back(cls, within: timedelta | None) -> timedelta | None:
        if within is not None and within <= timedelta(0):
            raise ValueError("send_back_within must be positive")
        return within

    @field_validator("warranty_reasons", mode="before")
    @classmethod
    def _upper_reasons(cls, value: object) -> object:
        return [str(v).upper() for v in value] if isinstance(value, list) else value

    @field_validator("categories", mode="before")
    @classmethod
    def _lower_names(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        names = [" ".join(str(k).split()).lower() for k in value]
        if len(set(names)) != len(names):
            raise ValueError("category names must be unique ignoring case and spaces")
        return dict(zip(names, value.values(), strict=True))

    @model_validator(mode="after")
    def _periods(self) -> ReturnsPolicy:
        _positive_period(self.return_window, "return_window")
        _positive_period(self.warranty, "warranty")
        return self

    @property
    def reads_categories(self) -> bool:
        """Whether routing needs each returned product's categories from the catalog."""
        return bool(self.categories)

    @property
    def reads_order_date(self) -> bool:
        """Whether routing needs the order's date (a window or a warranty is set somewhere)."""
        periods = [self.return_window, self.warranty]
        periods += [p for rule in self.categories.values() for p in (rule.return_window, rule.warranty)]
        return any(p is not None for p in periods)

    def review_reasons(self, value: Decimal, currency: str, reasons: list[str]) -> list[str]:
        """Why a return of this value with these line reasons needs a person; [] = auto-approve."""
        rule = self.auto_approve
        if rule is None:
            return ["every return is reviewed (no auto-approval in the policy)"]
        why: list[str] = []
        if value > rule.value_at_most:
            why.append(f"value {value} {currency} is above the auto-approval limit {rule.value_at_most}")
        risky = sorted({r.upper() for r in reasons} - set(rule.reasons))
        if risky:
            why.append(f"reason {', '.join(risky)} is not low-risk")
        if not reasons:
            why.append("no returned lines")
        return why


class OrderDocumentsPolicy(BaseModel):
    """Every order's documents: its workspace with the order record and transaction documents filed
    as they appear, and the customer letters for them (through `communications`)."""

    enabled: bool = True
    letters: list[LetterPurpose] = Field(
        default_factory=lambda: [
            LetterPurpose.ORDER_CONFIRMATION,
            LetterPurpose.SHIPMENT_NOTICE,
            LetterPurpose.INVOICE,
            LetterPurpose.REFUND,
        ]
    )
    # How long an order's documents case listens after its last event (a late refund, a return's
    # credit memo); a later event opens it again.
    follow_for: timedelta = timedelta(days=90)
    # The "Post-purchase Follow-up" this long after the order's first shipment, once, unless the
    # order was cancelled or fully refunded by then; None: none. `feedback_url` may name `{order_id}`.
    follow_up_after: timedelta | None = None
    feedback_url: str | None = None
    # "Replenishment Reminder"s for consumables: per SKU, how long after the order, once per order.
    replenishment: list[ReplenishmentReminder] = Field(default_factory=list)
    # "Warranty Terms" per product, sent when an order holding it is placed, in the customer's region's words.
    warranty: list[WarrantyTerms] = Field(default_factory=list)
    # Policy and compliance documents per product ("Product Information"), sent the same way.
    product_documents: list[ProductDocument] = Field(default_factory=list)

    @model_validator(mode="after")
    def _triggers(self) -> OrderDocumentsPolicy:
        if self.follow_up_after is not None:
            if self.follow_up_after <= timedelta(0):
                raise ValueError("follow_up_after must be positive")
            if self.feedback_url is None:
                raise ValueError("follow_up_after needs a feedback_url for the letter")
        if self.feedback_url is not None:
            feedback_url_template(self.feedback_url)
        skus = [r.sku for r in self.replenishment]
        if len(set(skus)) != len(skus):
            raise ValueError("replenishment: each SKU once")
        warranted = [w.sku for w in self.warranty]
        if len(set(warranted)) != len(warranted):
            raise ValueError("warranty: each SKU once")
        documents = [d.key for d in self.product_documents]
        if len(set(documents)) != len(documents):
            raise ValueError("product_documents: each product's document once (by kind and title)")
        return self

    def feedback_url_for(self, order_id: str) -> str:
        if self.feedback_url is None:
            raise ValueError("the policy has no feedback_url")
        return self.feedback_url.format(order_id=order_id)

    @field_validator("letters")
    @classmethod
    def _order_letters(cls, letters: list[LetterPurpose]) -> list[LetterPurpose]:
        unsupported = sorted(set(letters) - set(ORDER_DOCUMENT_LETTERS))
        if unsupported:
            raise ValueError(
                f"letters {', '.join(unsupported)} are not sent for order documents; "
                f"choose from {', '.join(ORDER_DOCUMENT_LETTERS)}"
            )
        return letters


# The letters an order's documents case can send: the confirmation and one per transaction document
# (a shipment that leaves units to come: the partial shipment letter, when listed), and the packing
# slip it has rendered for the order's workspace when the order is placed (never sent).
ORDER_DOCUMENT_LETTERS: tuple[LetterPurpose, ...] = (
    LetterPurpose.ORDER_CONFIRMATION,
    LetterPurpose.SHIPMENT_NOTICE,
    LetterPurpose.PARTIAL_SHIPMENT,
    LetterPurpose.PACKING_SLIP,
    LetterPurpose.INVOICE,
    LetterPurpose.REFUND,
    LetterPurpose.CREDIT_MEMO,
)


class StorePolicy(BaseModel):
    store: str
    order_review: OrderReviewPolicy
    returns: ReturnsPolicy | None = None  # None: the store's returns are left to staff in the platform
    # None: fulfillment exceptions reported for the store are refused (422), not silently dropped.
    fulfillment_exceptions: FulfillmentExceptionPolicy | None = None
    # None: the store's orders keep no document workspace of their own (cases still file theirs).
    order_documents: OrderDocumentsPolicy | None = None
    # True: every product the catalogue announces gets its workspace in the ECM (certificates, data
    # sheets, warranty terms, collateral), linked under its supplier's.
    product_workspaces: bool = False
    # None: the store sends no Exstream letters (its cases leave telling the customer to the platform).
    communications: CommunicationsPolicy | None = None
    # None: carts left at the checkout get no reminder from Casebridge.
    abandoned_carts: AbandonedCartPolicy | None = None


class PolicyError(ValueError):
    """A policy file is missing or invalid; raised at load so bad config never reaches a case."""


def load_policy(path: Path) -> StorePolicy:
    try:
        raw = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read policy {path}: {exc}") from exc
    try:
        return StorePolicy.model_validate(raw)
    except ValueError as exc:
        raise PolicyError(f"invalid policy {path}: {exc}") from exc
