"""A product's workspace, made or found when the catalogue announces the product (a job per product:
`product-workspace/<platform>/<store>/<product>`). Every later announcement runs it again, which
finds the same workspace; a running one takes the announcement that comes meanwhile.

A product the platform no longer has, or a workspace Content Server refuses, fails the run with the
reason (`CaseType="product-workspace"` lists them); the product's next update runs it again.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes

with workflow.unsafe.imports_passed_through():
    from activities.product_workspaces import (
        ProductWorkspaceActivities,
        ProductWorkspaceRequest,
        ProductWorkspaceResult,
    )

from workflows import search_attributes as sa
from workflows.retries import API_RETRY, API_TIMEOUT

JOB_TYPE = "product-workspace"


class ProductWorkspaceInput(BaseModel):
    request: ProductWorkspaceRequest
    store_task_queue: str | None = None  # the store's rate-limited queue, when it has one


def product_workspace_id(platform: str, store: str, product_id: str) -> str:
    return f"{JOB_TYPE}/{platform}/{store}/{product_id}"


def product_workspace_search_attributes(platform: str, store: str, product_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.CASE_TYPE, JOB_TYPE),
            SearchAttributePair(sa.CASE_PLATFORM, platform),
            SearchAttributePair(sa.CASE_STORE, store),
            SearchAttributePair(sa.CASE_REF, product_id),
        ]
    )


@workflow.defn(name="ProductWorkspace")
class ProductWorkspace:
    @workflow.run
    async def run(self, input: ProductWorkspaceInput) -> ProductWorkspaceResult:
        request = input.request
        result = await workflow.execute_activity_method(
            ProductWorkspaceActivities.ensure_product_workspace,
            request,
            task_queue=input.store_task_queue or workflow.info().task_queue,
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Find or make the workspace of product {request.product_id}",
        )
        supplier = f", under supplier workspace {result.supplier_workspace_id}" if result.supplier_workspace_id else ""
        made = "made" if result.created else "found"
        workflow.set_current_details(f"Workspace {result.workspace_id} {made}{supplier}")
        return result
