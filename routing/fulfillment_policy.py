"""The `fulfillment_exceptions` section of a store policy: which teams resolve which exception, how.

An exception (reported by a warehouse system or seen on the platform) holds the order and opens one
OpenText task per team the exception type needs, in parallel. The first team listed for a type is
its lead: the lead's resolution is applied, unless any team chose `cancel-order`, which ends the
other tasks at once. A team that does not decide in time gets the type's `on_timeout` resolution.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator, model_validator

from routing.communications import LetterPurpose
from routing.review_sla import CancelReason, ReviewSla


class ExceptionType(StrEnum):
    INVENTORY_SHORTAGE = "inventory_shortage"
    BACKORDER = "backorder"
    ADDRESS_VALIDATION = "address_validation"
    PAYMENT_EXCEPTION = "payment_exception"
    PRICING_DISCREPANCY = "pricing_discrepancy"
    CARRIER_DELAY = "carrier_delay"


class Resolution(StrEnum):
    """What the teams can decide (the OpenText process model lists the same values). A case offers
    only those its platform can apply to its order (`FulfillmentSide.offers`): the first three
    everywhere, the line-level ones where the platform has an honest way to do them and the report
    names the lines."""

    SHIP_AS_IS = "ship-as-is"  # the cause is cleared (stock found, address confirmed): release
    NEW_DELIVERY_DATE = "new-delivery-date"  # release, mark the order and tell the customer the date
    CANCEL_ORDER = "cancel-order"  # cancel (refund and restock per `cancel`)
    CANCEL_LINES = "cancel-lines"  # take the reported lines off the order, refund them, ship the rest
    SPLIT_SHIPMENT = "split-shipment"  # ship the rest now; the reported lines stay held
    # Send another item in place of the reported lines (the report or the reviewer names its SKU);
    # the customer never pays more, a cheaper substitute is refunded the difference.
    SUBSTITUTE_ITEM = "substitute-item"


# The proactive letters a fulfillment policy may list (`routing.exception_letters` says which
# resolution sends which); the cancellation letter is sent whenever the policy sends letters.
EXCEPTION_LETTERS: tuple[LetterPurpose, ...] = (LetterPurpose.ORDER_DELAY, LetterPurpose.BACKORDER)

# Applicable on every platform and for every report: the only ones a timeout may default to.
UNIVERSAL_RESOLUTIONS = frozenset({Resolution.SHIP_AS_IS, Resolution.NEW_DELIVERY_DATE, Resolution.CANCEL_ORDER})


class ExceptionRoute(BaseModel):
    teams: list[str] = Field(min_length=1)  # candidate groups; the first is the lead
    resolutions: list[Resolution] = Field(default_factory=lambda: list(Resolution), min_length=1)
    on_timeout: Resolution

    @model_validator(mode="after")
    def _timeout_is_offered(self) -> ExceptionRoute:
        if self.on_timeout not in self.resolutions:
            raise ValueError(f"on_timeout {self.on_timeout.value} is not one of the offered resolutions")
        if self.on_timeout not in UNIVERSAL_RESOLUTIONS:
            # A default must apply to every order; line-level resolutions are not offered everywhere.
            raise ValueError(f"on_timeout {self.on_timeout.value} must be one of {sorted(UNIVERSAL_RESOLUTIONS)}")
        if len(set(self.teams)) != len(self.teams):
            raise ValueError("a team is listed twice")
        return self


class CancelAction(BaseModel):
    """`cancel-order`; `restock` and `notify_customer` apply to `cancel-lines` and `substitute-item`
    as well. `notify_customer` is the platform's own email, sent only when the policy has no
    `customer_notice` letter: the customer gets one message per decision, not two."""

    cancel_reason: CancelReason = "INVENTORY"
    refund: bool = True
    restock: bool = True
    notify_customer: bool = True


class ExceptionTags(BaseModel):
    open: str = "casebridge-exception"
    new_delivery_date: str = "casebridge-new-delivery-date"
    split_shipment: str = "casebridge-lines-waiting"  # some lines still held after a split shipment
    resolved: str = "casebridge-exception-resolved"


class FulfillmentExceptionPolicy(BaseModel):
    enabled: bool = True
    process_definition_key: str = "casebridge_fulfillment_exception"
    types: dict[ExceptionType, ExceptionRoute]
    escalation_suffix: str = "-leads"  # a team's escalation group: e.g. warehouse -> warehouse-leads
    sla: ReviewSla
    # A team's own SLA where it differs (finance may have three days where the warehouse has one).
    team_sla: dict[str, ReviewSla] = Field(default_factory=dict)
    cancel: CancelAction = Field(default_factory=CancelAction)
    tags: ExceptionTags = Field(default_factory=ExceptionTags)
    # The Exstream communication that tells the customer about a new date or a cancellation; None:
    # no letter (e.g. the platform notifies the customer itself).
    customer_notice: str | None = "Case Decision Letter"
    # The proactive letters sent instead of `customer_notice` where they apply (`routing.exception_letters`),
    # each under the store's name for it (`communications.letters`); one not listed: the decision letter.
    letters: list[LetterPurpose] = Field(default_factory=lambda: list(EXCEPTION_LETTERS))
    # Orders above this total always involve finance as well (money at stake), whatever the type.
    finance_above: Decimal | None = None
    finance_team: str = "finance"

    @field_validator("letters")
    @classmethod
    def _exception_letters(cls, letters: list[LetterPurpose]) -> list[LetterPurpose]:
        unsupported = sorted(set(letters) - set(EXCEPTION_LETTERS))
        if unsupported:
            raise ValueError(
                f"letters {', '.join(unsupported)} are not sent for fulfillment exceptions; "
                f"choose from {', '.join(EXCEPTION_LETTERS)}"
            )
        return letters

    @model_validator(mode="after")
    def _team_slas_name_known_teams(self) -> FulfillmentExceptionPolicy:
        known = {team for route in self.types.values() for team in route.teams} | {self.finance_team}
        unknown = sorted(set(self.team_sla) - known)
        if unknown:
            raise ValueError(f"team_sla names teams no exception type has: {', '.join(unknown)}")
        return self

    @property
    def platform_emails_customer(self) -> bool:
        """Whether the platform's own email tells the customer (the letter does otherwise)."""
        return self.cancel.notify_customer and self.customer_notice is None

    def route(self, exception_type: ExceptionType) -> ExceptionRoute | None:
        return self.types.get(exception_type)

    def teams_for(self, exception_type: ExceptionType, order_total: Decimal | None) -> list[str]:
        route = self.types[exception_type]
        teams = list(route.teams)
        money_at_stake = self.finance_above is not None and order_total is not None and order_total > self.finance_above
        if money_at_stake and self.finance_team not in teams:
            teams.append(self.finance_team)
        return teams
