"""The demo's behavioural letters: a shopper who leaves a checkout gets the "Abandoned Cart Reminder",
and the shipped order's customer the "Post-purchase Follow-up". The demo shop's policy times both in
minutes (a store would wait hours and days), so the demo shows them sent, not only scheduled."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from casebridge.stores import Store
from workflows.abandoned_cart import KIND as ABANDONED_CART
from workflows.messages import AuditEntry, CaseResult
from workflows.order_documents import KIND as ORDER_DOCUMENTS

WAIT_SECONDS = 240  # the demo policy's delays are one and two minutes


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
    for _ in range(100):  # the webhook reaches the shim within seconds
        try:
            await client.get_workflow_handle(case_id).describe()
        except RPCError:
            await asyncio.sleep(0.1)
            continue
        print(f"A shopper left a checkout: {case_id} waits to remind them")
        return case_id
    print("A shopper left a checkout, but the store opened no abandoned-cart case (no abandoned_carts policy)")
    return None


async def show_behavioural_letters(
    client: Client, store: Store, cart_case: str | None, shipped_order: str | None
) -> None:
    """Wait for the abandoned cart's reminder and the shipped order's follow-up, and print them."""
    deadline = datetime.now(UTC).timestamp() + WAIT_SECONDS
    if cart_case is not None:
        print("Waiting for the abandoned cart's reminder (the demo policy: one minute after the checkout) ...")
        handle: WorkflowHandle[object, CaseResult] = client.get_workflow_handle(cart_case, result_type=CaseResult)
        try:
            result = await asyncio.wait_for(handle.result(), timeout=max(1.0, deadline - datetime.now(UTC).timestamp()))
            print(f"  {cart_case}: {result.detail}")
        except TimeoutError:
            print(f"  {cart_case}: still waiting (see its details in the UI)")
    if shipped_order is not None:
        case_id = ORDER_DOCUMENTS.case_id(store.platform.value, store.id, shipped_order)
        print("Waiting for the shipped order's follow-up letter (the demo policy: two minutes after shipping) ...")
        handle = client.get_workflow_handle(case_id)
        while datetime.now(UTC).timestamp() < deadline:
            trail: list[AuditEntry] = await handle.query("audit", result_type=list[AuditEntry])
            sent = [e for e in trail if e.event == "letter started" and "Follow-up" in e.detail]
            if sent:
                print(f"  {sent[0].detail}")
                return
            await asyncio.sleep(1)
        print(f"  not yet: {case_id} shows the follow-up as due in its details")
