"""The routing policy model and its loader."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from routing.facts import RiskLevel


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


class ReviewSla(BaseModel):
    reminder_after: timedelta
    escalate_after: timedelta
    timeout_after: timedelta
    # How often the case checks the OpenText task itself, so a lost callback never strands it.
    reconcile_every: timedelta = timedelta(minutes=15)

    @model_validator(mode="after")
    def _ordered(self) -> ReviewSla:
        if not (timedelta(0) < self.reminder_after <= self.escalate_after <= self.timeout_after):
            raise ValueError("SLA must satisfy 0 < reminder_after <= escalate_after <= timeout_after")
        if self.reconcile_every <= timedelta(0):
            raise ValueError("reconcile_every must be positive")
        return self


class TimeoutAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


CancelReason = Literal["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "STAFF", "OTHER"]


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


class StorePolicy(BaseModel):
    store: str
    order_review: OrderReviewPolicy


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
