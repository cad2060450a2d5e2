"""What the customer-letter workflow and its activity exchange. Names, addresses and the letter's
document stay inside the activity: the workflow sees the order's id, what the case wants said, the
channel used and references (delivery id, filed node), never who the customer is."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, JsonValue, model_validator

from activities.document_models import WorkspaceRef
from routing.communications import CommunicationsPolicy, LetterChannel, LetterPurpose

LETTER_ID_PREFIX = "letter/"  # letter workflows' ids, and the Exstream document ids they send


class SendLetterRequest(BaseModel):
    letter_id: str  # the letter workflow's id; Exstream's document id, so outcomes find the letter
    tenant: str  # the OpenText tenant whose Exstream renders it
    platform: str
    store: str
    # What the letter is about and whom it goes to: the platform's order id, or (an abandoned-cart
    # reminder) its cart's or checkout's id; exactly one of them.
    order_id: str | None = None
    cart_id: str | None = None
    purpose: LetterPurpose
    communication: str  # the approved communication's name
    policy: CommunicationsPolicy
    # What the case has to say, as the communication's driver fields (`{"decision": {...}}`); no
    # personal data: it is in the history.
    content: dict[str, JsonValue] = Field(default_factory=dict)
    # The order's transaction document the letter is about (a shipment's, refund's or invoice's
    # number as the transaction reader names it); its facts fill the letter's purpose fields.
    document: str | None = None
    excluded: list[LetterChannel] = Field(default_factory=list)  # channels that already failed
    workspace: WorkspaceRef | None = None  # where the rendered letter is filed; None: not filed
    cart_url: str = ""  # a cart letter's link when the platform's cart has none (the store's policy)

    @model_validator(mode="after")
    def _one_subject(self) -> SendLetterRequest:
        if (self.order_id is None) == (self.cart_id is None):
            raise ValueError("a letter is about an order or a cart: give exactly one of order_id, cart_id")
        return self


class LetterSent(BaseModel):
    """A letter handed to a channel, or why it was not."""

    channel: LetterChannel | None  # None: no channel left (see `not_sent`)
    delivery_id: str | None = None
    language: str | None = None
    brand: str | None = None
    refused: list[LetterChannel] = Field(default_factory=list)  # the customer's refusals, skipped
    not_sent: str | None = None
    filed_node_id: int | None = None  # the archive copy in the workspace
    filed_version: int | None = None


class LetterOutcome(BaseModel):
    """A delivery outcome of one of the letter's sends, as the delivery outcome feed passes it on."""

    delivery_id: str
    type: Literal["delivered", "bounced", "opted_out", "returned"]
    channel: LetterChannel


class Recipient(BaseModel):
    """Whom a letter goes to, read from the order inside the activity (never returned to a workflow)."""

    # The platform's customer id; a guest's order is `guest-order-<id>`, a guest's cart `guest-cart-<id>`.
    customer_ref: str
    name: str
    email: str | None = None
    address_lines: list[str] = Field(default_factory=list)
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    locale: str | None = None

    @property
    def has_postal_address(self) -> bool:
        return bool(self.address_lines and self.city and self.postal_code and self.country)


GUEST_PREFIX = "guest-order-"
GUEST_CART_PREFIX = "guest-cart-"


def guest_ref(order_id: str) -> str:
    return f"{GUEST_PREFIX}{order_id}"


def guest_cart_ref(cart_id: str) -> str:
    return f"{GUEST_CART_PREFIX}{cart_id}"


def is_guest(customer_ref: str) -> bool:
    """A guest has no customer record: no stored preferences, no portal account."""
    return customer_ref.startswith((GUEST_PREFIX, GUEST_CART_PREFIX))
