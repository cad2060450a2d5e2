"""The demo's letters about products and behaviour: an order of a tent and gas cartridges shipped in
two parcels (the warranty terms, the cartridges' safety data sheet, a partial shipment letter, then
the shipment notice, and later the replenishment reminder); a shopper who leaves a checkout gets the
"Abandoned Cart Reminder", and the first shipped order's customer the "Post-purchase Follow-up".
The demo shop's policy times the later ones in minutes (a store would wait hours and days), so the
demo shows them sent, not only scheduled."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from casebridge.connections import Connections
from casebridge.stores import Store
from connectors.shopify.fulfillments import FulfillmentOrderLine, TrackingInfo
from workflows.abandoned_cart import KIND as ABANDONED_CART
from workflows.messages import AuditEntry, CaseResult
from workflows.order_documents import KIND as ORDER_DOCUMENTS

WAIT_SECONDS = 240  # the demo policy's delays are one to three minutes
TENT, GAS = "TENT-2P", "GAS-230"  # the demo policy's warranted product and its consumable


async def camping_order_in_two_parcels(client: Client, connections: Connections, store: Store) -> str | None:
    """A customer in Germany orders a tent and gas cartridges; the tent ships first, the cartridges
    a moment later. Prints the letters its order-documents case sent; the order's id."""
    shop = connections.shopify(store.id)
    email = f"camper.{uuid.uuid4().hex[:6]}@example.test"
    address = {"address1": "Hauptstr. 1", "city": "Berlin", "zip": "10115", "countryCode": "DE"}
    order = await shop.create_order(
        {
            "email": email,
            "currency": "USD",
            "customer": {"toUpsert": {"email": email, "firstName": "Klara", "lastName": "Camper"}},
            "shippingAddress": address,
            "billingAddress": address,
            "lineItems": [
                {"title": "Trail tent", "sku": TENT, "quantity": 1, "priceSet": _usd("249.00")},
                {"title": "Gas cartridge 230 g", "sku": GAS, "quantity": 3, "priceSet": _usd("6.50")},
            ],
        }
    )
    case_id = ORDER_DOCUMENTS.case_id(store.platform.value, store.id, order.legacy_resource_id)
    if not await _started(client, case_id):
        return None
    print(f"Camping order {order.name} (Germany): a tent and gas cartridges, shipped in two parcels ...")
    [fulfillment_order] = await shop.fulfillment_lines(order.id)
    tent = next(line for line in fulfillment_order.lines if line.line_item.sku == TENT)
    await shop.create_fulfillment(
        fulfillment_order.id, [FulfillmentOrderLine(id=tent.id, quantity=1)], tracking=TrackingInfo(number="JD01")
    )
    await _letter_started(client, case_id, "Partial Shipment Letter")
    await shop.create_fulfillment(fulfillment_order.id, tracking=TrackingInfo(number="JD02"))
    for entry in await _letter_started(client, case_id, "Shipment Notice"):
        print(f"  {entry.detail.rpartition(': ')[0]}")
    return order.legacy_resource_id


async def _started(client: Client, workflow_id: str) -> bool:
    for _ in range(100):  # the webhook reaches the shim within seconds
        try:
            await client.get_workflow_handle(workflow_id).describe()
            return True
        except RPCError:
            await asyncio.sleep(0.1)
    return False


async def _letter_started(client: Client, case_id: str, name: str) -> list[AuditEntry]:
    """The case's started letters, once one named `name` is among them (up to a minute)."""
    handle = client.get_workflow_handle(case_id)
    letters: list[AuditEntry] = []
    for _ in range(600):
        trail: list[AuditEntry] = await handle.query("audit", result_type=list[AuditEntry])
        letters = [e for e in trail if e.event == "letter started"]
        if any(name in e.detail for e in letters):
            break
        await asyncio.sleep(0.1)
    return letters


def _usd(amount: str) -> dict[str, dict[str, str]]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def leave_a_checkout(client: Client, store: Store, sandbox_url: str) -> str | None:
    """A registered shopper starts a checkout and leaves (the shop sends `checkouts/create`); the
    id of the case the shim opened for it, None when the store sends no reminders."""
    tag = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/shopify/{store.id}/_admin", timeout=30) as shop:
        email = f"window.shopper.{tag}@example.test"
        signed_up = await shop.post("/customers", json={"email": email, "first_name": "Wendy", "last_name": "Shopper"})
        signed_up.raise_for_status()
        left = await shop.post(
            "/checkouts",
            json={
                "email": email,
                "lines": [{"title": "Trail tent", "sku": "TENT-2P", "quantity": 1, "price": "249.90"}],
            },
        )
        left.raise_for_status()
    case_id = ABANDONED_CART.case_id(store.platform.value, store.id, str(left.json()["checkout"]["id"]))
    if await _started(client, case_id):
        print(f"A shopper left a checkout: {case_id} waits to remind them")
        return case_id
    print("A shopper left a checkout, but the store opened no abandoned-cart case (no abandoned_carts policy)")
    return None


async def show_behavioural_letters(
    client: Client, store: Store, cart_case: str | None, shipped_order: str | None, camping_order: str | None
) -> None:
    """Wait for the abandoned cart's reminder, the shipped order's follow-up and the camping order's
    replenishment reminder, and print them."""
    deadline = datetime.now(UTC).timestamp() + WAIT_SECONDS
    if cart_case is not None:
        print("Waiting for the abandoned cart's reminder (the demo policy: one minute after the checkout) ...")
        handle: WorkflowHandle[object, CaseResult] = client.get_workflow_handle(cart_case, result_type=CaseResult)
        try:
            result = await asyncio.wait_for(handle.result(), timeout=max(1.0, deadline - datetime.now(UTC).timestamp()))
            print(f"  {cart_case}: {result.detail}")
        except TimeoutError:
            print(f"  {cart_case}: still waiting (see its details in the UI)")
    awaited = [(shipped_order, "Follow-up", "the shipped order's follow-up (two minutes after shipping)")]
    awaited.append((camping_order, "Replenishment", "the gas cartridges' replenishment reminder (three minutes)"))
    for order_id, name, what in awaited:
        if order_id is None:
            continue
        case_id = ORDER_DOCUMENTS.case_id(store.platform.value, store.id, order_id)
        print(f"Waiting for {what} ...")
        sent = await _letter_by(client, case_id, name, deadline)
        print(f"  {sent.detail}" if sent else f"  not yet: {case_id} shows it as due in its details")


async def _letter_by(client: Client, case_id: str, name: str, deadline: float) -> AuditEntry | None:
    handle = client.get_workflow_handle(case_id)
    while datetime.now(UTC).timestamp() < deadline:
        trail: list[AuditEntry] = await handle.query("audit", result_type=list[AuditEntry])
        sent = [e for e in trail if e.event in ("letter started", "letter not sent") and name in e.detail]
        if sent:
            return sent[0]
        await asyncio.sleep(1)
    return None


# The documents side's cases and jobs, by CaseType: what every order and every letter started.
DOCUMENT_CASE_TYPES = ("order-documents", "customer-letter", "abandoned-cart", "product-workspace")


async def print_document_cases(client: Client, since: datetime) -> None:
    """How many of each the demo started (each one's list: the UI's `CaseType="..."` search)."""
    started = since.strftime("%Y-%m-%dT%H:%M:%SZ")
    counts = []
    for case_type in DOCUMENT_CASE_TYPES:
        found = await client.count_workflows(f"CaseType = '{case_type}' AND StartTime >= '{started}'")
        counts.append(f"{found.count} {case_type}")
    print(f'Documents and letters started: {", ".join(counts)} (search CaseType="..." in the UI)')
