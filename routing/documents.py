"""The vocabulary of Casebridge's documents: which business workspaces exist and what kinds of
document are filed into them. Which template, folder and retention each maps to is the deployment's
ECM layout (`casebridge.stores.EcmLayout`)."""

from __future__ import annotations

from enum import StrEnum


class WorkspaceKind(StrEnum):
    """The business workspaces Casebridge files into (one per business object)."""

    ORDER = "order"
    ACCOUNT = "account"  # a customer, or a B2B company
    PRODUCT = "product"
    CASE = "case"  # a return, warranty claim or service case
    SUPPLIER = "supplier"


class DocumentKind(StrEnum):
    """What a filed document is; the layout decides its folder and retention per workspace kind."""

    ORDER_RECORD = "order-record"  # the transaction archive's record of the order itself
    ORDER_CONFIRMATION = "order-confirmation"
    INVOICE = "invoice"
    CREDIT_MEMO = "credit-memo"
    TAX_DOCUMENT = "tax-document"
    SHIPPING_DOCUMENT = "shipping-document"
    CORRESPONDENCE = "correspondence"
    EXCEPTION_NOTE = "exception-note"
    EVIDENCE = "evidence"
    DECISION = "decision"
    AUDIT_REPORT = "audit-report"
    AGREEMENT = "agreement"
    COLLATERAL = "collateral"
    STATEMENT = "statement"  # a B2B company's monthly statement of account
