"""SLA of a fulfillment exception on the time-skipping server: nobody decides, the team's task is
reminded, escalated to its leads and withdrawn at the final timeout; the policy's default for the
type (here `ship-as-is`) then releases the Shopify holds. Activities call the sandbox over HTTP.

Two teams run on SLAs of their own (`team_sla`): when both teams' timers fire at the same
instants, the Java test server rejects a workflow task now and then ("invalid history builder
state for action"), so the two-team test staggers them, as a policy with a slower team would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.shopify.models import Order
from routing.fulfillment_policy import ExceptionType, FulfillmentExceptionPolicy
from routing.policy import load_policy
from routing.review_sla import ReviewSla
from tests.support.world import SLA_SHOP as SHOP
from tests.support.world import TENANT
from worker import build_worker
from workflows.fulfillment_exception import (
    ExceptionReport,
    FulfillmentException,
    FulfillmentExceptionInput,
    FulfillmentExceptionResult,
    OrderRef,
)
from workflows.messages import CaseStatus, CaseView


@pytest.fixture
async def harness(
    time_skipping_env: WorkflowEnvironment, config_dir: Path
) -> AsyncIterator[tuple[WorkflowEnvironment, Connections, str]]:
    queue = f"exception-sla-{uuid.uuid4().hex[:8]}"
    connections = Connections(load_registry(config_dir))
    async with build_worker(time_skipping_env.client, Settings(config_dir=config_dir, task_queue=queue), connections):
        yield time_skipping_env, connections, queue
    await connections.aclose()


async def kettle_order(connections: Connections, store: str) -> Order:
    address = {"address1": "1 Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
    return await connections.shopify(store).create_order(
        {
            "email": "late@example.test",
            "currency": "USD",
            "lineItems": [
                {
                    "title": "Kettle",
                    "quantity": 1,
                    "priceSet": {"shopMoney": {"amount": "64.00", "currencyCode": "USD"}},
                }
            ],
            "shippingAddress": address,
            "billingAddress": address,
            "financialStatus": "PAID",
        }
    )


async def start_case(
    env: WorkflowEnvironment,
    queue: str,
    order: Order,
    policy: FulfillmentExceptionPolicy,
    exception_type: ExceptionType,
) -> WorkflowHandle[FulfillmentException, FulfillmentExceptionResult]:
    case_id = f"fulfillment-exception/shopify/{SHOP}/{order.legacy_resource_id}-{uuid.uuid4().hex[:6]}"
    return await env.client.start_workflow(
        FulfillmentException.run,
        FulfillmentExceptionInput(
            case_id=case_id,
            platform="shopify",
            store=SHOP,
            opentext_tenant=TENANT,
            callback_url="http://127.0.0.1:9/unused",
            order=OrderRef(
                order_id=order.legacy_resource_id,
                order_gid=order.id,
                order_name=order.name,
                total=order.total_price.shop_money.amount,
                currency="USD",
            ),
            report=ExceptionReport(
                reference=f"wms-late-{uuid.uuid4().hex[:6]}",
                exception_type=exception_type,
                summary="Carrier cannot validate the street",
                reported_by="test",
            ),
            policy=policy,
        ),
        id=case_id,
        task_queue=queue,
    )


async def tasks_open(handle: WorkflowHandle[FulfillmentException, FulfillmentExceptionResult], count: int) -> None:
    """Let the tasks open in real time before any time is skipped (queries skip no time)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        view = await handle.query("status", result_type=CaseView)
        if len([t for t in view.review_tasks if t.open]) == count:
            return
        assert view.status is not CaseStatus.NEEDS_ATTENTION, view.attention
        assert asyncio.get_running_loop().time() < deadline, view
        await asyncio.sleep(0.05)


async def test_nobody_decides_so_the_default_releases_the_order(
    harness: tuple[WorkflowEnvironment, Connections, str], config_dir: Path
) -> None:
    env, connections, queue = harness
    shop = connections.shopify(SHOP)
    order = await kettle_order(connections, SHOP)
    policy = load_policy(config_dir / "policies" / f"{SHOP}.yaml").fulfillment_exceptions
    assert policy is not None
    # Reconciliation far from every timer's instant (see tests/test_order_review_sla.py).
    policy.sla.reconcile_every = timedelta(days=5)
    handle = await start_case(env, queue, order, policy, ExceptionType.ADDRESS_VALIDATION)
    await tasks_open(handle, 1)

    # Bounded: a time-skipping stall must fail this test, not hang the suite.
    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED
    assert result.resolution == "ship-as-is"
    assert result.team_outcomes == {"customer-service": "ship-as-is"}
    events = [(e.event, e.detail) for e in await handle.query(FulfillmentException.audit)]
    assert any(event.startswith("reminder sent") for event, _ in events), events
    assert any("customer-service-leads" in f"{event} {detail}" for event, detail in events), events
    assert any(event.startswith("review timed out") for event, _ in events), events
    released = await shop.get_order(order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    assert released.cancelled_at is None
    assert "casebridge-exception-resolved" in released.tags


async def test_two_teams_with_their_own_slas_are_reminded_escalated_and_defaulted(
    harness: tuple[WorkflowEnvironment, Connections, str], config_dir: Path
) -> None:
    """Each team's timers run on its own SLA (`team_sla`), so they never fall on one instant."""
    env, connections, queue = harness
    order = await kettle_order(connections, SHOP)
    policy = load_policy(config_dir / "policies" / f"{SHOP}.yaml").fulfillment_exceptions
    assert policy is not None
    policy.sla.reconcile_every = timedelta(days=5)
    policy.team_sla["warehouse"] = ReviewSla(
        reminder_after=timedelta(hours=5),
        escalate_after=timedelta(hours=15),
        timeout_after=timedelta(hours=60),
        reconcile_every=timedelta(days=5),
    )
    handle = await start_case(env, queue, order, policy, ExceptionType.CARRIER_DELAY)
    await tasks_open(handle, 2)

    result = await asyncio.wait_for(handle.result(), timeout=120)

    # The lead (warehouse) defaulted last, to the type's `on_timeout`.
    assert result.status is CaseStatus.APPROVED, result.detail
    assert result.resolution == "new-delivery-date"
    assert result.team_outcomes == {"warehouse": "new-delivery-date", "customer-service": "new-delivery-date"}
    events = [f"{e.event} {e.detail}" for e in await handle.query(FulfillmentException.audit)]
    for team in ("warehouse", "customer-service"):
        assert any(e.startswith("reminder sent") and team in e for e in events), events
        assert any(f"{team}-leads" in e for e in events), events
        assert any(e.startswith("review timed out") and team in e for e in events), events
    released = await connections.shopify(SHOP).get_order(order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    assert "casebridge-new-delivery-date" in released.tags
