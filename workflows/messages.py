"""Messages into and out of case workflows: decisions, operator commands, the case view."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from routing.communications import CommunicationsPolicy


class CaseStatus(StrEnum):
    OPEN = "OPEN"  # the case is preparing: holds, tags, starting the review
    IN_REVIEW = "IN_REVIEW"  # waiting for a person's decision in OpenText
    ESCALATED = "ESCALATED"  # the SLA's escalation point passed without a decision
    APPLYING = "APPLYING"  # the decision is known and being written back
    NEEDS_ATTENTION = "NEEDS_ATTENTION"  # parked: an operator must retry, skip or abort
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"  # the store cancelled the order while the case waited
    ABORTED = "ABORTED"  # an operator aborted the case; what it changed was undone

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = {CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.CANCELLED, CaseStatus.ABORTED}


class CaseInput(BaseModel):
    """What every case's input carries: the case, its store, which OpenText tenant decides, where
    OpenText calls back, and where the store's API activities run."""

    case_id: str
    platform: str
    store: str
    opentext_tenant: str
    callback_url: str  # where OpenText's process model reports a task's outcome
    # The store's own rate-limited queue when it has a request quota; None: the workflow's queue.
    # Workflows cannot read settings, so the shim passes it.
    store_task_queue: str | None = None
    delivery_id: str | None = None  # the store event that opened the case, for tracing
    # The tenant has an ECM layout and the store an ECM external system: the case keeps a business
    # workspace with its records (decided by the shim, since workflows read no settings).
    files_documents: bool = False
    # How the store's letters are written and delivered (its policy's `communications`); None: the
    # store sends no Exstream letters.
    communications: CommunicationsPolicy | None = None


class CaseLabels(BaseModel):
    """How operators find and read one case: its search attributes, the Temporal UI's summary and
    the details' header. Made from the case's input alone (`CaseWorkflow.labels`)."""

    ref: str  # what people call the thing the case is about: order #1042, return R-7
    team: str  # who decides first
    amount: Decimal | None = None
    currency: str | None = None
    details: list[str] = Field(default_factory=list)  # markdown lines
    note: str = ""  # after the summary, e.g. the exception type

    def summary(self, title: str, platform: str, store: str) -> str:
        """One line: 'Order review #1042, 1500.00 USD (Shopify casebridge-demo.myshopify.com)'.
        No personal data: summaries are shown in lists and kept by Temporal as they are."""
        amount = f", {self.amount:.2f} {self.currency or ''}".rstrip() if self.amount is not None else ""
        where = f"{PLATFORM_NAMES.get(platform, platform)} {store}"
        return f"{title} {self.ref}{amount} ({where})" + (f": {self.note}" if self.note else "")


PLATFORM_NAMES = {"shopify": "Shopify", "bigcommerce": "BigCommerce", "adobe-commerce": "Adobe Commerce"}


class CaseResult(BaseModel):
    case_id: str
    status: CaseStatus
    detail: str


class AuditEntry(BaseModel):
    at: datetime
    event: str
    detail: str = ""
    actor: str = "casebridge"


class ReviewDecision(BaseModel):
    """A reviewer's decision on one OpenText task. `outcome` is the process model's outcome value."""

    process_instance_id: str
    task_id: str
    outcome: str
    reviewer: str | None = None
    comment: str | None = None
    # An item the reviewer named (task variable `itemSku`): the substitute of a fulfillment
    # exception, the new item of an exchange.
    item_sku: str | None = None
    # When the order (or its held lines) is now expected, as the reviewer gave it (task variable
    # `deliveryDate`, an ISO date): kept as given, the case checks it (`check_decision`) and the
    # customer's letter names it.
    delivery_date: str | None = None
    source: Literal["callback", "reconciliation", "operator"] = "callback"


class ReviewedCaseResult(CaseResult):
    decision: ReviewDecision | None = None  # the reviewer's, when a person decided


class OperatorCommand(BaseModel):
    """Payload of the retry / skip / abort updates and signals (all fields optional on the command
    line). Limits on what operators send are checked by the case's update validators, which answer
    with the reason; a model constraint would only say "Failed decoding arguments"."""

    operator: str = "operator"
    note: str = ""


class OperatorNote(OperatorCommand):
    """An operator's note for the case's record (`add_note`)."""


class ExtendSla(OperatorCommand):
    """More time for the open review task(s) (`extend_sla`): every milestone still ahead (reminder,
    escalation, final timeout) moves by `hours`; `team` picks one task of a review panel."""

    hours: float = 0
    team: str | None = None


class ReassignReview(OperatorCommand):
    """Hand the open review task to another OpenText group (`reassign_review`); `team` picks one
    task of a review panel."""

    to: str = ""
    team: str | None = None


MAX_OPERATOR_TEXT = 2000
MAX_SLA_EXTENSION_HOURS = 24 * 90


class OperatorAction(StrEnum):
    RETRY = "retry"
    SKIP = "skip"
    ABORT = "abort"


class Attention(BaseModel):
    step: str
    reason: str
    since: datetime


class StoreCancellation(BaseModel):
    """The store cancelled the order outside Casebridge (an `orders/cancelled` webhook)."""

    cancelled_at: datetime | None = None
    reason: str | None = None


class ReviewTaskView(BaseModel):
    """One review task of a case, as the case view shows it (a panel has one per team)."""

    team: str | None = None  # None: the case's only review
    process_instance_id: str
    task_id: str
    task_name: str
    candidate_group: str | None = None
    open: bool  # False once decided, timed out, withdrawn or stopped
    ended: str | None = None  # how it ended (`ReviewEnd` value) once it is over
    due_at: datetime | None = None
    decision: ReviewDecision | None = None


class CaseView(CaseResult):
    """What an operator (or the shim) sees of a running or closed case (the `status` query)."""

    case_type: str
    attention: Attention | None = None
    review_process_id: str | None = None
    review_task_id: str | None = None
    decision: ReviewDecision | None = None
    due_at: datetime | None = None
    # Every review task of the case with its state; a panel lists one per team.
    review_tasks: list[ReviewTaskView] = Field(default_factory=list)


# A panel's OpenText processes carry the business key `{case_id}#{team}` (one process per team,
# found again by its own key on a retried start); the callback is routed to the case by the part
# before the separator. Case ids never contain it.
class ReviewNotOpenYet(ValueError):
    """A decision for a review whose task the case has not recorded yet: OpenText can call back
    before the activity that opened the task has reported it. Not a refusal: the shim answers 503
    so the callback comes again, by when the case knows its task."""


# Memo key of a case that events join (StartMode.JOIN_OPEN): the signed identities of every event
# it took (a warehouse report's reference, a Shopify hold's id). A closed case keeps its memo, so the
# same event redelivered later, to any shim replica, is known instead of opening a second case.
HANDLED_EVENTS_MEMO = "handled_events"

TEAM_KEY_SEPARATOR = "#"


def team_business_key(case_id: str, team: str) -> str:
    return f"{case_id}{TEAM_KEY_SEPARATOR}{team}"


def case_id_of_business_key(business_key: str) -> str:
    """The case (workflow id) an OpenText process belongs to, for one review or a panel's team."""
    return business_key.partition(TEAM_KEY_SEPARATOR)[0]
