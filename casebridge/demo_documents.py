"""The demo's documents part: the transaction archive's backfill of today's orders of one store, and
what the closed cases filed into their ECM workspaces (read back from Content Server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.client import Client

from casebridge.archive_backfill import backfill_input, progress_line, start_backfill
from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import Store
from connectors.opentext.content_server_models import BusinessObject

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
