"""SLA timers of the order review (reminder, escalation, final timeout) on the time-skipping test
server: days pass in seconds. Activities still call the sandbox over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.shopify.models import Order
from routing.facts import OrderFacts
from routing.policy import TimeoutAction, load_policy
from routing.review_sla import EscalationStep, ReviewSla
from tests.support.world import SLA_SHOP as SHOP
from tests.support.world import TENANT
from worker import build_worker
from workflows.messages import AuditEntry, CaseStatus, CaseView, ReviewDecision
from workflows.order_review import KIND as ORDER_REVIEW
from workflows.order_review import OrderReview, OrderReviewInput, OrderReviewResult


class SlaHarness:
    def __init__(self, env: WorkflowEnvironment, connections: Connections, config_dir: Path, queue: str) -> None:
        self.env, self.connections, self.config_dir, self.queue = env, connections, config_dir, queue

    async def create_order(self, amount: str) -> Order:
        address = {"address1": "1 Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
        return await self.connections.shopify(SHOP).create_order(
            {
                "email": "sla@example.test",
                "currency": "USD",
                "lineItems": [
                    {
                        "title": "Item",
                        "quantity": 1,
                        "priceSet": {"shopMoney": {"amount": amount, "currencyCode": "USD"}},
                    }
                ],
                "shippingAddress": address,
                "billingAddress": address,
            }
        )

    async def start(
        self, order: Order, on_timeout: TimeoutAction, chain: list[EscalationStep] | None = None
    ) -> tuple[str, WorkflowHandle[OrderReview, OrderReviewResult]]:
        case_id, handle = await self.open_case(order, on_timeout, chain)
        await self.in_review(handle)
        return case_id, handle

    async def open_case(
        self, order: Order, on_timeout: TimeoutAction, chain: list[EscalationStep] | None = None
    ) -> tuple[str, WorkflowHandle[OrderReview, OrderReviewResult]]:
        """Starts the order's case as the shim would, without waiting for its review to open."""
        policy = load_policy(self.config_dir / "policies" / f"{SHOP}.yaml").order_review
        policy.on_timeout = on_timeout
        policy.sla.then_escalate = chain or []
        # Keep reconciliation out of the timers: one check at the start, the next long after the
        # final timeout. (The Java test server refuses to cancel an activity whose retry falls on
        # the same instant as a timer: ACTIVITY_UNKNOWN, and the case stalls.)
        policy.sla.reconcile_every = timedelta(days=5)
        case_id = f"order-review/shopify/{SHOP}/{order.legacy_resource_id}-{uuid.uuid4().hex[:6]}"
        amount = order.total_price.shop_money.amount
        case_input = OrderReviewInput(
            case_id=case_id,
            platform="shopify",
            store=SHOP,
            opentext_tenant=TENANT,
            callback_url="http://127.0.0.1:9/unused",  # decisions arrive by Update in these tests
            facts=OrderFacts(
                order_id=order.legacy_resource_id,
                order_gid=order.id,
                order_name=order.name,
                currency="USD",
                total=amount,
                subtotal=amount,
                discount_total=Decimal(0),
            ),
            reasons=["order total over 1000"],
            policy=policy,
        )
        # Labelled as the shim starts it: search attributes, the UI's summary and details.
        labels = ORDER_REVIEW.labels(case_input)
        handle = await self.env.client.start_workflow(
            OrderReview.run,
            case_input,
            id=case_id,
            task_queue=self.queue,
            search_attributes=ORDER_REVIEW.search_attributes(case_input, labels),
            static_summary=ORDER_REVIEW.summary(case_input, labels),
            static_details=ORDER_REVIEW.details(case_input, labels),
        )
        return case_id, handle

    async def in_review(self, handle: WorkflowHandle[OrderReview, OrderReviewResult]) -> None:
        """Let the opening steps (holds, tags, review start) finish in real time before any time is
        skipped, so no activity is in flight when the first jump happens. Queries skip no time."""
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            view = await handle.query("status", result_type=CaseView)
            if view.status is CaseStatus.IN_REVIEW:
                return
            assert view.status is not CaseStatus.NEEDS_ATTENTION, view.attention
            assert asyncio.get_running_loop().time() < deadline, view
            await asyncio.sleep(0.05)


@pytest.fixture
async def sla(time_skipping_env: WorkflowEnvironment, config_dir: Path) -> AsyncIterator[SlaHarness]:
    queue = f"sla-{uuid.uuid4().hex[:8]}"
    connections = Connections(load_registry(config_dir))
    settings = Settings(config_dir=config_dir, task_queue=queue)
    async with build_worker(time_skipping_env.client, settings, connections):
        yield SlaHarness(time_skipping_env, connections, config_dir, queue)
    await connections.aclose()


async def test_reminder_escalation_and_timeout_reject(sla: SlaHarness) -> None:
    order = await sla.create_order("1800.00")
    case_id, handle = await sla.start(order, TimeoutAction.REJECT)

    # Bounded: a time-skipping stall must fail this test, not hang the suite.
    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.REJECTED
    assert result.decision is None
    audit = await handle.query("audit", result_type=list[AuditEntry])
    events = [e.event for e in audit]
    assert events.index("reminder sent") < events.index("status ESCALATED") < events.index("review timed out")
    # Effects in OpenText: a reminder comment, an escalation comment, and the task withdrawn.
    opentext = sla.connections.opentext_workflow(TENANT)
    processes = await opentext.find_processes(case_id)
    assert len(processes) == 1 and processes[0].ended
    comments = [c.message for c in await opentext.list_comments(processes[0].id)]
    assert any(m.startswith("Reminder:") for m in comments)
    assert any(m.startswith("Escalated to order-review-leads") for m in comments)
    # And in Shopify: the policy's timeout action cancelled the order.
    cancelled = await sla.connections.shopify(SHOP).get_order(order.id)
    assert cancelled.cancelled_at is not None


async def test_escalated_case_still_takes_a_decision(sla: SlaHarness) -> None:
    order = await sla.create_order("2400.00")
    _, handle = await sla.start(order, TimeoutAction.REJECT)

    await asyncio.wait_for(sla.env.sleep(timedelta(hours=13)), timeout=120)
    view = await handle.query("status", result_type=CaseView)
    assert view.status is CaseStatus.ESCALATED, view
    assert view.review_task_id is not None and view.review_process_id is not None
    task = await sla.connections.opentext_workflow(TENANT).get_task(view.review_task_id)
    assert any(a.group == "order-review-leads" for a in task.assignments)

    # The decision's signal path (the time-skipping server does not support Updates).
    await handle.signal(
        "submit_decision",
        ReviewDecision(
            process_instance_id=view.review_process_id, task_id=view.review_task_id, outcome="approved", reviewer="lead"
        ),
    )
    # Bounded: a time-skipping stall must fail this test, not hang the suite.
    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED
    released = await sla.connections.shopify(SHOP).get_order(order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]


async def test_timeout_can_approve_by_policy(sla: SlaHarness) -> None:
    order = await sla.create_order("1200.00")
    _, handle = await sla.start(order, TimeoutAction.APPROVE)

    # Bounded: a time-skipping stall must fail this test, not hang the suite.
    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED
    assert "approve by policy after timed out" in result.detail
    released = await sla.connections.shopify(SHOP).get_order(order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]


async def test_the_escalation_chain_goes_on_to_the_next_group(sla: SlaHarness) -> None:
    order = await sla.create_order("1900.00")
    managers = EscalationStep(after=timedelta(hours=30), to="order-review-managers")
    case_id, handle = await sla.start(order, TimeoutAction.REJECT, chain=[managers])

    await asyncio.wait_for(sla.env.sleep(timedelta(hours=31)), timeout=120)
    view = await handle.query("status", result_type=CaseView)
    assert view.status is CaseStatus.ESCALATED, view
    assert view.review_task_id is not None
    task = await sla.connections.opentext_workflow(TENANT).get_task(view.review_task_id)
    assert any(a.group == "order-review-managers" for a in task.assignments)

    result = await asyncio.wait_for(handle.result(), timeout=120)
    assert result.status is CaseStatus.REJECTED
    processes = await sla.connections.opentext_workflow(TENANT).find_processes(case_id)
    comments = [c.message for c in await sla.connections.opentext_workflow(TENANT).list_comments(processes[0].id)]
    escalations = [m for m in comments if m.startswith("Escalated to")]
    assert escalations == [
        "Escalated to order-review-leads: no decision within 12:00:00.",
        "Escalated to order-review-managers: no decision within 1 day, 6:00:00.",
    ]


def test_an_escalation_chain_must_come_in_order_inside_the_sla() -> None:
    base = {"reminder_after": "PT1H", "escalate_after": "PT2H", "timeout_after": "PT10H"}
    ok = ReviewSla.model_validate({**base, "then_escalate": [{"after": "PT4H", "to": "managers"}]})
    assert [s.to for s in ok.then_escalate] == ["managers"]
    for steps in (
        [{"after": "PT1H", "to": "managers"}],  # before the first escalation
        [{"after": "PT10H", "to": "managers"}],  # at the final timeout
        [{"after": "PT6H", "to": "directors"}, {"after": "PT4H", "to": "managers"}],  # out of order
    ):
        with pytest.raises(ValidationError, match="then_escalate steps must come in order"):
            ReviewSla.model_validate({**base, "then_escalate": steps})
