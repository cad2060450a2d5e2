"""Catalogue events that make or find a product's ECM workspace (`workflows.product_workspace`), for
stores whose policy has `product_workspaces: true` and whose tenant files documents."""

from __future__ import annotations

from fastapi import HTTPException
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError

from activities.product_workspaces import ProductWorkspaceRequest
from casebridge.stores import Store, store_task_queue
from shim.cases import WebhookResult
from shim.deps import ShimDeps
from workflows.product_workspace import (
    ProductWorkspace,
    ProductWorkspaceInput,
    product_workspace_id,
    product_workspace_search_attributes,
)


def keeps_product_workspaces(deps: ShimDeps, store: Store) -> bool:
    if store.policy_file is None or not deps.registry.files_documents(store):
        return False
    return deps.policies.get(store.policy_file).product_workspaces


async def product_changed(deps: ShimDeps, store: Store, product_id: str, *, created: bool = False) -> WebhookResult:
    """Start the product's workspace job, for a product just created or changed; one already
    running takes this announcement too (a creation and its first update often come together)."""
    if not keeps_product_workspaces(deps, store):
        return WebhookResult(result="ignored", reasons=["the store keeps no product workspaces"])
    platform = store.platform.value
    job_id = product_workspace_id(platform, store.id, product_id)
    queue = None if store.activities_per_second is None else store_task_queue(deps.settings.task_queue, store)
    job = ProductWorkspaceInput(
        request=ProductWorkspaceRequest(
            tenant=store.opentext_tenant, platform=platform, store=store.id, product_id=product_id
        ),
        store_task_queue=queue,
    )
    try:
        await deps.temporal.start_workflow(
            ProductWorkspace.run,
            job,
            id=job_id,
            task_queue=deps.settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            search_attributes=product_workspace_search_attributes(platform, store.id, product_id),
            static_summary=f"Workspace of product {product_id} ({store.id})",
        )
    except RPCError as err:
        raise HTTPException(503, f"Temporal did not take the product's workspace job: {err.message}") from err
    return WebhookResult(
        result="started", case_id=job_id, reasons=["product created" if created else "product changed"]
    )
