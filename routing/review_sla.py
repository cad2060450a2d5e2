"""Policy pieces every case type shares: the review SLA and the platforms' cancel reasons."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, model_validator

CancelReason = Literal["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "STAFF", "OTHER"]


class EscalationStep(BaseModel):
    """A further level of the escalation chain: still no decision `after` the task opened, so it
    goes to the candidate group `to` (e.g. the leads first, then the managers)."""

    after: timedelta
    to: str = Field(min_length=1)


class ReviewSla(BaseModel):
    reminder_after: timedelta
    escalate_after: timedelta  # the first escalation, to the case's (or team's) escalation group
    timeout_after: timedelta
    # How often the case checks the OpenText task itself, so a lost callback never strands it.
    reconcile_every: timedelta = timedelta(minutes=15)
    # Further escalations after the first, in order, each before the final timeout.
    then_escalate: list[EscalationStep] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> ReviewSla:
        if not (timedelta(0) < self.reminder_after <= self.escalate_after <= self.timeout_after):
            raise ValueError("SLA must satisfy 0 < reminder_after <= escalate_after <= timeout_after")
        if self.reconcile_every <= timedelta(0):
            raise ValueError("reconcile_every must be positive")
        afters = [step.after for step in self.then_escalate]
        in_order = afters == sorted(set(afters))  # strictly increasing
        if not in_order or any(not (self.escalate_after < after < self.timeout_after) for after in afters):
            raise ValueError("then_escalate steps must come in order, after escalate_after and before timeout_after")
        return self
