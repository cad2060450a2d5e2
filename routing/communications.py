"""A store's customer letters: which brand writes them, in which languages, by which channels in
which order, and which approved Exstream communication serves each purpose. Pure policy data; the
letters themselves are `workflows.customer_letter`."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator


class LetterChannel(StrEnum):
    EMAIL = "email"
    PRINT = "print"
    WEB = "web"  # the customer portal


class LetterPurpose(StrEnum):
    """Why a letter is sent; each maps to one communication of the store's Exstream design."""

    CASE_DECISION = "case-decision"  # what a case decided or asks of the customer
    ORDER_CONFIRMATION = "order-confirmation"
    INVOICE = "invoice"
    SHIPMENT_NOTICE = "shipment-notice"
    ORDER_DELAY = "order-delay"
    PARTIAL_SHIPMENT = "partial-shipment"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    BACKORDER = "backorder"
    RETURN_AUTHORISATION = "return-authorisation"
    CREDIT_MEMO = "credit-memo"
    WARRANTY_TERMS = "warranty-terms"
    PRODUCT_INFORMATION = "product-information"  # a product's policy or compliance document
    POST_PURCHASE_FOLLOW_UP = "post-purchase-follow-up"  # how was the order? (after its shipment)
    REPLENISHMENT_REMINDER = "replenishment-reminder"  # time to reorder a consumable
    # The order's packing slip: rendered for the order's workspace only, never sent to the customer.
    PACKING_SLIP = "packing-slip"
    ABANDONED_CART = "abandoned-cart"  # the shopper left a cart or checkout without ordering


# The communication names of Casebridge's reference Exstream design (a deployment's own design may
# name them otherwise: `communications.letters` in the store's policy).
DEFAULT_LETTERS: dict[LetterPurpose, str] = {
    LetterPurpose.CASE_DECISION: "Case Decision Letter",
    LetterPurpose.ORDER_CONFIRMATION: "Order Confirmation",
    LetterPurpose.INVOICE: "Invoice",
    LetterPurpose.SHIPMENT_NOTICE: "Shipment Notice",
    LetterPurpose.ORDER_DELAY: "Order Delay Letter",
    LetterPurpose.PARTIAL_SHIPMENT: "Partial Shipment Letter",
    LetterPurpose.CANCELLATION: "Cancellation Letter",
    LetterPurpose.REFUND: "Refund Letter",
    LetterPurpose.BACKORDER: "Backorder Letter",
    LetterPurpose.RETURN_AUTHORISATION: "Return Authorisation Letter",
    LetterPurpose.CREDIT_MEMO: "Credit Memo Letter",
    LetterPurpose.WARRANTY_TERMS: "Warranty Terms",
    LetterPurpose.PRODUCT_INFORMATION: "Product Information",
    LetterPurpose.POST_PURCHASE_FOLLOW_UP: "Post-purchase Follow-up",
    LetterPurpose.REPLENISHMENT_REMINDER: "Replenishment Reminder",
    LetterPurpose.PACKING_SLIP: "Packing Slip",
    LetterPurpose.ABANDONED_CART: "Abandoned Cart Reminder",
}


class CommunicationsPolicy(BaseModel):
    """How a store's letters are written and delivered.

    The language is the customer's (their locale on the platform) when the brand writes in it,
    else `language`. A letter goes by the first of `channels` the customer accepts and has an
    address for; a bounce or a returned letter moves it on to the next. `bounce_wait` is how long
    a letter listens for such an outcome before it counts as delivered."""

    brand: str
    language: str = Field(default="en", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
    languages: list[str] = Field(default_factory=list)  # the brand's languages; [] = `language` only
    channels: list[LetterChannel] = Field(default_factory=lambda: [LetterChannel.EMAIL, LetterChannel.PRINT])
    bounce_wait: timedelta = timedelta(days=2)
    letters: dict[LetterPurpose, str] = Field(default_factory=dict)  # overrides DEFAULT_LETTERS

    @model_validator(mode="after")
    def _sensible(self) -> CommunicationsPolicy:
        if not self.channels:
            raise ValueError("channels: name at least one channel")
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("channels: each channel once")
        if self.bounce_wait <= timedelta(0):
            raise ValueError("bounce_wait must be positive")
        return self

    def communication_for(self, purpose: LetterPurpose) -> str:
        return self.letters.get(purpose) or DEFAULT_LETTERS[purpose]

    def language_for(self, locale: str | None) -> str:
        """The customer's locale when the brand writes in it (`fr-CA` matches `fr`), else the store's."""
        if locale:
            offered = {tag.lower(): tag for tag in self.languages}
            for candidate in (locale.lower().replace("_", "-"), locale.lower().replace("_", "-").split("-")[0]):
                if candidate in offered:
                    return offered[candidate]
        return self.language
