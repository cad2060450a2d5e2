"""How a case words what its store did, for its status detail and audit trail: one wording for
every platform, from the store adapters' typed results."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.models import LineQuantity, SubstituteItemsResult

from workflows.store.base import Cancellation, LinesCancelled, Refund


def describe_refund(refund: Refund | None, *, skipped: str = "refund skipped by an operator") -> str:
    if refund is None:
        return skipped
    if refund.refund_id is None:
        return "nothing left to refund"
    found = "" if refund.created else ", found the earlier one"
    return f"refunded {refund.amount:.2f} {refund.currency} ({refund.document} {refund.refund_id}{found})"


def describe_cancellation(cancellation: Cancellation) -> str:
    if cancellation.refund is not None:
        money = describe_refund(cancellation.refund)
    elif cancellation.refunded_by_platform:
        money = "refunded"
    elif cancellation.refund_skipped:
        money = "refund skipped by an operator"
    elif cancellation.refund_withheld:
        money = "not refunded (policy)"
    else:
        money = "not refunded"
    return f"{'order cancelled' if cancellation.cancelled else 'nothing left to cancel'}, {money}"


def describe_lines(lines: list[LineQuantity]) -> str:
    return ", ".join(f"{line.quantity} x {line.sku}" for line in lines)


def describe_lines_cancelled(result: LinesCancelled) -> str:
    if result.nothing_to_cancel:
        return "no order line matched; nothing cancelled"
    if result.skipped:
        return "the edit or its refund was skipped by an operator"
    if result.refund is None or result.refund.refund_id is None:
        return "nothing was paid for them"
    return describe_refund(result.refund)


def describe_substitution(result: SubstituteItemsResult | None) -> str:
    if result is None:
        return "substitution skipped by an operator"
    swapped = ", ".join(
        f"{line.quantity} x {line.sku} -> {line.substitute_title or line.substitute_sku}" for line in result.lines
    )
    if result.refunded > 0:
        return f"{swapped}; difference refunded {result.refunded:.2f} {result.currency}"
    if result.absorbed > 0:
        return f"{swapped}; {result.absorbed:.2f} {result.currency} absorbed (no extra charge)"
    return swapped
