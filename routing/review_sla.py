"""Policy pieces every case type shares: the review SLA and the platforms' cancel reasons."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, model_validator

CancelReason = Literal["CUSTOMER", "DECLINED", "FRAUD", "INVENTORY", "STAFF", "OTHER"]


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
