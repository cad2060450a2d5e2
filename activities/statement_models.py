"""What the monthly statement job and its activities exchange, and the neutral view of a store's B2B
orders the activities read.

Only the requests and answers travel through workflow payloads: they name the store, the month, the
Exstream job and companies by id, and count. The orders, names and addresses (`CompanyOrder`,
`CompanyAccount`) stay inside the activities; the documents go straight from Exstream to ECM.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_before(moment: datetime) -> str:
    """The calendar month before `moment` (UTC), as `YYYY-MM`: a run on 1 December states November."""
    last_of_previous = moment.astimezone(UTC).date().replace(day=1) - timedelta(days=1)
    return f"{last_of_previous:%Y-%m}"


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last day of a `YYYY-MM` month."""
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def month_range(month: str) -> tuple[datetime, datetime]:
    """`[first day 00:00 UTC, first day of the next month 00:00 UTC)`: the orders the month states."""
    first, last = month_bounds(month)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    return start, datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)


class _MonthOfStore(BaseModel):
    tenant: str  # the OpenText tenant: its Exstream renders, its Content Server keeps the workspaces
    platform: str
    store: str
    month: str  # YYYY-MM
    # The store policy's `communications` (brand, language); None: the default statement style.
    brand: str | None = None
    language: str | None = None

    @field_validator("month")
    @classmethod
    def _a_month(cls, value: str) -> str:
        if not _MONTH.match(value):
            raise ValueError(f"month must be YYYY-MM, not {value!r}")
        return value


class StatementBatchRequest(_MonthOfStore):
    """Collect the month's company orders of the store and hand them to Exstream's statement batch."""


class SubmittedStatements(BaseModel):
    job_id: str | None = None  # the Exstream batch job; None: nothing to send this month
    companies: list[str] = Field(default_factory=list)  # company ids, in the batch's document order
    orders: int = 0  # orders on the statements submitted
    already_filed: list[str] = Field(default_factory=list)  # companies whose statement is in ECM already
    without_recipient: list[str] = Field(default_factory=list)  # companies with no main contact e-mail


class StatementJobRequest(BaseModel):
    tenant: str
    job_id: str


class StatementJobState(BaseModel):
    state: str  # Exstream's: QUEUED, RUNNING, COMPLETED, FAILED
    finished: bool
    errors: int = 0  # records Exstream refused (a FAILED job)
    first_error: str | None = None


class FileStatementsRequest(_MonthOfStore):
    job_id: str
    companies: list[str]  # as `SubmittedStatements.companies`: the n-th document is the n-th company's


class FiledStatements(BaseModel):
    filed: int = 0  # new statements (or new versions) in the companies' workspaces
    unchanged: int = 0  # already there with this content (a repeated filing)
    workspaces_created: int = 0


# -- inside the activities only ------------------------------------------------------------------------


class Party(BaseModel):
    id: str  # the platform's own id
    name: str


class CompanyOrder(BaseModel):
    """One order a company bought: a line of its statement."""

    order_id: str
    order_name: str
    processed_at: datetime  # the order's date on the statement
    total: Decimal
    currency: str
    company: Party
    location: Party
    buyer: Party  # the customer who placed it for the company


class CompanyAccount(BaseModel):
    """Who a company's statement goes to: the company's main contact."""

    id: str
    name: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_ref: str | None = None  # the contact's customer id on the platform (Exstream's customerRef)


def address_location(street: list[str], city: str | None, postcode: str | None, country: str | None) -> Party:
    """A location known only by its address (BigCommerce, Adobe Commerce have no company locations
    of their own): named by its first street line and city, and identified by the whole address, so
    orders shipped to the same address are one location of the statement."""
    lines = [line.strip() for line in street if line and line.strip()]
    parts = [*lines, (postcode or "").strip(), (city or "").strip(), (country or "").strip().upper()]
    name = ", ".join(p for p in (lines[0] if lines else "", (city or "").strip()) if p)
    return Party(id="|".join(parts).lower(), name=name or "(no address)")
