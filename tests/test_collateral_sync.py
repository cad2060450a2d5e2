"""Approved collateral to the storefronts end to end: a document filed into a product's ECM workspace
and approved by a reviewer (the simulated ECM's admin) appears on the product on Shopify, BigCommerce
and Adobe Commerce once the `CollateralSync` job has run on Temporal, and disappears once withdrawn;
a rerun changes nothing. The job's schedule is made by `apply_schedules` from the planner, and a
triggered run continues from the previous run's cursor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import ScheduleActionExecutionStartWorkflow, ScheduleActionStartWorkflow, WorkflowHandle

from activities.content_server import Filing
from activities.document_models import DocumentKind, OpenWorkspaceRequest, WorkspaceKind, WorkspaceSubject
from casebridge.collateral_schedule import collateral_schedule_id, plan_collateral_sync
from casebridge.schedules import apply_schedules
from casebridge.stores import Platform
from connectors.opentext.content_server_models import BusinessObject
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, ECM_NAME, SHOP, TENANT, ecm_system
from workflows.collateral_sync import (
    COLLATERAL_RETRY,
    CollateralCursor,
    CollateralSync,
    CollateralSyncInput,
    CollateralSyncResult,
    sync_search_attributes,
)

PDF = b"%PDF-1.4 collateral\n"


@dataclass
class Product:
    platform: Platform
    store: str
    bo_id: str  # as the product workspace's business object names it
    title: str


@dataclass
class Published:
    document_id: str
    title: str
    url: str


async def _product(stack: Stack, platform: Platform) -> Product:
    """A product seeded on the platform (as a merchant would create it)."""
    tag = uuid.uuid4().hex[:6].upper()
    if platform is Platform.SHOPIFY:
        answer = await stack.http.post(f"{stack.sandbox_url}/shopify/{SHOP}/_admin/products", json={"title": "Drill"})
        answer.raise_for_status()
        return Product(platform, SHOP, str(answer.json()["product"]["id"]), f"Drill {tag}")  # keyed by number
    if platform is Platform.BIGCOMMERCE:
        answer = await stack.http.post(
            f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}/products",
            json={"name": f"Drill {tag}", "sku": f"DRILL-{tag}", "price": "99.00"},
        )
        answer.raise_for_status()
        return Product(platform, BC_FLOW_STORE, str(answer.json()["id"]), f"Drill {tag}")
    sku = f"DRILL-{tag}"
    answer = await stack.http.post(
        f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}/products",
        json={"sku": sku, "name": f"Drill {tag}", "price": 99},
    )
    answer.raise_for_status()
    return Product(platform, ADOBE_STORE, sku, f"Drill {tag}")


async def _file_collateral(
    stack: Stack, product: Product, name: str, kind: DocumentKind = DocumentKind.COLLATERAL
) -> tuple[int, int]:
    """The product's workspace (created from the layout's template) and a document filed into it
    (collateral: into its collateral folder): their node ids."""
    filing = Filing(stack.connections)
    workspace = await filing.open_workspace(
        OpenWorkspaceRequest(
            tenant=TENANT,
            platform=product.platform.value,
            store=product.store,
            subject=WorkspaceSubject(
                kind=WorkspaceKind.PRODUCT,
                bo_type="product",
                bo_id=product.bo_id,
                title=f"{product.title} ({product.store})",
                keys={"Product id": product.bo_id, "Store": product.store, "Title": product.title},
            ),
        )
    )
    filed = await filing.file(workspace, kind, name, PDF, mime_type="application/pdf")
    return workspace.node_id, filed.node_id


async def _review(stack: Stack, node_id: int, status: str) -> None:
    """What a reviewer does in Extended ECM: set the document's status (the sandbox's admin stands in)."""
    answer = await stack.http.post(
        f"{stack.sandbox_url}/opentext/otcs/_admin/tenants/{ECM_NAME}/nodes/{node_id}/document-status",
        json={"status": status},
    )
    assert answer.status_code == 200, answer.text


async def _published(stack: Stack, product: Product) -> list[Published]:
    """The documents shown on the product, as its platform has them."""
    if product.platform is Platform.SHOPIFY:
        gid = f"gid://shopify/Product/{product.bo_id}"
        shown = await stack.connections.shopify(product.store).product_documents(gid)
        return [Published(d.document_id, d.title, str(d.url)) for d in shown]
    if product.platform is Platform.BIGCOMMERCE:
        fields = await stack.connections.bigcommerce(product.store).product_documents(int(product.bo_id))
        return [Published(d.document_id, d.title, d.url) for d in fields]
    documents = stack.connections.adobe_commerce(product.store).product_documents
    return [Published(d.document_id, d.title, str(d.url)) for d in await documents.product_documents(product.bo_id)]


async def _start(stack: Stack, cursor: CollateralCursor) -> WorkflowHandle[CollateralSync, CollateralSyncResult]:
    """One run of the job, started as its schedule would start it, from `cursor`."""
    return await stack.client.start_workflow(
        CollateralSync.run,
        CollateralSyncInput(tenant=TENANT, cursor=cursor),
        id=f"collateral-sync/{TENANT}-test-{uuid.uuid4().hex[:8]}",
        task_queue=stack.settings.task_queue,
        search_attributes=sync_search_attributes(),
        static_summary="test run",
    )


async def _run(stack: Stack, cursor: CollateralCursor) -> CollateralSyncResult:
    result: CollateralSyncResult = await (await _start(stack, cursor)).result()
    return result


@pytest.mark.parametrize("platform", list(Platform))
async def test_approved_collateral_appears_on_the_product_and_goes_when_withdrawn(
    stack: Stack, platform: Platform
) -> None:
    start = CollateralCursor(since=datetime.now(UTC) - timedelta(seconds=1))
    product = await _product(stack, platform)
    workspace, sheet = await _file_collateral(stack, product, "Drill spec sheet.pdf")
    _, draft = await _file_collateral(stack, product, "Drill manual.pdf")
    _, report = await _file_collateral(stack, product, "Drill test report.pdf", DocumentKind.EVIDENCE)
    ecm = stack.connections.content_server(TENANT)
    assert await ecm.business_objects_of(workspace) == [
        BusinessObject(ext_system_id=ecm_system(platform.value, product.store), bo_type="product", bo_id=product.bo_id)
    ]
    assert await ecm.business_objects_of(sheet) == []  # a document is no workspace

    await _review(stack, sheet, "Approved")
    await _review(stack, draft, "Draft")  # still under review: stays off the storefront
    await _review(stack, report, "Approved")  # approved, but no collateral: not for shoppers
    first_run = await _start(stack, start)
    first = await first_run.result()
    if platform is Platform.SHOPIFY:
        await keep_history(first_run, "collateral_sync_published")
    shown = await _published(stack, product)
    assert [(d.document_id, d.title) for d in shown] == [(str(sheet), "Drill spec sheet")]
    assert shown[0].url.endswith(f"/tenants/{ECM_NAME}/nodes/{sheet}/versions/1/content")
    assert first.progress.published >= 1  # other tests' collateral of the last minutes is read again too
    assert not [f for f in first.progress.failures if f"document {sheet}" in f]

    # The link works: it serves the approved version's content.
    assert (await stack.http.get(shown[0].url)).content == PDF

    rerun = await _run(stack, first.cursor)
    assert (rerun.progress.published, rerun.progress.withdrawn) == (0, 0)  # read again, done once
    assert [(d.document_id, d.title, d.url) for d in await _published(stack, product)] == [
        (d.document_id, d.title, d.url) for d in shown
    ]

    await _review(stack, sheet, "Withdrawn")
    withdrawn = await _run(stack, rerun.cursor)
    assert withdrawn.progress.withdrawn == 1
    assert await _published(stack, product) == []

    again = await _run(stack, withdrawn.cursor)
    assert (again.progress.published, again.progress.withdrawn, again.progress.failed) == (0, 0, 0)
    assert await _published(stack, product) == []


async def test_collateral_of_a_product_the_platform_does_not_know_is_reported(stack: Stack) -> None:
    start = CollateralCursor(since=datetime.now(UTC) - timedelta(seconds=1))
    missing = Product(Platform.ADOBE_COMMERCE, ADOBE_STORE, f"NO-SUCH-{uuid.uuid4().hex[:6]}", "Gone")
    _, sheet = await _file_collateral(stack, missing, "Gone spec sheet.pdf")
    await _review(stack, sheet, "Approved")

    result = await _run(stack, start)

    (failure,) = [f for f in result.progress.failures if f"document {sheet}" in f]
    assert missing.bo_id in failure and "NotFoundError" in failure
    assert result.cursor.carried == []  # refused for good: not tried again next run
    again = await _run(stack, result.cursor)
    assert again.progress.failed == 0


async def test_collateral_that_fails_for_a_while_is_published_by_the_next_run(stack: Stack) -> None:
    start = CollateralCursor(since=datetime.now(UTC) - timedelta(seconds=1))
    product = await _product(stack, Platform.ADOBE_COMMERCE)
    _, sheet = await _file_collateral(stack, product, "Drill spec sheet.pdf")
    await _review(stack, sheet, "Approved")
    # Adobe Commerce is down for this product for every attempt of the run.
    await stack.fault(
        system="adobe-commerce",
        operation="PUT /V1/products/{sku}",
        effect="http_503",
        times=COLLATERAL_RETRY.maximum_attempts,
        store=ADOBE_STORE,
        order=product.bo_id,
    )

    first = await _run(stack, start)
    assert [c.node_id for c in first.cursor.carried] == [sheet]
    assert not [f for f in first.progress.failures if f"document {sheet}" in f]
    assert await _published(stack, product) == []

    second = await _run(stack, first.cursor)
    assert (second.progress.published, second.cursor.carried) == (1, [])
    assert [d.document_id for d in await _published(stack, product)] == [str(sheet)]


async def test_the_schedule_is_planned_per_tenant_and_runs_continue_from_the_last_cursor(stack: Stack) -> None:
    jobs = plan_collateral_sync(stack.registry)
    assert [j.id for j in jobs] == [collateral_schedule_id(TENANT)]
    applied = await apply_schedules(stack.client, jobs, stack.settings.task_queue)
    assert [(a.schedule_id, a.change) for a in applied] == [(collateral_schedule_id(TENANT), "created")]
    schedule = stack.client.get_schedule_handle(collateral_schedule_id(TENANT))
    try:
        described = await schedule.describe()
        assert [i.every for i in described.schedule.spec.intervals] == [timedelta(hours=1)]  # the tenant's
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "CollateralSync"

        product = await _product(stack, Platform.BIGCOMMERCE)
        _, sheet = await _file_collateral(stack, product, "Drill installation guide.pdf")
        await _review(stack, sheet, "Approved")

        async def triggered_run() -> CollateralSyncResult:
            before = (await schedule.describe()).info.num_actions
            await schedule.trigger()

            async def started() -> str | None:
                info = (await schedule.describe()).info
                if info.num_actions <= before:
                    return None
                action = info.recent_actions[-1].action
                assert isinstance(action, ScheduleActionExecutionStartWorkflow)
                return action.workflow_id

            run_id = await eventually(started, what="the triggered run to start")
            result: CollateralSyncResult = await stack.client.get_workflow_handle(
                run_id, result_type=CollateralSyncResult
            ).result()
            return result

        first = await triggered_run()  # no previous run: from the beginning
        assert first.progress.published >= 1
        assert [d.document_id for d in await _published(stack, product)] == [str(sheet)]

        second = await triggered_run()  # from the first run's cursor: nothing published again
        assert second.progress.published == 0
        assert second.cursor.since >= first.cursor.since
    finally:
        await schedule.delete()
