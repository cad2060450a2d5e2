"""The demo's documents part: the transaction archive's backfill of today's orders of one store, one
order shipped (its order-documents case files the shipment and sends the shipment notice), and what
the cases filed into the order's ECM workspace (read back from Content Server)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
from temporalio.client import Client
from temporalio.service import RPCError

from activities.preferences import refused_channels, stored_preferences
from casebridge.archive_backfill import backfill_input, progress_line, start_backfill
from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import Store
from connectors.opentext.content_server_models import BusinessObject
from connectors.shopify.fulfillments import TrackingInfo
from routing.communications import LetterChannel
from workflows.customer_letter import LetterResult
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


async def ship_and_show_letters(
    client: Client, connections: Connections, store: Store, order_id: str, sandbox_url: str
) -> None:
    """Ship one order whose customer's mailbox now bounces, and print the letters its order-documents
    case sent: the confirmation by e-mail, the shipment notice bounced and sent again by print, and
    the refusal written back to the customer record. Nothing when the store keeps no order documents."""
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
    if order.email is not None:
        await _bounce_mail_to(connections, store, sandbox_url, order.email)
    await shop.create_fulfillment(open_orders[0].id, tracking=TrackingInfo(company="DHL", number="JD014600006SE"))
    print(f"Shipped {order.name}; the customer's mailbox bounces from now on. Its order-documents case writes ...")
    letters: list[AuditEntry] = []
    for _ in range(600):  # up to a minute
        trail: list[AuditEntry] = await handle.query("audit", result_type=list[AuditEntry])
        letters = [e for e in trail if e.event in ("letter started", "letter already sent")]
        if any("Shipment Notice" in e.detail for e in letters):
            break
        await asyncio.sleep(0.1)
    for entry in letters:
        name, _, letter_id = entry.detail.rpartition(": ")
        sends = await _sends_of(client, letter_id, until_print="Shipment Notice" in name)
        print(f"  {name}: {sends}")
    if order.customer is not None:
        preferences = await stored_preferences(connections, store, order.customer.id)
        refused = sorted(refused_channels(preferences))
        print(f"  the customer record on {store.platform.value} now refuses: {', '.join(refused) or 'nothing'}")
    print(f"  (the case: .venv/bin/temporal workflow describe --workflow-id '{case_id}')")


async def _bounce_mail_to(connections: Connections, store: Store, sandbox_url: str, email: str) -> None:
    """From now on Exstream's e-mail to `email` bounces (the sandbox's admin plays the mail server)."""
    tenant_id = connections.registry.tenant(store.opentext_tenant).tenant_id
    domain = connections.registry.tenant(store.opentext_tenant).exstream
    if domain is None:
        return
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as http:
        answer = await http.post(
            f"/opentext/exstream/_admin/tenants/{tenant_id}/domains/{domain.domain}/bouncing-emails",
            json={"email": email},
        )
        answer.raise_for_status()


async def _sends_of(client: Client, letter_id: str, *, until_print: bool) -> str:
    """How the letter went out: its channels and their outcomes. A bounced letter is only seen bounced
    once the delivery-outcome feed has read Exstream's outcomes (every minute in the local stack):
    with `until_print`, wait up to two minutes for the letter's send by print."""
    handle = client.get_workflow_handle(letter_id)
    status = await handle.query("status", result_type=LetterResult)
    for _ in range(1200 if until_print else 0):
        if any(s.channel is LetterChannel.PRINT for s in status.sends):
            break
        await asyncio.sleep(0.1)
        status = await handle.query("status", result_type=LetterResult)
    outcomes = {o.delivery_id: o.type for o in status.outcomes}
    went = [
        f"{s.channel.value if s.channel else 'no channel'} ({outcomes.get(s.delivery_id or '', 'sent')})"
        for s in status.sends
    ]
    return " -> ".join(went) or status.status
