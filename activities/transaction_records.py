"""The transaction archive's records: one self-contained HTML page per order and per transaction
document (invoice, credit memo, shipment), rendered from the platform's data inside the activity."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from html import escape

from activities.transaction_models import OrderTransactions, TransactionDocument, TransactionLine

TITLES = {
    "order-record": "Order record",
    "invoice": "Invoice",
    "credit-memo": "Credit memo",
    "tax-document": "Tax document",
    "shipping-document": "Shipment confirmation",
}


def order_record(order: OrderTransactions, store: str) -> bytes:
    facts = {
        "Store": store,
        "Order": order.order_name,
        "Order id": order.order_id,
        "Created": _when(order.created_at),
        "Status": order.status,
        "Customer id": order.customer_ref or "",
        "Subtotal": _money(order.subtotal, order.currency),
        "Tax": _money(order.tax_total, order.currency),
        "Total": _money(order.total, order.currency),
    }
    return _page(f"Order record {order.order_name}", facts, order.lines, order.currency)


def document_record(order: OrderTransactions, document: TransactionDocument, store: str) -> bytes:
    facts = {
        "Store": store,
        "Order": order.order_name,
        "Document": document.number,
        "Issued": _when(document.issued_at),
        "Amount": _money(document.amount, order.currency),
        **document.details,
    }
    title = f"{TITLES.get(document.kind.value, document.kind.value)} {document.number}"
    return _page(f"{title} (order {order.order_name})", facts, document.lines, order.currency)


def record_name(kind: str, number: str) -> str:
    """The record's document name: stable, so a rerun versions or keeps it, never copies it."""
    return f"{TITLES.get(kind, kind)} {number}.html"


def _page(title: str, facts: dict[str, str], lines: Iterable[TransactionLine], currency: str) -> bytes:
    fact_rows = "\n".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts.items() if v)
    line_rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{escape(cell)}</td>"
            for cell in (
                line.sku or "",
                line.title,
                str(line.quantity),
                _money(line.unit_price, currency),
                _money(line.total, currency),
            )
        )
        + "</tr>"
        for line in lines
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>
<h1>{escape(title)}</h1>
<table>
{fact_rows}
</table>
<table>
<thead><tr><th>SKU</th><th>Item</th><th>Quantity</th><th>Unit price</th><th>Total</th></tr></thead>
<tbody>
{line_rows}
</tbody>
</table>
</body></html>
""".encode()


def _money(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else f"{amount:.2f} {currency}"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
