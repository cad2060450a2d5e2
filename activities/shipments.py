"""Which ordered units a shipment leaves still to come: the order's lines less what this shipment and
the shipments before it carried, and less what was refunded before it (units refunded unshipped are
not coming). Read from the platform inside an activity, so the quantities never enter a workflow's
history; the workflow learns one flag per shipment (`ArchivedDocument.partial`).

The answer for a shipment depends only on the documents up to it (shipments ordered by when they
were made, then by number), so the order read again later, with more shipments or refunds, gives it
the same answer: a letter decided once stays right.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from activities.transaction_models import OrderTransactions, TransactionDocument, TransactionLine
from routing.documents import DocumentKind


def _line_key(line: TransactionLine) -> str:
    # ASSUMPTION: lines are matched across the order and its documents by SKU, else by title (every
    # platform's reader names a document line's product by the order line's SKU and title).
    return line.sku or line.title


def _number_order(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (0, number)


def _shipments_up_to(order: OrderTransactions, shipment: TransactionDocument) -> list[TransactionDocument]:
    def position(d: TransactionDocument) -> tuple[datetime, tuple[int, str]]:
        return d.issued_at, _number_order(d.number)

    return [
        d for d in order.documents if d.kind is DocumentKind.SHIPPING_DOCUMENT and position(d) <= position(shipment)
    ]


def units_to_come(order: OrderTransactions, shipment_number: str) -> list[TransactionLine]:
    """The order's lines with the quantity still to ship after the shipment `shipment_number`
    (lines fully shipped or refunded left out); `LookupError` when the order has no such shipment.

    ASSUMPTION: a refund issued before the shipment takes its units off what is to come (a line
    cancelled before shipping); a later refund (a return) does not change what the shipment left."""
    shipment = next(
        (d for d in order.documents if d.kind is DocumentKind.SHIPPING_DOCUMENT and d.number == shipment_number), None
    )
    if shipment is None:
        raise LookupError(f"order {order.order_name} has no shipment {shipment_number!r}")
    if not shipment.lines:
        return []  # ASSUMPTION: a shipment that names no lines carried what the order still held
    done: Counter[str] = Counter()
    for shipped in _shipments_up_to(order, shipment):
        done.update({_line_key(line): line.quantity for line in shipped.lines})
    for refund in order.documents:
        if refund.kind is DocumentKind.CREDIT_MEMO and refund.issued_at < shipment.issued_at:
            done.update({_line_key(line): line.quantity for line in refund.lines})
    remaining: list[TransactionLine] = []
    for line in order.lines:
        key = _line_key(line)
        settled = min(done[key], line.quantity)
        done[key] -= settled  # the same SKU on two lines: what shipped counts against the first
        if line.quantity > settled:
            remaining.append(TransactionLine(sku=line.sku, title=line.title, quantity=line.quantity - settled))
    return remaining
