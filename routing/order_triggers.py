"""Behavioural letters an order's documents case sends by itself, long after the order's events:
the post-purchase follow-up some days after the first shipment, and replenishment reminders for
consumables some time after they were bought. Pure policy data; the timers are
`workflows.order_documents`, the checks before sending `activities.order_triggers`."""

from __future__ import annotations

from datetime import timedelta
from string import Formatter

from pydantic import BaseModel, Field, field_validator


def url_template(template: str, fields: set[str]) -> str:
    """`template` when it names only `fields` as `{placeholders}` (checked at load, so a typo never
    reaches a letter)."""
    used = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    unknown = sorted(used - fields)
    if unknown:
        raise ValueError(f"{template!r} names {', '.join(unknown)}; it may use {', '.join(sorted(fields))}")
    if not template.startswith(("https://", "http://")):
        raise ValueError(f"{template!r} is not an http(s) URL")
    return template


class ReplenishmentReminder(BaseModel):
    """A consumable the customer is reminded to reorder `after` its order was placed, unless they
    ordered it again meanwhile; `reorder_url` may name `{sku}` and `{order_id}`."""

    sku: str = Field(min_length=1)
    after: timedelta
    reorder_url: str

    @field_validator("after")
    @classmethod
    def _positive(cls, after: timedelta) -> timedelta:
        if after <= timedelta(0):
            raise ValueError("after must be positive")
        return after

    @field_validator("reorder_url")
    @classmethod
    def _url(cls, url: str) -> str:
        return url_template(url, {"sku", "order_id"})

    def reorder_url_for(self, order_id: str) -> str:
        return self.reorder_url.format(sku=self.sku, order_id=order_id)


def feedback_url_template(url: str) -> str:
    return url_template(url, {"order_id"})
