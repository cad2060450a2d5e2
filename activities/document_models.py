"""What cases and the document activities exchange about Extended ECM business workspaces.

Cases name workspaces and documents by business meaning (an order's workspace, a decision record);
the deployment's layout (`casebridge.stores.EcmLayout`) turns that into template, category and
folder ids inside the activities. Only references (node ids, names, versions) come back: document
content never travels through workflow payloads.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from routing.documents import DocumentKind, WorkspaceKind

__all__ = [
    "CaseRecordRequest",
    "DocumentKind",
    "FiledDocument",
    "OpenWorkspaceRequest",
    "RecordEntry",
    "WorkspaceKind",
    "WorkspaceRef",
    "WorkspaceSubject",
    "company_workspace",
    "order_workspace",
    "product_workspace",
    "supplier_workspace",
]


class WorkspaceSubject(BaseModel):
    """The business object a workspace belongs to, and what Casebridge knows of it for search."""

    kind: WorkspaceKind
    bo_type: str  # the business object type as the ECM's external system names it: order, return...
    bo_id: str  # the platform's own id of the object
    title: str  # the workspace name, e.g. "Order #1042"; no personal data
    # Business keys for the workspace's category, by the layout's attribute names ("Order number").
    keys: dict[str, str] = Field(default_factory=dict)


class OpenWorkspaceRequest(BaseModel):
    tenant: str  # the OpenText tenant whose Content Server keeps the workspace
    platform: str
    store: str  # with the platform, selects the ECM external system the store is known as
    subject: WorkspaceSubject
    # The workspaces this one belongs under (a return's order): opened too, and linked as parents.
    related_to: list[WorkspaceSubject] = Field(default_factory=list)


class WorkspaceRef(BaseModel):
    """A business workspace: enough to file into it again without looking it up."""

    tenant: str
    kind: WorkspaceKind
    node_id: int
    name: str
    created: bool = False  # this call created it (False: it existed already)


class RecordEntry(BaseModel):
    """One line of a case record: who did what, when."""

    at: datetime
    event: str
    detail: str = ""
    actor: str = "casebridge"


class CaseRecordRequest(BaseModel):
    """A record Casebridge writes itself (a decision, evidence received, the closing audit report),
    rendered and filed by the activity from these entries."""

    workspace: WorkspaceRef
    kind: DocumentKind
    case_id: str
    case_title: str  # "Order review #1042"
    name: str  # the document's name in its folder; the same name adds a version
    status: str | None = None  # the case's status when the record was made
    entries: list[RecordEntry]


class FiledDocument(BaseModel):
    """Where a document went: node, version, and whether this call changed anything."""

    node_id: int
    name: str
    folder: str
    version: int
    unchanged: bool = False  # the same content was there already (a repeated call)


def order_workspace(
    store: str, order_id: str, order_name: str, *, total: Decimal | None = None, currency: str | None = None
) -> WorkspaceSubject:
    """The order's workspace: every case about one order files into the same one. Its name says the
    store: names are unique per folder, and two stores have orders of the same number."""
    keys = {"Order number": order_name, "Store": store}
    if total is not None:
        keys["Total"] = str(total)
    if currency:
        keys["Currency"] = currency
    return WorkspaceSubject(
        kind=WorkspaceKind.ORDER, bo_type="order", bo_id=order_id, title=f"Order {order_name} ({store})", keys=keys
    )


def customer_workspace(store: str, customer_id: str) -> WorkspaceSubject:
    """A customer's account workspace: their orders' workspaces linked under it, agreements and
    escalation notes in it. Named by the platform's id, not the person (names are personal data)."""
    return WorkspaceSubject(
        kind=WorkspaceKind.ACCOUNT,
        bo_type="customer",
        bo_id=customer_id,
        title=f"Customer {customer_id} ({store})",
        keys={"Account id": customer_id, "Store": store, "Account type": "customer"},
    )


def product_workspace(store: str, product_id: str, title: str, sku: str | None) -> WorkspaceSubject:
    """A product's workspace: compliance certificates, safety data sheets, warranty terms, country
    declarations, test reports and the collateral the storefront shows. Named with its SKU (or id)
    and store: two products may share a title, two stores a SKU."""
    keys = {"Product id": product_id, "Store": store, "Title": title}
    if sku:
        keys["SKU"] = sku
    return WorkspaceSubject(
        kind=WorkspaceKind.PRODUCT,
        bo_type="product",
        bo_id=product_id,
        title=f"{title} ({sku or product_id}, {store})",
        keys=keys,
    )


def supplier_workspace(store: str, supplier_id: str, supplier_name: str) -> WorkspaceSubject:
    """A supplier's workspace: agreements, specifications, lead-time confirmations and quality
    documents; the order workspaces of exceptions the supplier caused are linked under it."""
    return WorkspaceSubject(
        kind=WorkspaceKind.SUPPLIER,
        bo_type="supplier",
        bo_id=supplier_id,
        title=f"{supplier_name} ({store})",
        keys={"Supplier id": supplier_id, "Name": supplier_name},
    )


def company_workspace(store: str, company_id: str, company_name: str) -> WorkspaceSubject:
    """A B2B company's account workspace: its statements and agreements, whoever of its buyers
    ordered. Named after the company and the store, as two stores may sell to one company."""
    return WorkspaceSubject(
        kind=WorkspaceKind.ACCOUNT,
        bo_type="company",
        bo_id=company_id,
        title=f"{company_name} ({store})",
        keys={"Account id": company_id, "Store": store, "Company": company_name, "Account type": "company"},
    )
