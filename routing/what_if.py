"""Policy what-if: how a store policy would have handled the facts of past cases. Pure: facts and a
policy in, a route out, with no Temporal and no I/O, so `casebridge policy what-if` (which reads the
past cases from Temporal) and the unit tests share one evaluation.

A route says whether the policy opens a case for the event, decides it by itself (a return
auto-approved and refunded, or declined by policy) or sends it to people, and to which teams. The
evaluation uses the same rules the shim applies when the event arrives (`routing.rules`,
`routing.return_rules`, `FulfillmentExceptionPolicy.teams_for`).

What it cannot know: facts the shim did not read when the case opened because the policy of the
day did not need them (Shopify's risk level, a return's order date or product categories). A rule
of the evaluated policy that needs such a fact counts as not matching, and the route names it in
`unknown`, so the report can say how many cases it could not judge fully.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from routing.facts import OrderFacts
from routing.fulfillment_policy import ExceptionType, FulfillmentExceptionPolicy
from routing.policy import OrderReviewPolicy, ReturnsPolicy, StorePolicy
from routing.return_rules import RoutedLine, route_return
from routing.rules import review_reasons

ORDER_REVIEW = "order-review"
RETURN = "return"
FULFILLMENT_EXCEPTION = "fulfillment-exception"
CASE_TYPES = (ORDER_REVIEW, RETURN, FULFILLMENT_EXCEPTION)


class Handling(StrEnum):
    NO_CASE = "no case"
    AUTO_APPROVED = "auto-approved"  # a return approved and refunded by policy
    DECLINED = "declined by policy"  # a return declined by policy, nobody reviews it
    REVIEWED = "reviewed"


# What "no case" means for each case type, in the words an operator knows from the shim.
NO_CASE_MEANS = {
    ORDER_REVIEW: "no review (the order passes)",
    RETURN: "no case (returns left to staff)",
    FULFILLMENT_EXCEPTION: "refused (no route for the exception type)",
}


@dataclass(frozen=True)
class Route:
    handling: Handling
    teams: tuple[str, ...] = ()  # who decides, the lead first; empty unless reviewed
    reasons: tuple[str, ...] = ()  # why reviewed (or declined)
    unknown: tuple[str, ...] = ()  # facts the policy's rules needed that the case did not record

    @property
    def opened(self) -> bool:
        return self.handling is not Handling.NO_CASE

    @property
    def auto_decided(self) -> bool:
        return self.handling in (Handling.AUTO_APPROVED, Handling.DECLINED)

    def same_route(self, other: Route) -> bool:
        """Whether both send the case the same way (the wording of the reasons may differ)."""
        return (self.handling, self.teams) == (other.handling, other.teams)

    def describe(self, case_type: str) -> str:
        if self.handling is Handling.NO_CASE:
            return NO_CASE_MEANS.get(case_type, "no case")
        if self.handling is Handling.REVIEWED:
            return f"reviewed by {' + '.join(self.teams)}"
        return self.handling.value


# --- the facts of each case type --------------------------------------------------------------


class ReturnedFacts(Protocol):
    """What a return case records of its request (`workflows.return_case.ReturnFacts` is one)."""

    @property
    def lines(self) -> Sequence[RoutedLine]: ...

    @property
    def value(self) -> Decimal: ...

    @property
    def currency(self) -> str: ...

    @property
    def ordered_at(self) -> datetime | None: ...

    @property
    def shipped_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class ReturnRequest:
    facts: ReturnedFacts
    requested_at: datetime  # when the case started: the windows are measured up to it
    # What the shim read for the policy of the day (its recorded copy): a fact it did not read is
    # unknown, not absent.
    categories_read: bool
    shipment_read: bool


@dataclass(frozen=True)
class ExceptionReported:
    exception_type: ExceptionType
    order_total: Decimal | None


CaseFacts = OrderFacts | ReturnRequest | ExceptionReported


@dataclass(frozen=True)
class PastCase:
    """One case as it opened: its facts, and where its own policy copy sent it."""

    case_id: str
    case_type: str
    ref: str  # the order's or return's name (CaseRef), never a customer's
    facts: CaseFacts
    recorded: Route


# --- evaluation ----------------------------------------------------------------------------------


def route_order(policy: OrderReviewPolicy | None, facts: OrderFacts) -> Route:
    """An order review: reviewed by the policy's team when a rule matches, otherwise no case."""
    if policy is None or not policy.enabled:
        return Route(Handling.NO_CASE)
    unknown = tuple(_unknown_order_facts(policy, facts))
    reasons = review_reasons(policy.rules, facts)
    if not reasons:
        return Route(Handling.NO_CASE, unknown=unknown)
    return Route(Handling.REVIEWED, teams=(policy.route.team,), reasons=tuple(reasons), unknown=unknown)


def _unknown_order_facts(policy: OrderReviewPolicy, facts: OrderFacts) -> Iterable[str]:
    rules = policy.rules
    if rules.risk_levels and facts.risk_level is None:
        yield "risk level"
    if rules.restricted_countries and not facts.shipping_country:
        yield "shipping country"
    if rules.items_at_least is not None and facts.item_count is None:
        yield "units ordered"
    if rules.address_mismatch and facts.address_mismatch is None:
        yield "billing vs shipping address"
    if rules.company_credit_exceeded and facts.credit_exceeded_by is None:
        yield "company credit"


def route_return_request(policy: ReturnsPolicy | None, request: ReturnRequest) -> Route:
    """A return: auto-approved, declined by policy or reviewed; no case without a returns policy."""
    if policy is None or not policy.enabled:
        return Route(Handling.NO_CASE)
    facts = request.facts
    from_shipment = policy.window_from == "shipment" and facts.shipped_at is not None
    start = facts.shipped_at if from_shipment else facts.ordered_at
    routing = route_return(policy, facts.lines, facts.value, facts.currency, start, request.requested_at)
    unknown = tuple(_unknown_return_facts(policy, request))
    reasons = tuple(routing.reasons)
    if routing.action == "auto-approve":
        return Route(Handling.AUTO_APPROVED, unknown=unknown)
    if routing.action == "decline":
        return Route(Handling.DECLINED, reasons=reasons, unknown=unknown)
    return Route(Handling.REVIEWED, teams=(policy.route.team,), reasons=reasons, unknown=unknown)


def _unknown_return_facts(policy: ReturnsPolicy, request: ReturnRequest) -> Iterable[str]:
    if policy.reads_order_date and request.facts.ordered_at is None:
        yield "order date"
    if policy.reads_categories and not request.categories_read:
        yield "product categories"
    if policy.reads_order_date and policy.window_from == "shipment" and not request.shipment_read:
        yield "shipment date"


def route_exception(policy: FulfillmentExceptionPolicy | None, report: ExceptionReported) -> Route:
    """A fulfillment exception: the teams of its type (finance too when money is at stake), or
    refused when the policy has no route for the type."""
    if policy is None or not policy.enabled or policy.route(report.exception_type) is None:
        return Route(Handling.NO_CASE)
    unknown = ("order total",) if policy.finance_above is not None and report.order_total is None else ()
    teams = tuple(policy.teams_for(report.exception_type, report.order_total))
    reasons = [report.exception_type.value]
    if policy.finance_team in teams and policy.finance_team not in policy.types[report.exception_type].teams:
        reasons.append(
            f"order total {report.order_total:.2f} above {policy.finance_above}: {policy.finance_team} joins"
        )
    return Route(Handling.REVIEWED, teams=teams, reasons=tuple(reasons), unknown=unknown)


def route_case(policy: StorePolicy, facts: CaseFacts) -> Route:
    """How a whole store policy handles the facts of one case, whatever its type."""
    if isinstance(facts, OrderFacts):
        return route_order(policy.order_review, facts)
    if isinstance(facts, ReturnRequest):
        return route_return_request(policy.returns, facts)
    return route_exception(policy.fulfillment_exceptions, facts)


# --- the report ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteChange:
    case_id: str
    ref: str
    current: Route
    new: Route


@dataclass
class Tally:
    """How one policy handled a set of cases."""

    cases: int = 0
    opened: int = 0
    auto_decided: int = 0
    handling: Counter[Handling] = field(default_factory=Counter)
    teams: Counter[str] = field(default_factory=Counter)  # a case reviewed by two teams counts for both
    unknown: Counter[str] = field(default_factory=Counter)  # cases per fact the rules needed and lacked

    def add(self, route: Route) -> None:
        self.cases += 1
        self.opened += route.opened
        self.auto_decided += route.auto_decided
        self.handling[route.handling] += 1
        self.teams.update(route.teams)
        self.unknown.update(route.unknown)


@dataclass
class CaseTypeWhatIf:
    case_type: str
    current: Tally = field(default_factory=Tally)
    new: Tally = field(default_factory=Tally)
    changes: list[RouteChange] = field(default_factory=list)
    # Cases whose own policy copy routed them otherwise than today's policy file does: the policy
    # changed since they opened.
    recorded_differs: int = 0


def what_if(cases: Iterable[PastCase], current: StorePolicy, new: StorePolicy) -> dict[str, CaseTypeWhatIf]:
    """Per case type: the current and the new policy's tallies over the same facts, and each case
    whose route changes (in the order given)."""
    report: dict[str, CaseTypeWhatIf] = {}
    for case in cases:
        entry = report.setdefault(case.case_type, CaseTypeWhatIf(case.case_type))
        before, after = route_case(current, case.facts), route_case(new, case.facts)
        entry.current.add(before)
        entry.new.add(after)
        if not before.same_route(after):
            entry.changes.append(RouteChange(case.case_id, case.ref, before, after))
        if not case.recorded.same_route(before):
            entry.recorded_differs += 1
    return report
