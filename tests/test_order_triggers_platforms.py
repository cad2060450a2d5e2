"""Replenishment reminders on BigCommerce and Adobe Commerce, on the time-skipping server against
the simulated stores, Exstream and Content Server over HTTP: when a reminder is due, the customer's
orders placed since (BigCommerce's v2 orders by `customer_id` and `min_date_created`, Adobe
Commerce's `/V1/orders` by `customer_id` and `created_at`) are read; a SKU ordered again gets no
reminder, one not ordered again does."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.client import WorkflowHandle

from routing.order_triggers import ReplenishmentReminder
from routing.policy import load_policy
from tests.support.letters import letter_sent
from tests.support.world import ADOBE_DOCS_STORE, BC_DOCS_STORE, TENANT
from tests.test_order_triggers import Harness, audit, deliveries, harness, recorded
from workflows.messages import CaseResult, CaseStatus
from workflows.order_documents import KIND, OrderChange, OrderDocuments, OrderDocumentsInput

__all__ = ["harness"]  # the fixture, shared with the Shopify triggers

REORDER_URL = "https://shop.example/reorder/{sku}?from={order_id}"
POLICY_FILES = {"bigcommerce": f"bigcommerce-{BC_DOCS_STORE}.yaml", "adobe-commerce": f"adobe-{ADOBE_DOCS_STORE}.yaml"}
STORES = {"bigcommerce": BC_DOCS_STORE, "adobe-commerce": ADOBE_DOCS_STORE}
ADMIN = {
    "bigcommerce": f"/bigcommerce/_admin/stores/{BC_DOCS_STORE}",
    "adobe-commerce": f"/adobe-commerce/_admin/stores/{ADOBE_DOCS_STORE}",
}
Line = tuple[str, str]  # (sku, title)


async def _admin(sandbox_url: str, platform: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{sandbox_url}{ADMIN[platform]}{path}", json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


async def new_customer(sandbox_url: str, platform: str) -> tuple[int, str]:
    email = f"camper-{uuid.uuid4().hex[:8]}@example.test"
    names = {"first_name": "Cam"} if platform == "bigcommerce" else {"firstname": "Cam", "lastname": "Per"}
    customer = await _admin(sandbox_url, platform, "/customers", {"email": email, **names})
    return int(customer["id"]), email


async def place_order(sandbox_url: str, platform: str, customer: tuple[int, str], lines: list[Line]) -> dict[str, Any]:
    """A paid storefront order of the customer, one unit at 30.00 per line; answers the order's
    (id, name, total) as the platform's readers name them."""
    customer_id, email = customer
    if platform == "bigcommerce":
        products = [
            {"name": title, "sku": sku, "quantity": 1, "price_inc_tax": "30.00", "price_ex_tax": "30.00"}
            for sku, title in lines
        ]
        address = {"first_name": "Cam", "street_1": "1 Test Way", "city": "Austin", "zip": "78751"}
        order = await _admin(
            sandbox_url,
            platform,
            "/orders",
            {
                "customer_id": customer_id,
                "billing_address": address | {"country": "United States", "country_iso2": "US", "email": email},
                "products": products,
            },
        )
        return {"id": str(order["id"]), "name": str(order["id"]), "total": Decimal(order["total_inc_tax"])}
    order = await _admin(
        sandbox_url,
        platform,
        "/orders",
        {
            "items": [{"sku": sku, "name": title, "price": "30.00", "qty": 1} for sku, title in lines],
            "customer_id": customer_id,
            "customer_email": email,
            "customer_firstname": "Cam",
            "customer_lastname": "Per",
            "billing_address": {"street": ["1 Test Way"], "city": "Austin", "postcode": "78751", "country_id": "US"},
        },
    )
    return {"id": str(order["entity_id"]), "name": order["increment_id"], "total": Decimal(str(order["grand_total"]))}


async def start_case(
    harness: Harness, config_dir: Path, platform: str, order: dict[str, Any]
) -> WorkflowHandle[OrderDocuments, CaseResult]:
    env, _, queue = harness
    policy = load_policy(config_dir / "policies" / POLICY_FILES[platform])
    assert policy.order_documents is not None and policy.communications is not None
    documents = policy.order_documents.model_copy(
        update={
            "follow_for": timedelta(days=1),
            "replenishment": [
                ReplenishmentReminder(sku="GAS-230", after=timedelta(days=60), reorder_url=REORDER_URL),
                ReplenishmentReminder(sku="FILTER-9", after=timedelta(days=30), reorder_url=REORDER_URL),
            ],
        }
    )
    store = STORES[platform]
    # A case id of its own per test run: the session's sandbox outlives the time-skipping server.
    case_id = f"{KIND.case_id(platform, store, order['id'])}-{uuid.uuid4().hex[:6]}"
    return await env.client.start_workflow(
        OrderDocuments.run,
        OrderDocumentsInput(
            case_id=case_id,
            platform=platform,
            store=store,
            opentext_tenant=TENANT,
            callback_url="http://127.0.0.1:9/unused",
            files_documents=True,
            communications=policy.communications,
            order_id=order["id"],
            order_name=order["name"],
            total=order["total"],
            currency="USD",
            change=OrderChange(event="placed", reference=f"test-{uuid.uuid4().hex[:8]}", at=datetime.now(UTC)),
            policy=documents,
        ),
        id=case_id,
        task_queue=queue,
    )


@pytest.mark.parametrize("platform", ["bigcommerce", "adobe-commerce"])
async def test_a_replenishment_reminder_unless_the_customer_ordered_the_product_again(
    harness: Harness, config_dir: Path, sandbox_url: str, platform: str
) -> None:
    env, _, _ = harness
    customer = await new_customer(sandbox_url, platform)
    order = await place_order(
        sandbox_url,
        platform,
        customer,
        [("GAS-230", "Gas cartridge 230 g"), ("FILTER-9", "Water filter"), ("TENT-2P", "Tent")],
    )
    handle = await start_case(harness, config_dir, platform, order)
    await recorded(handle, "letter due", 2)
    # Another customer's gas order does not count; the same customer's filter order does.
    await place_order(sandbox_url, platform, await new_customer(sandbox_url, platform), [("GAS-230", "Gas")])
    again = await place_order(sandbox_url, platform, customer, [("FILTER-9", "Water filter")])

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED, result.detail
    trail = await audit(handle)
    [not_sent] = [e.detail for e in trail if e.event == "letter not sent"]
    assert not_sent == f"replenishment-FILTER-9: ordered again with {again['name']}"
    letter = await letter_sent(env, handle.id, "replenishment-GAS-230")
    assert letter.status == "awaiting outcome", letter
    reminders = [d for d in await deliveries(sandbox_url, handle.id) if d["communication"] == "Replenishment Reminder"]
    assert [d["documentId"] for d in reminders] == [f"letter/{handle.id}/replenishment-GAS-230"]
