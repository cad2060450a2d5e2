"""`casebridge cases summary` against the suite's Temporal server: counts by type and status, the
teams cases wait on, and the cases parked longest with the step and reason they report."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from casebridge.case_summary import summarize
from casebridge.cli import execute
from tests.support.stack import Stack
from tests.support.world import SHOP
from tests.test_compensation_parks import LOCKED, clear_faults, held_order_in_review, refuse
from tests.test_order_review_flow import case_of
from workflows.messages import CaseStatus


@pytest.fixture
async def faults(stack: Stack) -> AsyncIterator[None]:
    yield
    await clear_faults(stack)


async def test_summary_counts_open_cases_and_lists_the_parked_ones(
    stack: Stack, faults: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _, in_review = await held_order_in_review(stack)
    await refuse(stack, "fulfillmentOrderHold")
    order = await stack.create_order(SHOP, unit_price="1460.00")
    parked_id = case_of(SHOP, order.legacy_resource_id)
    await stack.case_started(parked_id)
    await stack.status_is(parked_id, CaseStatus.NEEDS_ATTENTION)
    team = (await stack.view(in_review)).review_tasks[0].candidate_group
    assert team is not None

    summary = await summarize(stack.client, store=SHOP, oldest=10_000)

    assert summary.by_type_and_status[("order-review", "NEEDS_ATTENTION")] >= 1
    assert summary.by_type_and_status[("order-review", "IN_REVIEW")] >= 1
    assert summary.by_team[team] >= 1
    [parked] = [p for p in summary.parked if p.case_id == parked_id]
    assert parked.ref == order.name and parked.step == "hold fulfillment orders" and LOCKED in parked.reason
    assert parked.since is not None
    times = [p.since for p in summary.parked if p.since is not None]
    assert times == sorted(times)  # longest parked first

    # The command prints the same, scoped to a store; a store without cases has none.
    address = stack.client.service_client.config.target_host
    settings = stack.settings.model_copy(update={"temporal_address": address})
    assert await execute(["cases", "summary", "--store", SHOP, "--oldest", "100000"], settings) == 0
    printed = capsys.readouterr().out
    assert "Open cases by type and status:" in printed and "NEEDS_ATTENTION" in printed
    assert parked_id in printed
    assert await execute(["cases", "summary", "--store", "no-such-store.example"], settings) == 0
    assert "Waiting longest for an operator (NEEDS_ATTENTION):\n  none" in capsys.readouterr().out
