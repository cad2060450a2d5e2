"""The transaction archive's backfill end to end: a store's orders of a date range archived into
their ECM workspaces by the `TransactionArchiveBackfill` job on Temporal, continuing as new page by
page, interrupted (terminated) half-way and started again for the same range without duplicating a
document. Runs on the shop no flow subscribes to, so no case starts for its orders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import WorkflowExecutionStatus

from casebridge.archive_backfill import backfill_input, start_backfill
from connectors.opentext.content_server_models import BusinessObject
from connectors.shopify.models import Order
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import SLA_SHOP, TENANT, ecm_system
from workflows.archive_backfill import BackfillInput, BackfillProgress, BackfillResult, TransactionArchiveBackfill

ORDERS = 5


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def _order(stack: Stack, number: int) -> Order:
    email = f"archive-{uuid.uuid4().hex[:8]}@example.test"
    return await stack.shop(SLA_SHOP).create_order(
        {
            "currency": "USD",
            "email": email,
            "customer": {"toUpsert": {"email": email}},
            "lineItems": [
                {"title": f"Lamp {number}", "sku": f"LAMP-{number}", "quantity": 1, "priceSet": _money("30.00")}
            ],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "manual", "amountSet": _money("30.00")}],
        }
    )


def _job(stack: Stack, start: datetime, end: datetime) -> BackfillInput:
    registry = stack.connections.registry
    store = next(s for s in registry.stores if s.id == SLA_SHOP)
    job = backfill_input(registry, stack.settings, store, start, end, page_size=2)
    return job.model_copy(update={"pages_per_run": 1})  # continue as new after every page


async def test_backfill_is_resumable_and_duplicates_nothing(stack: Stack) -> None:
    start = datetime.now(UTC) - timedelta(seconds=1)
    orders = [await _order(stack, n) for n in range(ORDERS)]
    end = datetime.now(UTC) + timedelta(seconds=1)
    job = _job(stack, start, end)

    # First run: stopped by an operator once two orders are archived.
    first = await start_backfill(stack.client, stack.settings, job)
    assert not first.already_running
    latest = stack.client.get_workflow_handle_for(TransactionArchiveBackfill.run, first.handle.id)

    async def two_archived() -> BackfillProgress | None:
        progress = await latest.query(TransactionArchiveBackfill.status)
        return progress if progress.orders >= 2 else None

    await eventually(two_archived, what="two orders archived")
    await latest.terminate(reason="test: interrupted half-way")

    # Started again for the same range: it runs to the end, duplicating nothing.
    again = await start_backfill(stack.client, stack.settings, job)
    assert not again.already_running
    result: BackfillResult = await again.handle.result()
    await keep_history(again.handle, "archive_backfill_resumed")
    assert result.complete and result.progress.orders == ORDERS
    assert result.progress.runs >= 3  # five orders, two per page, one page per run
    assert result.progress.documents_unchanged >= 2  # the orders the first run had archived
    description = await stack.client.get_workflow_handle(first.handle.id).describe()
    assert description.status is WorkflowExecutionStatus.COMPLETED

    ecm = stack.connections.content_server(TENANT)
    for order in orders:
        workspace = await ecm.find_business_workspace(
            BusinessObject(
                ext_system_id=ecm_system("shopify", SLA_SHOP), bo_type="order", bo_id=order.legacy_resource_id
            )
        )
        assert workspace is not None
        records = [n for n in await ecm.list_children(workspace.id) if n.name.startswith("Order record")]
        assert [r.name for r in records] == [f"Order record {order.name}.html"]
        assert [v.version_number for v in await ecm.list_versions(records[0].id)] == [1]
        record = (await ecm.download_version(records[0].id, 1)).content.decode()
        assert order.name in record and "30.00 USD" in record and "@example.test" not in record
        classification = await ecm.get_rm_classification(records[0].id)
        assert classification.classification_id == 41001

    # A rerun of the finished range archives nothing new.
    rerun = await start_backfill(stack.client, stack.settings, job)
    rerun_result: BackfillResult = await rerun.handle.result()
    assert rerun_result.progress.orders == ORDERS and rerun_result.progress.documents_filed == 0
