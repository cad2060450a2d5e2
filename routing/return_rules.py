"""Route a return by value, reason, product category and warranty status. Pure: the same facts and
the same request time give the same answer.

Per returned line: the line's categories (names, or the store's category ids) pick the policy's
category rules (several matching categories: any `review_always` applies, the longest window and
warranty, and a decline only when every category declines: the customer's best case). Measured
from the order date, a line inside the return window is an ordinary return; after it, a line
returned for a warranty reason (DEFECTIVE) is a warranty claim while the warranty lasts and out of
warranty after; any other line is a late return. Late lines are reviewed, or declined when the
policy says so; a return is declined by policy only when every line is, so a person sees every
mixed return. Without an order date the windows cannot be checked: the return is reviewed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from routing.policy import LateReturnAction, ReturnsPolicy


class RoutedLine(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def categories(self) -> list[str]: ...


class WarrantyStatus(StrEnum):
    IN_RETURN_WINDOW = "in-return-window"
    WARRANTY_CLAIM = "warranty-claim"  # after the return window, inside the warranty
    OUT_OF_WARRANTY = "out-of-warranty"  # a warranty reason after the warranty (or without one)
    OUTSIDE_RETURN_WINDOW = "outside-return-window"  # another reason after the return window
    ORDER_DATE_UNKNOWN = "order-date-unknown"


class LineRouting(BaseModel):
    title: str
    categories: list[str]  # the policy categories the line matched
    status: WarrantyStatus | None  # None: the policy sets no window or warranty
    return_window_ends: datetime | None = None
    warranty_ends: datetime | None = None
    declined: bool = False  # declined by policy on its own


class ReturnRouting(BaseModel):
    """The policy's answer: auto-approve, review (with the reasons shown to reviewers), decline."""

    action: Literal["auto-approve", "review", "decline"]
    reasons: list[str]  # why reviewed or declined; empty when auto-approved
    lines: list[LineRouting] = Field(default_factory=list)

    @property
    def warranty_claim(self) -> bool:
        return any(line.status is WarrantyStatus.WARRANTY_CLAIM for line in self.lines)

    @property
    def warranty_status(self) -> str:
        """The lines' statuses, e.g. `warranty-claim`; empty when the policy has no windows."""
        return ", ".join(sorted({line.status.value for line in self.lines if line.status is not None}))

    @property
    def categories(self) -> list[str]:
        return sorted({c for line in self.lines for c in line.categories})


def route_return(
    policy: ReturnsPolicy,
    lines: Sequence[RoutedLine],
    value: Decimal,
    currency: str,
    ordered_at: datetime | None,
    requested_at: datetime,
) -> ReturnRouting:
    """How the policy handles this return, requested at `requested_at` for an order of `ordered_at`."""
    routed = [_route_line(policy, line, ordered_at, requested_at) for line in lines]
    declines = [r for r in routed if r.declined]
    if routed and len(declines) == len(routed):
        return ReturnRouting(action="decline", reasons=[_why(r, declined=True) for r in routed], lines=routed)
    reasons = policy.review_reasons(value, currency, [line.reason for line in lines])
    for line, r in zip(lines, routed, strict=True):
        always = [c for c in r.categories if policy.categories[c].review_always]
        if always:
            reasons.append(f"{line.title}: category {', '.join(always)} is always reviewed")
        if r.status not in (None, WarrantyStatus.IN_RETURN_WINDOW):
            reasons.append(_why(r, declined=False))
    return ReturnRouting(action="review" if reasons else "auto-approve", reasons=reasons, lines=routed)


def _route_line(
    policy: ReturnsPolicy, line: RoutedLine, ordered_at: datetime | None, requested_at: datetime
) -> LineRouting:
    names = {" ".join(c.split()).lower() for c in line.categories}
    matched = sorted(key for key, rule in policy.categories.items() if key in names or names & set(rule.category_ids))
    rules = [policy.categories[c] for c in matched]
    window = _longest([r.return_window for r in rules]) or policy.return_window
    warranty = _longest([r.warranty for r in rules]) or policy.warranty
    routing = LineRouting(title=line.title, categories=matched, status=None)
    if window is None and warranty is None:
        return routing
    if ordered_at is None:
        routing.status = WarrantyStatus.ORDER_DATE_UNKNOWN
        return routing
    routing.return_window_ends = ordered_at + window if window is not None else None
    routing.warranty_ends = ordered_at + warranty if warranty is not None else None
    if routing.return_window_ends is None or requested_at <= routing.return_window_ends:
        # No window (only a warranty): every return is accepted as a return.
        routing.status = WarrantyStatus.IN_RETURN_WINDOW
    elif line.reason.upper() not in policy.warranty_reasons:
        routing.status = WarrantyStatus.OUTSIDE_RETURN_WINDOW
        routing.declined = policy.outside_window is LateReturnAction.DECLINE
    elif routing.warranty_ends is not None and requested_at <= routing.warranty_ends:
        routing.status = WarrantyStatus.WARRANTY_CLAIM
    else:
        routing.status = WarrantyStatus.OUT_OF_WARRANTY
        # Several categories: declined only when every one of them says so.
        actions = {r.out_of_warranty or policy.out_of_warranty for r in rules} or {policy.out_of_warranty}
        routing.declined = actions == {LateReturnAction.DECLINE}
    return routing


def _longest(periods: list[timedelta | None]) -> timedelta | None:
    known = [p for p in periods if p is not None]
    return max(known) if known else None


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "?"


def _why(line: LineRouting, *, declined: bool) -> str:
    """The reviewer's (or the decline's) wording for a line outside the return window."""
    verdict = " (declined by policy)" if declined else ""
    if line.status is WarrantyStatus.WARRANTY_CLAIM:
        return (
            f"{line.title}: warranty claim — returned after the return window "
            f"(ended {_day(line.return_window_ends)}), inside the warranty until {_day(line.warranty_ends)}"
        )
    if line.status is WarrantyStatus.OUT_OF_WARRANTY:
        ended = f"warranty ended {_day(line.warranty_ends)}" if line.warranty_ends else "no warranty"
        return f"{line.title}: out of warranty ({ended}){verdict}"
    if line.status is WarrantyStatus.OUTSIDE_RETURN_WINDOW:
        return f"{line.title}: outside the return window (ended {_day(line.return_window_ends)}){verdict}"
    if line.status is WarrantyStatus.ORDER_DATE_UNKNOWN:
        return f"{line.title}: order date unknown, the return window cannot be checked"
    return f"{line.title}: inside the return window"
