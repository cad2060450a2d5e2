"""Operators steer cases with Updates: each answers with the case view, or is refused with the
reason (a `retry` on a case that is not parked is refused, not ignored). Shopify order reviews end
to end on the real Temporal dev server, the sandbox playing Shopify and OpenText."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowUpdateFailedError

from tests.support.stack import Stack, eventually
from tests.support.world import SHOP
from tests.test_compensation_parks import clear_faults, held_order_in_review, refuse
from tests.test_order_review_flow import case_of
from workflows.messages import CaseStatus, CaseView
from workflows.search_attributes import CASE_DUE_AT, CASE_TEAM


@pytest.fixture
async def faults(stack: Stack) -> AsyncIterator[None]:
    yield
    await clear_faults(stack)


async def update(stack: Stack, case_id: str, name: str, arg: dict[str, Any]) -> CaseView:
    view: CaseView = await stack.handle(case_id).execute_update(name, arg, result_type=CaseView)
    return view


async def current_details(stack: Stack, case_id: str) -> str:
    """What the Temporal UI shows as the case's current details."""
    metadata = await stack.handle(case_id).query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return str(metadata.current_details)


async def refused(stack: Stack, case_id: str, name: str, arg: dict[str, Any]) -> str:
    """The reason the case gives for refusing the update."""
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await update(stack, case_id, name, arg)
    return str(err.value.cause)


async def test_a_parked_case_is_retried_by_update_and_a_second_retry_is_refused(stack: Stack, faults: None) -> None:
    await refuse(stack, "fulfillmentOrderHold")
    order = await stack.create_order(SHOP, unit_price="1450.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)
    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None
    details = await current_details(stack, case_id)
    waiting = r"\*\*Waiting for an operator\*\* since [-\d]+ [:\d]+ UTC: step \*[^*]+\* failed"
    assert re.search(waiting, details), details
    assert details.count(parked.attention.reason) == 1  # the failure is said once
    assert "Run the update `retry`" in details and "**Due:**" not in details

    await clear_faults(stack)
    answer = await update(stack, case_id, "retry", {"operator": "olga", "note": "lock cleared"})
    # The answer comes once the case has resumed: nothing is parked any more.
    assert answer.attention is None and answer.status is not CaseStatus.NEEDS_ATTENTION
    await stack.open_task_id(case_id)
    details = await current_details(stack, case_id)
    assert re.search(r"\*\*Due:\*\* \d{4}-\d\d-\d\d \d\d:\d\d UTC", details), details

    reason = await refused(stack, case_id, "retry", {"operator": "olga"})
    assert "nothing is parked" in reason and "IN_REVIEW" in reason
    reason = await refused(stack, case_id, "skip", {})
    assert "nothing is parked" in reason
    trail = [(e.event, e.actor) for e in await stack.audit(case_id)]
    assert ("operator retry", "olga") in trail
    assert not [e for e, _ in trail if e.startswith("ignored")]  # refused updates leave no trace


async def test_extend_sla_moves_the_due_time_and_the_search_attribute(stack: Stack) -> None:
    order, case_id = await held_order_in_review(stack)
    # The list's one line: type, reference, amount, platform and store (no personal data).
    summary = await (await stack.handle(case_id).describe()).static_summary()
    assert re.fullmatch(rf"Order review {order.name}, [\d.]+ USD \(Shopify {re.escape(SHOP)}\)", summary or ""), summary
    before = await stack.view(case_id)
    assert before.due_at is not None

    answer = await update(stack, case_id, "extend_sla", {"operator": "olga", "hours": 24, "note": "customer abroad"})

    assert answer.due_at == before.due_at + timedelta(hours=24)

    async def due_attribute() -> Any:
        attributes = (await stack.handle(case_id).describe()).typed_search_attributes
        due = attributes.get(CASE_DUE_AT)
        return due if due == answer.due_at else None

    await eventually(due_attribute, what="CaseDueAt moved")
    assert any(e.event == "SLA extended" and e.actor == "olga" for e in await stack.audit(case_id))
    assert "hours must be more than 0" in await refused(stack, case_id, "extend_sla", {"hours": 0})


async def test_reassign_review_moves_the_task_to_another_group(stack: Stack) -> None:
    _, case_id = await held_order_in_review(stack)
    view = await stack.view(case_id)
    assert view.review_task_id is not None

    answer = await update(stack, case_id, "reassign_review", {"operator": "olga", "to": "fraud-senior"})

    assert answer.review_tasks[0].candidate_group == "fraud-senior"
    task = await stack.opentext.get_task(view.review_task_id)
    assert "fraud-senior" in task.candidate_groups
    assert (await stack.handle(case_id).describe()).typed_search_attributes.get(CASE_TEAM) == "fraud-senior"
    assert "already with fraud-senior" in await refused(stack, case_id, "reassign_review", {"to": "fraud-senior"})


async def test_notes_are_recorded_and_a_second_abort_is_refused(stack: Stack) -> None:
    _, case_id = await held_order_in_review(stack)
    await update(stack, case_id, "add_note", {"operator": "olga", "note": "customer confirmed the address"})
    assert any(e.event == "operator note" and e.actor == "olga" for e in await stack.audit(case_id))
    assert "the note is empty" in await refused(stack, case_id, "add_note", {"note": " "})

    answer = await update(stack, case_id, "abort", {"operator": "olga", "note": "duplicate order"})
    assert answer.status is not CaseStatus.ABORTED  # requested: the case stops at its next wait
    assert "already requested by olga" in await refused(stack, case_id, "abort", {})
    result = await stack.handle(case_id).result()
    assert result.status is CaseStatus.ABORTED


async def test_a_misspelt_signal_and_a_malformed_one_are_recorded_not_dropped(stack: Stack) -> None:
    _, case_id = await held_order_in_review(stack)
    handle = stack.handle(case_id)
    await handle.signal("retyr", {"operator": "olga"})
    await handle.signal("retry", {"operator": ["olga"]})

    async def ignored() -> list[str] | None:
        notes = [f"{e.event}: {e.detail}" for e in await stack.audit(case_id) if e.event.startswith("ignored")]
        return notes if len(notes) == 2 else None

    misspelt, malformed = await eventually(ignored, what="both signals in the audit trail")
    assert misspelt.startswith("ignored signal: 'retyr' is no command of this case; the commands are retry")
    assert malformed.startswith("ignored retry: malformed input: Input should be a valid string")
    assert (await stack.view(case_id)).status is CaseStatus.IN_REVIEW
