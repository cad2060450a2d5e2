"""Which proactive letter tells the customer how a fulfillment exception was resolved. Pure data.

Stock problems (a backorder, an inventory shortage) leave some lines waiting: the customer gets the
"Backorder Letter" naming them, whether the rest ships now (`split-shipment`), the order ships later
(`new-delivery-date`) or ships as ordered once restocked (`ship-as-is`). Any other exception that
moves the date (a carrier delay, an address or payment hold) gets the "Order Delay Letter".
Everything else has no proactive letter of its own: a cancelled order gets the cancellation letter,
other resolutions the case's decision letter saying what was done (`ship-as-is` of any other
exception: none, the order ships as the customer expects).

A store's fulfillment policy lists the proactive letters it sends (`FulfillmentExceptionPolicy.letters`);
one it does not list falls back to the decision letter (or none), as before these letters existed.
"""

from __future__ import annotations

from datetime import date

from routing.communications import LetterPurpose
from routing.fulfillment_policy import ExceptionType, Resolution

STOCK_EXCEPTIONS = frozenset({ExceptionType.BACKORDER, ExceptionType.INVENTORY_SHORTAGE})

# (the exception is a stock problem, the resolution) -> the letter; absent: no proactive letter.
PROACTIVE_LETTERS: dict[tuple[bool, Resolution], LetterPurpose] = {
    (True, Resolution.SPLIT_SHIPMENT): LetterPurpose.BACKORDER,
    (True, Resolution.NEW_DELIVERY_DATE): LetterPurpose.BACKORDER,
    (True, Resolution.SHIP_AS_IS): LetterPurpose.BACKORDER,  # ships once restocked
    (False, Resolution.NEW_DELIVERY_DATE): LetterPurpose.ORDER_DELAY,
}


def proactive_letter(exception_type: ExceptionType, resolution: Resolution) -> LetterPurpose | None:
    """The proactive letter for an exception of this type resolved this way; None: none."""
    return PROACTIVE_LETTERS.get((exception_type in STOCK_EXCEPTIONS, resolution))


def delivery_date_of(given: str | None, today: date) -> date | None:
    """The reviewer's `deliveryDate` as a date (None when not given); ValueError, saying why, when it
    is not an ISO date (YYYY-MM-DD) or is before `today`: the letter would tell the customer nonsense."""
    if given is None or not given.strip():
        return None
    try:
        when = date.fromisoformat(given.strip()) if len(given.strip()) == 10 else None
    except ValueError:
        when = None
    if when is None:
        raise ValueError(f"deliveryDate must be a date as YYYY-MM-DD, got {given!r}")
    if when < today:
        raise ValueError(f"deliveryDate {when.isoformat()} is in the past (today is {today.isoformat()})")
    return when
