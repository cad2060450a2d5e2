"""What the order-documents tests look at on any platform: the order's workspace in the simulated
ECM, the letters Exstream delivered for its case, and the store events the simulators delivered
about the order (so a test knows when the case has seen them all)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from connectors.opentext.content_server_models import BusinessObject, Node
from connectors.shopify.models import Order
from tests.support.stack import Stack, eventually
from tests.support.world import DOCS_SHOP, TENANT_ID, ecm_system
from tests.test_case_file import ecm

EXSTREAM_ADMIN = f"/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge"


async def workspace_documents(stack: Stack, platform: str, store: str, order_id: str) -> dict[str, list[Node]]:
    """Folder name -> documents of the order's workspace ("" = its top); empty when it has none."""
    found = await ecm(stack).find_business_workspace(
        BusinessObject(ext_system_id=ecm_system(platform, store), bo_type="order", bo_id=order_id)
    )
    if found is None:
        return {}
    children = await ecm(stack).list_children(found.id)
    by_folder: dict[str, list[Node]] = {"": [c for c in children if c.type != 0]}
    for folder in (c for c in children if c.type == 0):
        by_folder[folder.name] = await ecm(stack).list_children(folder.id)
    return by_folder


async def letters_to(stack: Stack, case_id: str) -> list[dict[str, Any]]:
    """Exstream's deliveries of the case's letters."""
    answer = await stack.http.get(f"{stack.sandbox_url}{EXSTREAM_ADMIN}/deliveries")
    answer.raise_for_status()
    return [d for d in answer.json() if (d["documentId"] or "").startswith(f"letter/{case_id}/")]


async def letters_with(
    stack: Stack, case_id: str, communications: list[str], timeout: float = 30.0
) -> list[dict[str, Any]]:
    """The case's letters once each of `communications` went out."""

    async def sent() -> list[dict[str, Any]] | None:
        letters = await letters_to(stack, case_id)
        return letters if {d["communication"] for d in letters} >= set(communications) else None

    return await eventually(sent, what=f"letters {communications}", timeout=timeout)


async def all_events_applied(
    stack: Stack,
    case_id: str,
    system: str,
    about_the_order: Callable[[dict[str, Any]], bool],
    labels: frozenset[str] | None = None,
    shop: str | None = None,
) -> int:
    """Waits until every store event the simulator delivered about the order (`about_the_order`
    picks them by body; `labels`, when given, by topic too; `shop`, a Shopify shop's domain, by the
    shop: the test shops number their orders alike) reached the shim and the case applied each
    once; their number."""
    seen: dict[str, object] = {}

    def ours(delivery: dict[str, Any]) -> bool:
        domain = {k.lower(): v for k, v in delivery["headers"].items()}.get("x-shopify-shop-domain")
        return (
            (shop is None or domain == shop)
            and (labels is None or delivery["label"] in labels)
            and about_the_order(json.loads(delivery["body"]))
        )

    async def applied() -> int | None:
        delivered = [d for d in await stack.deliveries(system=system) if ours(d)]
        trail = [e.event for e in await stack.audit(case_id)]
        seen.update(deliveries=[(d["label"], d["delivered"]) for d in delivered], applied=trail.count("store event"))
        if not delivered or not all(d["delivered"] for d in delivered):
            return None
        return len(delivered) if trail.count("store event") == len(delivered) else None

    try:
        return await eventually(applied, what="every store event about the order applied once", timeout=30.0)
    except AssertionError as err:
        raise AssertionError(f"{err}; last seen: {seen}") from None


async def shopify_documents_order(
    stack: Stack, who: str, address: dict[str, str], currency: str, lines: list[tuple[str, str, int, str]]
) -> Order:
    """An order in the documents shop by a new customer (`who`-<random>@example.test) shipping to
    `address`, of (title, SKU, quantity, unit price) lines."""
    email = f"{who}-{uuid.uuid4().hex[:8]}@example.test"
    return await stack.shop(DOCS_SHOP).create_order(
        {
            "email": email,
            "currency": currency,
            "customer": {"toUpsert": {"email": email}},
            "shippingAddress": address,
            "billingAddress": address,
            "lineItems": [
                {
                    "title": title,
                    "sku": sku,
                    "quantity": quantity,
                    "priceSet": {"shopMoney": {"amount": price, "currencyCode": currency}},
                }
                for title, sku, quantity, price in lines
            ],
        }
    )


def grinder_order(customer_id: int, email: str, *, created: str | None = None) -> dict[str, Any]:
    """The body of a BigCommerce sandbox admin order (paid by card): two grinders and a descaler,
    billed to a US address; `created` (RFC 2822) dates it."""
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "billing_address": {
            "first_name": "Bea",
            "last_name": "Buyer",
            "street_1": "1 Test Way",
            "city": "Austin",
            "zip": "78751",
            "country": "United States",
            "country_iso2": "US",
            "email": email,
        },
        "products": [
            {"name": "Grinder", "sku": "GRIND-1", "quantity": 2, "price_inc_tax": "60.00", "price_ex_tax": "50.00"},
            {"name": "Descaler", "sku": "DESC-1", "quantity": 1, "price_inc_tax": "12.00", "price_ex_tax": "10.00"},
        ],
    }
    if created is not None:
        body["date_created"] = created
    return body
