"""The transaction archive's neutral view of an order: what each platform's reader
(`activities.transaction_readers`) makes of its order, refunds or credit memos, invoices and
shipments, and the archive renders into records. Read and filed inside one activity: these models
never travel through workflow payloads (they carry amounts and lines, and are large); only
`OrderKey`s and `OrderPage`s do, which name orders and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from routing.documents import DocumentKind


class TransactionLine(BaseModel):
    sku: str | None = None
    title: str
    quantity: int
    unit_price: Decimal | None = None
    total: Decimal | None = None


class TransactionDocument(BaseModel):
    """One archivable document of an order besides the order record: an invoice, a credit memo or
    refund, a tax document, a shipment confirmation."""

    kind: DocumentKind
    number: str  # the platform's id of the document (invoice id, refund id, shipment id)
    issued_at: datetime
    amount: Decimal | None = None
    lines: list[TransactionLine] = Field(default_factory=list)
    # Other facts worth keeping, by name: carrier, tracking number, reason, tax totals...
    details: dict[str, str] = Field(default_factory=dict)


class OrderTransactions(BaseModel):
    """An order and its transaction documents, with no personal data beyond the customer's id."""

    order_id: str  # the platform's id, as cases name orders
    order_name: str  # what people call it: "#1042", "100000123"
    created_at: datetime
    currency: str
    total: Decimal
    subtotal: Decimal | None = None
    tax_total: Decimal | None = None
    status: str  # the platform's own words for where the order is (financial/fulfilment status)
    customer_ref: str | None = None  # the platform's customer id
    lines: list[TransactionLine] = Field(default_factory=list)
    documents: list[TransactionDocument] = Field(default_factory=list)


class OrderKey(BaseModel):
    order_id: str
    order_name: str
    created_at: datetime


class OrderPage(BaseModel):
    """Orders created in a range, oldest first; `cursor` fetches the next page (None: the last)."""

    orders: list[OrderKey]
    cursor: str | None = None


class OrderPageRequest(BaseModel):
    platform: str
    store: str
    created_from: datetime
    created_to: datetime
    cursor: str | None = None
    limit: int = Field(default=50, ge=1, le=250)


class ArchiveOrderRequest(BaseModel):
    tenant: str  # the OpenText tenant whose Content Server keeps the order's workspace
    platform: str
    store: str
    order_id: str


class ArchivedDocument(BaseModel):
    """A transaction document in the order's workspace, by kind and the platform's number."""

    kind: DocumentKind
    number: str
    # A shipment that left ordered units to come (`activities.shipments`); False for other kinds.
    partial: bool = False


class ArchivedOrder(BaseModel):
    """What archiving one order did: its workspace and how many records were new, new versions or
    already there (a rerun archives nothing twice)."""

    order_id: str
    workspace_id: int
    filed: int = 0  # new documents or new versions
    unchanged: int = 0  # already in the workspace with this content
    documents: list[ArchivedDocument] = Field(default_factory=list)  # the order's transaction documents
    account_workspace_id: int | None = None  # the customer's account workspace it is linked under
