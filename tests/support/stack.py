"""The whole local stack in one test session: sandbox, shim and worker on a real Temporal server,
all talking over real HTTP on loopback ports."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import StoreRegistry
from connectors.opentext.workflow import OpenTextWorkflowClient
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.models import Order
from tests.support.world import TENANT
from workflows.messages import AuditEntry, CaseStatus, CaseView
from workflows.order_review import OrderReviewResult

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0, what: str = "") -> T:
    """Poll `check` until it returns something truthy (tests never sleep a fixed time)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = await check()
            if value:
                return value
        except (RPCError, AssertionError, LookupError) as err:
            last = err
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}: {last}")


@dataclass
class Stack:
    client: Client
    settings: Settings
    registry: StoreRegistry
    connections: Connections
    sandbox_url: str
    shim_url: str
    config_dir: Path
    # The shim's app, for what only its process can tell (e.g. how many keys it fetched).
    shim_app: FastAPI | None = None
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))

    def shop(self, store: str) -> ShopifyAdmin:
        return self.connections.shopify(store)

    @property
    def opentext(self) -> OpenTextWorkflowClient:
        return self.connections.opentext_workflow(TENANT)

    async def create_order(
        self,
        store: str,
        *,
        unit_price: str = "250.00",
        quantity: int = 1,
        country: str = "US",
        email: str | None = None,
        customer_tags: list[str] | None = None,
        line_items: int = 1,
    ) -> Order:
        """An order placed through the Admin API: the sandbox then sends `orders/create` to the shim."""
        email = email or f"buyer-{uuid.uuid4().hex[:8]}@example.test"
        address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": country}
        order: dict[str, Any] = {
            "email": email,
            "currency": "USD",
            "lineItems": [
                {
                    "title": f"Item {n}",
                    "quantity": quantity,
                    "priceSet": {"shopMoney": {"amount": unit_price, "currencyCode": "USD"}},
                }
                for n in range(line_items)
            ],
            "shippingAddress": address,
            "billingAddress": address,
            "financialStatus": "PAID",
        }
        if customer_tags:
            order["customer"] = {"toUpsert": {"email": email, "tags": customer_tags}}
        return await self.shop(store).create_order(order)

    def handle(self, case_id: str) -> WorkflowHandle[Any, OrderReviewResult]:
        return self.client.get_workflow_handle(case_id, result_type=OrderReviewResult)

    async def assert_no_case(self, case_id: str) -> None:
        """No workflow with this id exists (none was ever started for it)."""
        try:
            await self.handle(case_id).describe()
        except RPCError as err:
            assert err.status is RPCStatusCode.NOT_FOUND
        else:
            raise AssertionError(f"a case {case_id} was started")

    async def case_started(self, case_id: str, timeout: float = 20.0) -> WorkflowHandle[Any, OrderReviewResult]:
        handle = self.handle(case_id)

        async def started() -> bool:
            await handle.describe()
            return True

        await eventually(started, timeout=timeout, what=f"case {case_id} to start")
        return handle

    async def view(self, case_id: str) -> CaseView:
        view: CaseView = await self.handle(case_id).query("status", result_type=CaseView)
        return view

    async def audit(self, case_id: str) -> list[AuditEntry]:
        trail: list[AuditEntry] = await self.handle(case_id).query("audit", result_type=list[AuditEntry])
        return trail

    async def status_is(self, case_id: str, *statuses: CaseStatus, timeout: float = 20.0) -> CaseView:
        async def check() -> CaseView | None:
            view = await self.view(case_id)
            return view if view.status in statuses else None

        return await eventually(check, timeout=timeout, what=f"{case_id} to reach {statuses}")

    async def open_task_id(self, case_id: str, timeout: float = 20.0) -> str:
        view = await self.status_is(case_id, CaseStatus.IN_REVIEW, CaseStatus.ESCALATED, timeout=timeout)
        assert view.review_task_id is not None
        return view.review_task_id

    async def order(self, store: str, gid: str) -> Order:
        return await self.shop(store).get_order(gid)

    async def fault(self, **rule: Any) -> None:
        response = await self.http.post(f"{self.sandbox_url}/_sandbox/faults", json=rule)
        response.raise_for_status()

    async def effects(self, **params: str) -> list[dict[str, Any]]:
        """The sandbox's side-effect ledger over HTTP, filtered by system, store, order, kind, ref."""
        response = await self.http.get(f"{self.sandbox_url}/_sandbox/effects", params=params)
        response.raise_for_status()
        return list(response.json())

    async def effect_counts(self, **params: str) -> dict[str, int]:
        """How many times each kind of side effect happened (for one store and order, say)."""
        counts: dict[str, int] = {}
        for effect in await self.effects(**params):
            counts[effect["kind"]] = counts.get(effect["kind"], 0) + 1
        return counts

    async def deliveries(self, **params: str) -> list[dict[str, Any]]:
        response = await self.http.get(f"{self.sandbox_url}/_sandbox/deliveries", params=params)
        response.raise_for_status()
        return list(response.json())


def order_amount(order: Order) -> Decimal:
    return order.total_price.shop_money.amount
