"""Every case kind Casebridge runs, and the jobs beside them. The worker registers their workflows
and activities from these lists, and the shim starts cases through `CASE_KINDS`; a new case type is
one more entry."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from workflows import abandoned_cart, fulfillment_exception, order_documents, order_review, return_case
from workflows.archive_backfill import TransactionArchiveBackfill
from workflows.collateral_sync import CollateralSync
from workflows.customer_letter import CustomerLetter
from workflows.delivery_outcomes import DeliveryOutcomeFeed
from workflows.kinds import CaseKind
from workflows.monthly_statements import MonthlyStatements
from workflows.product_workspace import ProductWorkspace

with workflow.unsafe.imports_passed_through():
    from activities.abandoned_carts import AbandonedCartActivities
    from activities.collateral import CollateralFeed
    from activities.collateral_publishing import CollateralPublishing
    from activities.letters import LetterActivities
    from activities.order_triggers import OrderTriggerActivities
    from activities.preferences import PreferenceActivities
    from activities.product_workspaces import ProductWorkspaceActivities
    from activities.statements import StatementActivities
    from activities.transaction_archive import TransactionArchiveActivities

CASE_KINDS: tuple[CaseKind[Any], ...] = (
    order_review.KIND,
    return_case.KIND,
    fulfillment_exception.KIND,
    order_documents.KIND,
    abandoned_cart.KIND,
)

# Workflows that are no case: the transaction archive's backfill, the delivery outcome feed, the B2B
# monthly statements, the collateral sync, and the customer letters cases start.
JOB_WORKFLOWS: tuple[type, ...] = (
    TransactionArchiveBackfill,
    DeliveryOutcomeFeed,
    MonthlyStatements,
    CollateralSync,
    CustomerLetter,
    ProductWorkspace,
)
# The activities of those jobs that run on the shared queue.
JOB_ACTIVITIES: tuple[type, ...] = (PreferenceActivities, CollateralFeed)
# Activities that call a store and so run on its rate-limited queue too, when it has one.
STORE_BOUND_ACTIVITIES: tuple[type, ...] = (
    TransactionArchiveActivities,
    StatementActivities,
    LetterActivities,
    CollateralPublishing,
    OrderTriggerActivities,
    ProductWorkspaceActivities,
    AbandonedCartActivities,
)


def kind_named(name: str) -> CaseKind[Any]:
    for kind in CASE_KINDS:
        if kind.name == name:
            return kind
    raise KeyError(f"no case kind {name!r}; known: {', '.join(k.name for k in CASE_KINDS)}")
