"""The demo's documents part: the transaction archive's backfill of today's orders of one store, one
order shipped (its order-documents case files the shipment and sends the shipment notice), and what
the cases filed into the order's ECM workspace (read back from Content Server)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.service import RPCError

from casebridge.archive_backfill import backfill_input, progress_line, start_backfill
from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import Store
from connectors.opentext.content_server_models import BusinessObject
from connectors.shopify.fulfillments import TrackingInfo
from workflows.messages import AuditEntry
from workflows.order_documents import KIND as ORDER_DOCUMENTS

SANDBOX_ECM = "casebridge-ecm"  # the simulated Content Server of the local stack


async def archive_today(client: Client, settings: Settings, connections: Connections, store: Store) -> None:
    """Backfill the archive for the orders `store` created since yesterday, and wait for it."""
    registry = connections.registry
    if not registry.files_documents(store):
        return
    now = datetime.now(UTC)
    job = backfill_input(registry, settings, store, now - timedelta(days=1), now + timedelta(minutes=1), page_size=50)
    started = await start_backfill(client, settings, job)
    print(f"Archiving the orders {store.id} created since yesterday ({started.handle.id}) ...")
    result = await started.handle.result()
    print(f"  {progress_line(result.progress)}")


async def print_workspace(connections: Connections, store: Store, order_id: str, sandbox_url: str) -> None:
    """The documents of one order's workspace, and where the sandbox shows them."""
    tenant = store.opentext_tenant
    if store.ecm_ext_system_id is None:
        return
    ecm = connections.content_server(tenant)
    workspace = await ecm.find_business_workspace(
        BusinessObject(ext_system_id=store.ecm_ext_system_id, bo_type="order", bo_id=order_id)
    )
    if workspace is None:
        return
    print(f"ECM workspace '{workspace.name}' (node {workspace.id}):")
    for folder in await ecm.list_children(workspace.id):
        children = await ecm.list_children(folder.id) if folder.container else [folder]
        for document in children:
            where = f"{folder.name}/" if folder.container else ""
            print(f"  {where}{document.name}")
    admin = f"{sandbox_url}/opentext/otcs/_admin/tenants/{SANDBOX_ECM}/workspaces/{workspace.id}/documents"
    print(f"  (every version and category, from the sandbox: {admin})")


async def ship_and_show_letters(client: Client, connections: Connections, store: Store, order_id: str) -> None:
    """Ship one order and print the letters its order-documents case sent (confirmation, shipment
    notice), once the shipment notice has been started; nothing when the store keeps no order
    documents."""
    case_id = ORDER_DOCUMENTS.case_id(store.platform.value, store.id, order_id)
    handle = client.get_workflow_handle(case_id)
    try:
        await handle.describe()
    except RPCError:
        return  # the store's policy has no order_documents
    shop = connections.shopify(store.id)
    order = await shop.get_order(f"gid://shopify/Order/{order_id}")
    open_orders = [fo for fo in order.fulfillment_orders if fo.status == "OPEN"]
    if not open_orders:
        return
    await shop.create_fulfillment(open_orders[0].id, tracking=TrackingInfo(company="DHL", number="JD014600006SE"))
    print(f"Shipped {order.name}: its order-documents case files the shipment and writes to the customer ...")
    letters: list[AuditEntry] = []
    for _ in range(600):  # up to a minute
        trail: list[AuditEntry] = await handle.query("audit", result_type=list[AuditEntry])
        letters = [e for e in trail if e.event in ("letter started", "letter already sent")]
        if any("Shipment Notice" in e.detail for e in letters):
            break
        await asyncio.sleep(0.1)
    for entry in letters:
        print(f"  letter: {entry.detail}")
    print(f"  (the case: .venv/bin/temporal workflow describe --workflow-id '{case_id}')")
