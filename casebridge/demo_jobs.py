"""The demo's periodic jobs, each run once by triggering its Temporal Schedule as an operator would
(`temporal schedule trigger`): the B2B monthly statements of last month for a company the demo
creates, and approved collateral published from a product's ECM workspace to the storefront."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
from pydantic import BaseModel
from temporalio.client import Client, ScheduleActionExecutionStartWorkflow, ScheduleHandle
from temporalio.service import RPCError

from activities.content_server import Filing
from activities.document_models import DocumentKind, OpenWorkspaceRequest, product_workspace
from casebridge.collateral_schedule import collateral_schedule_id
from casebridge.connections import Connections
from casebridge.schedules import SCHEDULE_ID_PREFIX
from casebridge.stores import Store
from connectors.shopify.companies import CompanyContactInput, CompanyLocationInput
from workflows.collateral_sync import CollateralSyncResult
from workflows.monthly_statements import StatementsResult, statements_schedule_id

ResultT = TypeVar("ResultT", bound=BaseModel)

SANDBOX_ECM = "casebridge-ecm"  # the simulated Content Server of the local stack
SPEC_SHEET = b"%PDF-1.4 Casebridge demo: trail lamp specification sheet\n%%EOF\n"
MANUAL = b"%PDF-1.4 Casebridge demo: trail lamp manual\n%%EOF\n"


async def run_schedule_now(client: Client, schedule_id: str, result_type: type[ResultT]) -> ResultT | None:
    """Trigger the schedule once and wait for the run it starts; None when the schedule is absent
    (`make up` applies them: `casebridge schedules apply`)."""
    schedule: ScheduleHandle = client.get_schedule_handle(schedule_id)
    try:
        before = (await schedule.describe()).info.num_actions
    except RPCError:
        return None
    await schedule.trigger()
    for _ in range(300):  # up to a minute for the scheduler to start the run
        info = (await schedule.describe()).info
        if info.num_actions > before:
            action = info.recent_actions[-1].action
            if isinstance(action, ScheduleActionExecutionStartWorkflow):
                handle = client.get_workflow_handle(action.workflow_id, result_type=result_type)
                result: ResultT = await handle.result()
                return result
        await asyncio.sleep(0.2)
    raise TimeoutError(f"schedule {schedule_id} started no run within a minute")


async def statements_of_last_month(client: Client, connections: Connections, store: Store) -> None:
    """A company with two locations buys twice last month; the store's statements schedule runs now
    and sends the company one statement of last month, filed in its account workspace."""
    if not store.b2b:
        return
    shop = connections.shopify(store.id)
    tag = uuid.uuid4().hex[:4].upper()
    contact = CompanyContactInput(email=f"accounts-{tag.lower()}@alpine.example", first_name="Mona", last_name="Ledger")
    company = await shop.create_company(
        f"Alpine Outfitters {tag}", contact=contact, location=CompanyLocationInput(name="Zurich depot")
    )
    basel = await shop.create_company_location(company.id, CompanyLocationInput(name="Basel shop"))
    last_month = datetime.now(UTC).replace(day=1) - timedelta(days=20)
    for location, amount in ((company.locations.nodes[0].id, "480.00"), (basel.id, "129.50")):
        await shop.create_order(
            {
                "currency": "USD",
                "processedAt": last_month.isoformat(),
                "companyLocationId": location,
                "customer": {"toUpsert": {"email": contact.email, "firstName": "Mona", "lastName": "Ledger"}},
                "lineItems": [{"title": "Pallet of tent pegs", "quantity": 1, "priceSet": _money(amount)}],
            }
        )
    schedule_id = SCHEDULE_ID_PREFIX + statements_schedule_id(store.platform.value, store.id)
    print(f"Statements: {company.name} bought twice last month; running its schedule now ({schedule_id}) ...")
    result = await run_schedule_now(client, schedule_id, StatementsResult)
    if result is None:
        print("  (no statements schedule: run `.venv/bin/casebridge schedules apply`)")
        return
    p = result.progress
    print(
        f"  {p.month}: {p.companies} statement(s) for {p.orders} order(s) sent, {p.filed} filed in account "
        f"workspaces, {p.already_filed} company(ies) had theirs already ({p.state})"
    )


async def collateral_to_the_storefront(
    client: Client, connections: Connections, store: Store, sandbox_url: str
) -> None:
    """A product's specification sheet and an old manual are filed in its ECM workspace and approved
    there (the sandbox's admin stands in for the ECM reviewer); the tenant's collateral schedule
    runs now and publishes both on the Shopify product. Then the manual is withdrawn in the ECM, and
    the next run takes it off the product."""
    tenant = connections.registry.tenant(store.opentext_tenant)
    if tenant.content_server is None or tenant.content_server.collateral is None:
        return
    ecm_admin = f"/opentext/otcs/_admin/tenants/{SANDBOX_ECM}/nodes"
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as http:
        seeded = await http.post(f"/shopify/{store.id}/_admin/products", json={"title": "Trail lamp"})
        seeded.raise_for_status()
        product_id = str(seeded.json()["product"]["id"])
        filing = Filing(connections)
        subject = product_workspace(store.id, product_id, "Trail lamp", None)
        workspace = await filing.open_workspace(
            OpenWorkspaceRequest(
                tenant=store.opentext_tenant, platform=store.platform.value, store=store.id, subject=subject
            )
        )
        filed = [
            await filing.file(workspace, DocumentKind.COLLATERAL, name, content, mime_type="application/pdf")
            for name, content in (("Trail lamp specification sheet.pdf", SPEC_SHEET), ("Trail lamp manual.pdf", MANUAL))
        ]
        for document in filed:
            approved = await http.post(f"{ecm_admin}/{document.node_id}/document-status", json={"status": "Approved"})
            approved.raise_for_status()
        schedule_id = collateral_schedule_id(tenant.name)
        print(f"Collateral: a spec sheet and a manual approved in ECM; running {schedule_id} now ...")
        if not await _sync_and_show(client, connections, store, schedule_id, product_id):
            return
        withdrawn = await http.post(f"{ecm_admin}/{filed[1].node_id}/document-status", json={"status": "Withdrawn"})
        withdrawn.raise_for_status()
    print("  the manual is withdrawn in ECM; running it again ...")
    await _sync_and_show(client, connections, store, schedule_id, product_id)


async def _sync_and_show(
    client: Client, connections: Connections, store: Store, schedule_id: str, product_id: str
) -> bool:
    result = await run_schedule_now(client, schedule_id, CollateralSyncResult)
    if result is None:
        print("  (no collateral schedule: run `.venv/bin/casebridge schedules apply`)")
        return False
    shown = await connections.shopify(store.id).product_documents(f"gid://shopify/Product/{product_id}")
    print(f"  published {result.progress.published}, withdrawn {result.progress.withdrawn}; on the product now:")
    for document in shown:
        print(f"    {document.title}: {document.url}")
    return True


def _money(amount: str) -> dict[str, dict[str, str]]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}
