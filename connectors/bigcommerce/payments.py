"""Refunds (v3 payment actions): quote, then refund, never twice.

BigCommerce offers no idempotency key for refunds, so `refund_once` guards a retried call itself:
every item's `reason` carries a marker derived from the caller's key, and the order's existing
refunds are read before anything is written. A call repeated after a timeout therefore finds the
refund the first call made (the marker is in its items) and returns it instead of refunding again.
The quote comes next because BigCommerce checks a refund's payment amounts against what the quote
offers (422 otherwise), and the quote also caps the amount at what is still refundable.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.bigcommerce.contract import REASON_MAX_LENGTH, REFUND_MARKER, SYSTEM
from connectors.bigcommerce.models import (
    PaymentOption,
    Refund,
    RefundItemRequest,
    RefundOutcome,
    RefundPaymentRequest,
    RefundQuote,
)
from connectors.bigcommerce.rest import RestBase, parse, segment
from connectors.errors import ContractError, RejectedError


def marked_reason(reason: str, key: str) -> str:
    """`reason` plus the marker, cut so that the marker always survives the length limit."""
    marker = REFUND_MARKER.format(key=key)
    room = REASON_MAX_LENGTH - len(marker) - 1
    if room < 0:
        raise ValueError("refund key too long for the reason field")
    return f"{reason[:room]} {marker}".strip()


def refund_with_marker(refunds: list[Refund], key: str) -> Refund | None:
    marker = REFUND_MARKER.format(key=key)
    for refund in refunds:
        if any(item.reason and marker in item.reason for item in refund.items) or (
            refund.reason and marker in refund.reason
        ):
            return refund
    return None


def choose_method(quote: RefundQuote, provider_id: str | None) -> list[PaymentOption]:
    """The refund method to use: the one holding `provider_id` when given, else the first one whose
    options add up to the full quoted amount (a method may offer less, e.g. store credit only up to
    what was paid with it)."""
    for method in quote.refund_methods:
        if provider_id is not None and not any(option.provider_id == provider_id for option in method):
            continue
        if provider_id is not None or sum((o.amount for o in method), Decimal(0)) == quote.total_refund_amount:
            return method
    wanted = f"with provider {provider_id!r}" if provider_id else "covering the quoted amount"
    raise RejectedError(f"no refund method {wanted}", system=SYSTEM, operation="refund_once")


class PaymentsApi(RestBase):
    async def refund_quote(self, order_id: int, items: list[RefundItemRequest]) -> RefundQuote:
        data = await self._v3_data(
            "refund_quote",
            "POST",
            f"/orders/{segment(order_id)}/payment_actions/refund_quotes",
            json={"items": [item.wire() for item in items]},
        )
        return parse(RefundQuote, data, "refund_quote")

    async def list_refunds(self, order_id: int) -> list[Refund]:
        """Refunds of one order, oldest first. The endpoint answers all of them in one page."""
        data = await self._v3_data("list_refunds", "GET", f"/orders/{segment(order_id)}/payment_actions/refunds")
        if not isinstance(data, list):
            raise ContractError("refund list without a data array", system=SYSTEM, operation="list_refunds")
        return [parse(Refund, item, "list_refunds") for item in data]

    async def get_refund(self, refund_id: int) -> Refund:
        data = await self._v3_data("get_refund", "GET", f"/orders/payment_actions/refunds/{segment(refund_id)}")
        return parse(Refund, data, "get_refund")

    async def create_refund(
        self, order_id: int, items: list[RefundItemRequest], payments: list[RefundPaymentRequest]
    ) -> Refund:
        """One raw refund request, NOT guarded against repetition: prefer `refund_once`."""
        data = await self._v3_data(
            "create_refund",
            "POST",
            f"/orders/{segment(order_id)}/payment_actions/refunds",
            json={"items": [item.wire() for item in items], "payments": [p.wire() for p in payments]},
        )
        return parse(Refund, data, "create_refund")

    async def refund_once(
        self,
        order_id: int,
        items: list[RefundItemRequest],
        *,
        key: str,
        reason: str,
        provider_id: str | None = None,
    ) -> RefundOutcome:
        """Refund `items` at most once per `key` (e.g. the case id): read, quote, then refund."""
        existing = refund_with_marker(await self.list_refunds(order_id), key)
        if existing is not None:
            return RefundOutcome(refund=existing, created=False)
        text = marked_reason(reason, key)
        marked = [item.model_copy(update={"reason": text}) for item in items]
        quote = await self.refund_quote(order_id, marked)
        if quote.total_refund_amount <= 0:
            raise RejectedError("nothing left to refund", system=SYSTEM, operation="refund_once")
        payments = [
            RefundPaymentRequest(provider_id=o.provider_id, amount=o.amount, offline=o.offline)
            for o in choose_method(quote, provider_id)
        ]
        refund = await self.create_refund(order_id, marked, payments)
        return RefundOutcome(refund=refund, created=True)
