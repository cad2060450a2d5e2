"""Carts for the abandoned-cart tests, the fault-injection run and the benchmark: a Shopify customer
of the documents shop, a checkout they leave, and the case's input as the shim would start it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from routing.abandoned_carts import AbandonedCartPolicy
from routing.communications import CommunicationsPolicy
from tests.support.world import DOCS_SHOP, TENANT
from workflows.abandoned_cart import AbandonedCartInput, CartEvent


async def shopify_customer(sandbox_url: str) -> tuple[str, str]:
    """(e-mail, customer gid) of a new Shopify customer of the documents shop, signed up without an
    order (an order would open an order-documents case of its own)."""
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.test"
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"{sandbox_url}/shopify/{DOCS_SHOP}/_admin/customers", json={"email": email})
        answer.raise_for_status()
        gid: str = answer.json()["customer"]["admin_graphql_api_id"]
    return email, gid


async def open_checkout(sandbox_url: str, email: str | None, *, guest: bool = False) -> dict[str, Any]:
    """A checkout of a tent in the documents shop (the simulator sends `checkouts/create`)."""
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{sandbox_url}/shopify/{DOCS_SHOP}/_admin/checkouts",
            json={
                "email": email,
                "guest": guest,
                "lines": [{"title": "Tent for two", "sku": "TENT-2P", "quantity": 1, "price": "249.90"}],
            },
        )
        answer.raise_for_status()
        checkout: dict[str, Any] = answer.json()["checkout"]
        return checkout


def cart_case_input(
    case_id: str,
    platform: str,
    store: str,
    cart_id: str,
    letters: CommunicationsPolicy,
    reference: str,
    policy: AbandonedCartPolicy,
    *,
    files_documents: bool = False,
) -> AbandonedCartInput:
    """The case's input as the shim starts it for a cart's first event."""
    return AbandonedCartInput(
        case_id=case_id,
        platform=platform,
        store=store,
        opentext_tenant=TENANT,
        callback_url="http://127.0.0.1:9/unused",
        communications=letters,
        cart_id=cart_id,
        event=CartEvent(kind="active", reference=reference),
        policy=policy,
        files_documents=files_documents,
    )
