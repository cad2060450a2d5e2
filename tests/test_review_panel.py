"""Several teams review one case in parallel (`workflows.review_panel`), against the real parts:
decisions made in the sandbox's reviewer inbox reach the case through the signed OpenText callback,
the shim and the `decide` Update; withdrawn tasks are read back from the OpenText simulator; the
per-team SLA runs on the time-skipping server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.opentext import OpenTextWorkflowActivities
from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.opentext.callback_signing import signed_headers
from connectors.opentext.workflow import OpenTextWorkflowClient
from routing.review_sla import ReviewSla
from tests.support.panel_case import APPROVED, REJECTED, PanelCase, PanelCaseInput, PanelCaseResult, TeamSpec
from tests.support.stack import Stack, eventually
from tests.support.world import SECRETS, TENANT, TENANT_ID
from workflows.human_review import ReviewEnd
from workflows.messages import CaseStatus, CaseView, ReviewDecision, ReviewTaskView, team_business_key
from workflows.review_panel import PanelEnd, PanelRule

REVIEWER = "pat.panel@example.test"
# Long enough that no reconciliation check decides for a team in these tests: every decision
# must come through the callback (or, on the time-skipping server, the signal).
DAY_SLA = ReviewSla(
    reminder_after=timedelta(hours=4),
    escalate_after=timedelta(hours=12),
    timeout_after=timedelta(hours=24),
    reconcile_every=timedelta(hours=1),
)

PanelHandle = WorkflowHandle[PanelCase, PanelCaseResult]


def opentext_activities(connections: Connections) -> list[Callable[..., Any]]:
    ot = OpenTextWorkflowActivities(connections)
    return [ot.start_review, ot.await_review_outcome, ot.comment, ot.hand_over_review, ot.withdraw_review]


@pytest.fixture
async def panel_queue(stack: Stack) -> AsyncIterator[str]:
    """A worker of its own for the test-only panel case, on the stack's Temporal server."""
    queue = f"panel-{uuid.uuid4().hex[:8]}"
    async with Worker(
        stack.client,
        task_queue=queue,
        workflows=[PanelCase],
        activities=opentext_activities(stack.connections),
    ):
        yield queue


async def start_panel(
    client: Client, queue: str, callback_url: str, teams: list[TeamSpec], rule: PanelRule | None = None
) -> tuple[str, PanelHandle]:
    case_id = f"panel-test/{uuid.uuid4().hex[:10]}"
    case_input = PanelCaseInput(
        case_id=case_id,
        platform="none",
        store="none",
        opentext_tenant=TENANT,
        callback_url=callback_url,
        teams=teams,
        rule=rule or PanelRule(),
    )
    handle = await client.start_workflow(PanelCase.run, case_input, id=case_id, task_queue=queue)
    return case_id, handle


async def open_tasks(handle: PanelHandle, count: int) -> dict[str, ReviewTaskView]:
    """Wait until `count` team tasks are open; answer them by team."""

    async def check() -> dict[str, ReviewTaskView] | None:
        view = await handle.query("status", result_type=CaseView)
        tasks = {t.team or "": t for t in view.review_tasks if t.open}
        return tasks if len(tasks) == count else None

    return await eventually(check, what=f"{count} open team tasks")


async def decide_in_inbox(stack: Stack, task_id: str, outcome: str) -> None:
    """What a reviewer does in the sandbox's reviewer inbox: press Approve or Reject."""
    response = await stack.http.post(
        f"{stack.sandbox_url}/opentext/inbox/tasks/{task_id}",
        data={"outcome": outcome, "reviewer": REVIEWER, "comment": f"{outcome} by the panel test"},
    )
    assert response.status_code == 303
    assert "error=" not in response.headers["location"], response.headers["location"]


def teams(*names: str, default: str = REJECTED) -> list[TeamSpec]:
    return [TeamSpec(team=name, sla=DAY_SLA, default_outcome=default) for name in names]


def shim_callback_url(stack: Stack) -> str:
    return f"{stack.shim_url}/callbacks/opentext/workflow?tenant={TENANT}"


async def test_all_teams_approve_through_the_inbox(stack: Stack, panel_queue: str) -> None:
    case_id, handle = await start_panel(
        stack.client, panel_queue, shim_callback_url(stack), teams("warehouse", "service", "finance")
    )
    tasks = await open_tasks(handle, 3)

    # One OpenText process per team, each with its own business key and candidate group.
    for team, task in tasks.items():
        processes = await stack.opentext.find_processes(team_business_key(case_id, team))
        assert [p.id for p in processes] == [task.process_instance_id]
        assert any(a.group == team for a in (await stack.opentext.get_task(task.task_id)).assignments)

    for task in tasks.values():
        await decide_in_inbox(stack, task.task_id, APPROVED)
    result = await asyncio.wait_for(handle.result(), timeout=60)

    assert result.status is CaseStatus.APPROVED
    assert result.panel is not None and result.panel.end is PanelEnd.COMPLETE
    assert result.panel.outcomes() == {"warehouse": APPROVED, "service": APPROVED, "finance": APPROVED}
    for team_result in result.panel.teams:
        assert team_result.end is ReviewEnd.DECIDED
        assert team_result.reviewer == REVIEWER
        # Through the signed callback and the shim's Update, not a reconciliation check.
        assert team_result.decision is not None and team_result.decision.source == "callback"
    for task in tasks.values():
        process = await stack.opentext.get_process(task.process_instance_id)
        assert process.ended and process.completed


async def test_a_veto_withdraws_the_other_teams_tasks(stack: Stack, panel_queue: str) -> None:
    _, handle = await start_panel(
        stack.client,
        panel_queue,
        shim_callback_url(stack),
        teams("credit", "tax", "legal"),
        PanelRule(veto_outcomes=[REJECTED]),
    )
    tasks = await open_tasks(handle, 3)

    await decide_in_inbox(stack, tasks["tax"].task_id, REJECTED)
    result = await asyncio.wait_for(handle.result(), timeout=60)

    assert result.status is CaseStatus.REJECTED
    assert result.panel is not None and result.panel.end is PanelEnd.VETOED
    assert result.panel.vetoed_by == "tax"
    by_team = {t.team: t for t in result.panel.teams}
    assert by_team["tax"].end is ReviewEnd.DECIDED and by_team["tax"].outcome == REJECTED
    for team in ("credit", "legal"):
        assert by_team[team].end is ReviewEnd.STOPPED and by_team[team].outcome is None
        # Withdrawn in the simulator: the process was deleted, its task is gone from every inbox.
        process = await stack.opentext.get_process(tasks[team].process_instance_id)
        assert process.ended and not process.completed
        assert process.delete_reason == "case stopped"
        assert await stack.opentext.list_tasks(process_instance_id=tasks[team].process_instance_id) == []
    inbox = (await stack.http.get(f"{stack.sandbox_url}/opentext/inbox")).text
    assert tasks["credit"].task_id not in inbox and tasks["legal"].task_id not in inbox


async def test_decisions_for_no_open_task_are_refused(stack: Stack, panel_queue: str) -> None:
    case_id, handle = await start_panel(stack.client, panel_queue, shim_callback_url(stack), teams("credit", "legal"))
    tasks = await open_tasks(handle, 2)
    url = shim_callback_url(stack)
    secret = SECRETS["OPENTEXT_CALLBACK_SECRET"]

    def callback(process_instance_id: str, task_id: str, outcome: str) -> bytes:
        return json.dumps(
            {
                "tenantId": TENANT_ID,
                "processInstanceId": process_instance_id,
                "processDefinitionKey": "casebridge_order_review",
                "businessKey": team_business_key(case_id, "credit"),
                "taskId": task_id,
                "taskName": "Review order",
                "outcome": outcome,
                "completedBy": REVIEWER,
                "variables": {},
            }
        ).encode()

    # Through the shim: a process that is none of the case's tasks.
    body = callback("no-such-process", "no-such-task", APPROVED)
    refused = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert refused.status_code == 409, refused.text
    assert "no review task of this case" in refused.json()["detail"]

    # A team that has decided takes no other decision on its closed task.
    await decide_in_inbox(stack, tasks["credit"].task_id, APPROVED)

    async def credit_decided() -> bool:
        view = await handle.query("status", result_type=CaseView)
        return any(t.team == "credit" and not t.open for t in view.review_tasks)

    await eventually(credit_decided, what="credit's decision")
    with pytest.raises(WorkflowUpdateFailedError) as refusal:
        await handle.execute_update(
            "decide",
            ReviewDecision(
                process_instance_id=tasks["credit"].process_instance_id,
                task_id=tasks["credit"].task_id,
                outcome=REJECTED,
            ),
        )
    assert "already has the decision 'approved'" in str(refusal.value.cause)
    # The same decision again (a redelivered callback) is answered, not applied twice.
    body = callback(tasks["credit"].process_instance_id, tasks["credit"].task_id, APPROVED)
    again = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert again.status_code == 200, again.text
    view = await handle.query("status", result_type=CaseView)
    assert [t.team for t in view.review_tasks if t.open] == ["legal"]

    # The case stops: every open task is withdrawn, and a decision for one is refused.
    await handle.signal(PanelCase.stop_case)
    result = await asyncio.wait_for(handle.result(), timeout=60)
    assert result.status is CaseStatus.CANCELLED
    assert result.panel is not None and result.panel.end is PanelEnd.STOPPED
    legal = await stack.opentext.get_process(tasks["legal"].process_instance_id)
    assert legal.ended and legal.delete_reason == "case stopped"
    audit = await handle.query("audit")
    assert [e["event"] for e in audit].count("decision received (credit)") == 1


# --- per-team SLA on the time-skipping server -------------------------------------------------


@pytest.fixture
async def sla_panel(time_skipping_env: WorkflowEnvironment, config_dir: Path) -> AsyncIterator[tuple[Client, str]]:
    queue = f"panel-sla-{uuid.uuid4().hex[:8]}"
    connections = Connections(load_registry(config_dir))
    async with Worker(
        time_skipping_env.client,
        task_queue=queue,
        workflows=[PanelCase],
        activities=opentext_activities(connections),
    ):
        yield time_skipping_env.client, queue
    await connections.aclose()


async def wait_open_without_skipping(handle: PanelHandle, count: int) -> dict[str, ReviewTaskView]:
    """Let the tasks open in real time before any time is skipped (queries skip no time)."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        view = await handle.query("status", result_type=CaseView)
        tasks = {t.team or "": t for t in view.review_tasks if t.open}
        if len(tasks) == count:
            return tasks
        assert view.status is not CaseStatus.NEEDS_ATTENTION, view.attention
        assert asyncio.get_running_loop().time() < deadline, view
        await asyncio.sleep(0.05)


async def test_a_team_that_times_out_gets_its_default(sla_panel: tuple[Client, str], config_dir: Path) -> None:
    client, queue = sla_panel
    # Reconciliation far from every timer's instant (see tests/test_order_review_sla.py).
    slow = timedelta(days=5)
    finance = TeamSpec(
        team="finance",
        default_outcome=APPROVED,
        sla=ReviewSla(
            reminder_after=timedelta(hours=4),
            escalate_after=timedelta(hours=12),
            timeout_after=timedelta(hours=24),
            reconcile_every=slow,
        ),
    )
    legal = TeamSpec(
        team="legal",
        default_outcome=REJECTED,
        sla=ReviewSla(
            reminder_after=timedelta(hours=30),
            escalate_after=timedelta(hours=40),
            timeout_after=timedelta(hours=72),
            reconcile_every=slow,
        ),
    )
    _, handle = await start_panel(client, queue, "http://127.0.0.1:9/unused", [finance, legal])
    tasks = await wait_open_without_skipping(handle, 2)
    view = await handle.query("status", result_type=CaseView)
    assert view.due_at == tasks["finance"].due_at  # the earliest open deadline

    # Legal decides in OpenText, and the decision reaches the case by the signal path (the
    # time-skipping server does not support Updates) ...
    async with contextlib.aclosing(Connections(load_registry(config_dir))) as connections:
        await legal_decides_finance_times_out(handle, connections.opentext_workflow(TENANT), tasks)


async def legal_decides_finance_times_out(
    handle: PanelHandle, opentext: OpenTextWorkflowClient, tasks: dict[str, ReviewTaskView]
) -> None:
    await opentext.claim_task(tasks["legal"].task_id, "lee.legal")
    await opentext.complete_task(tasks["legal"].task_id, APPROVED, {"reviewer": "lee.legal"})
    await handle.signal(
        PanelCase.submit_decision,
        ReviewDecision(
            process_instance_id=tasks["legal"].process_instance_id,
            task_id=tasks["legal"].task_id,
            outcome=APPROVED,
            reviewer="lee.legal",
        ),
    )
    # ... finance never does: its reminder, escalation and timeout pass, its default applies.
    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED, result.detail
    assert result.panel is not None and result.panel.end is PanelEnd.COMPLETE
    by_team = {t.team: t for t in result.panel.teams}
    assert by_team["legal"].end is ReviewEnd.DECIDED and by_team["legal"].reviewer == "lee.legal"
    assert by_team["finance"].end is ReviewEnd.TIMED_OUT and by_team["finance"].outcome == APPROVED
    assert by_team["finance"].defaulted

    finance_process = await opentext.get_process(tasks["finance"].process_instance_id)
    assert finance_process.ended and finance_process.delete_reason == "SLA timeout"
    comments = [c.message for c in await opentext.list_comments(finance_process.id)]
    assert any(m.startswith("Reminder:") for m in comments)
    assert any(m.startswith("Escalated to finance-leads") for m in comments)
    # Legal decided before its own reminder: nothing was sent to it.
    legal_process = await opentext.get_process(tasks["legal"].process_instance_id)
    assert legal_process.completed and legal_process.delete_reason is None
    assert await opentext.list_comments(legal_process.id) == []
    events = [e["event"] for e in await handle.query("audit")]
    assert events.index("reminder sent (finance)") < events.index("review timed out (finance)")
    assert "team default applied (finance)" in events
    assert "reminder sent (legal)" not in events
