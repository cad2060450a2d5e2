"""The human-review building block: an OpenText review process with an SLA.

It starts the review process (once), waits for the reviewer's decision (the case's `decide`
update, fed by the shim from OpenText's callback), sends a reminder, escalates, and at the final
timeout withdraws the task and reports the timeout to the case, which applies its policy's default.
A reconciliation activity checks the OpenText process on the SLA's `reconcile_every` period, so a
lost callback never strands a case; its polling lives in the activity's retry schedule on the
server, not in the case's history.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        CheckReviewRequest,
        CommentRequest,
        HandOverRequest,
        ReviewState,
        ReviewTicket,
        StartReviewRequest,
        WithdrawReviewRequest,
    )
    from activities.opentext import OpenTextWorkflowActivities
    from routing.review_sla import ReviewSla

from workflows import case_metrics
from workflows import search_attributes as sa
from workflows.case import AnyCase
from workflows.failures import describe_failure
from workflows.messages import CaseStatus, ReviewDecision, ReviewNotOpenYet
from workflows.retries import API_RETRY, API_TIMEOUT
from workflows.saga import Undo, UndoKey

T = TypeVar("T")


class ReviewRequest(BaseModel):
    tenant: str
    definition_key: str
    business_key: str
    name: str
    variables: dict[str, Any]
    sla: ReviewSla
    escalation_team: str
    outcomes: list[str]  # the outcome values the process model offers, e.g. approved / rejected
    outcome_variable: str = "reviewOutcome"


class ReviewEnd(StrEnum):
    DECIDED = "decided"
    TIMED_OUT = "timed_out"
    WITHDRAWN = "withdrawn"  # the process disappeared in OpenText without an outcome
    STOPPED = "stopped"  # the case no longer needs a decision (e.g. the order was cancelled)
    NOT_STARTED = "not_started"  # an operator skipped the failed start


class HumanReview:
    """One OpenText review task of a case. `team` is set when the review is one of a panel's
    (see `workflows.review_panel`): it names the review's steps, saga entry and activity summaries,
    so several reviews can run side by side in one case. Without it the names are the case's own."""

    def __init__(self, case: AnyCase, request: ReviewRequest, *, team: str | None = None) -> None:
        self._case = case
        self.request = request
        self.team = team
        self.ticket: ReviewTicket | None = None
        self.decision: ReviewDecision | None = None
        self.started_at: datetime | None = None
        self.end: ReviewEnd | None = None  # set once the review is over
        self.decided_at: datetime | None = None  # when the decision arrived
        self._reconciled: ReviewDecision | None = None
        # Time operators added (`extend_sla`): every milestone still ahead moves by it.
        self.extension = timedelta(0)
        self._withdrawn_in_opentext = False
        # Why the review counts as withdrawn (the case parks with it as the reason).
        self.withdrawn_reason = "the review process was deleted in OpenText"

    @property
    def metric_team(self) -> str:
        """The review's `team` label in the metrics: a panel's team, or `review` for a case's one review."""
        return self.team or "review"

    def named(self, step: str) -> str:
        """A step, saga or summary name, made unique per team when the review is a panel's."""
        return f"{step} ({self.team})" if self.team else step

    @property
    def withdraw_step(self) -> str:
        return self.named("withdraw OpenText review")

    @property
    def undo_key(self) -> UndoKey:
        return UndoKey(Undo.WITHDRAW_REVIEW, self.team)

    @property
    def deadline(self) -> datetime | None:
        """When the final timeout falls (None before the task is open)."""
        return self.started_at + self.request.sla.timeout_after + self.extension if self.started_at else None

    @property
    def is_open(self) -> bool:
        """True while the task is open in OpenText and takes a decision."""
        return self.ticket is not None and self.end is None

    # --- decisions (called from the case's update / signal handlers) ------------------------

    def validate(self, decision: ReviewDecision) -> None:
        """Refuse a decision that is not for this review's open task (raises ValueError)."""
        if self.ticket is None:
            raise ReviewNotOpenYet("the case is still opening its review task")
        if decision.process_instance_id != self.ticket.process_instance_id:
            raise ValueError(f"decision is for process {decision.process_instance_id}, not this case's review")
        if decision.task_id != self.ticket.task_id:
            raise ValueError(f"decision is for task {decision.task_id}, not the case's open task")
        if self.end is not None and self.end is not ReviewEnd.DECIDED:
            how = self.end.value.replace("_", " ")
            raise ValueError(f"task {decision.task_id} is no longer open: {self.named('the review')} {how}")
        if decision.outcome not in self.request.outcomes:
            raise ValueError(f"outcome {decision.outcome!r} is not one of {self.request.outcomes}")
        if self.decision is not None and self.decision.outcome != decision.outcome:
            raise ValueError(f"the case already has the decision {self.decision.outcome!r}")

    def accept(self, decision: ReviewDecision) -> None:
        if self.decision is not None:
            return  # the same decision again (a redelivered callback): nothing changes
        self.decision = decision
        self.decided_at = workflow.now()
        who = decision.reviewer or "reviewer"
        self._case.record(self.named("decision received"), f"{decision.outcome} via {decision.source}", who)
        if self.started_at is not None:
            case_metrics.decision_received(self._case.case_type, self.metric_team, workflow.now() - self.started_at)

    # --- operator commands (called from the case's update handlers) -------------------------

    def extend(self, by: timedelta, operator: str, note: str) -> None:
        self.extension += by
        assert self.deadline is not None
        detail = f"by {by}, final timeout now {self.deadline.isoformat(timespec='minutes')}"
        self._case.record(self.named("SLA extended"), f"{detail}; {note}".rstrip("; "), operator)

    async def reassign(self, to: str, operator: str, note: str) -> None:
        """Hand the open task to group `to`; a refusal by OpenText fails the operator's update (the
        case goes on waiting on the task as it was)."""
        message = f"Reassigned to {to} by {operator}" + (f": {note}" if note else ".")
        await self._hand_over(to, message, f"Reassign the review to {to}", retry_policy=RetryPolicy(maximum_attempts=3))
        self._case.record(self.named("review reassigned"), f"to {to}; {note}".rstrip("; "), operator)
        self.reassigned(to)

    async def _hand_over(
        self, to: str, message: str, summary: str, *, retry_policy: RetryPolicy, priority: int | None = None
    ) -> None:
        """Move the open task to group `to` in OpenText (an escalation or an operator's reassign)."""
        assert self.ticket is not None
        ticket = self.ticket
        request = HandOverRequest(
            tenant=self.request.tenant,
            process_instance_id=ticket.process_instance_id,
            task_id=ticket.task_id,
            candidate_group=to,
            message=message,
            priority=priority,
        )
        await workflow.execute_activity_method(
            OpenTextWorkflowActivities.hand_over_review,
            request,
            summary=self.named(summary),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=retry_policy,
        )
        self.ticket = ticket.model_copy(update={"candidate_group": to})

    # --- the review ------------------------------------------------------------------------

    async def run(self, stop: Callable[[], bool]) -> ReviewEnd:
        ticket = await self.run_step(self.named("start OpenText review"), self._start, on_skip=None)
        if ticket is None:
            self.end = ReviewEnd.NOT_STARTED
            return self.end
        self.ticket = ticket
        self._case.review_processes.append(ticket.process_instance_id)
        self._case.saga.add(self.undo_key, lambda: self.withdraw("case aborted"))
        self.started_at = workflow.now()
        self.opened()

        reconciliation = asyncio.create_task(self._reconcile())
        try:
            end = await self._wait_with_sla(stop)
        finally:
            reconciliation.cancel()
            try:
                await reconciliation
            except asyncio.CancelledError:
                pass
        # However it ended, the OpenText process is closed now: nothing left to withdraw.
        self._case.saga.discard(self.undo_key)
        self.end = end
        return end

    # --- what the review reports to the case (a panel reports for all its teams instead) -----

    def opened(self) -> None:
        """The task is open: the case is due at the final timeout and waits in review."""
        assert self.ticket is not None and self.deadline is not None
        self._case.set_status(
            CaseStatus.IN_REVIEW,
            f"Waiting for a decision on task '{self.ticket.task_name}' ({self.ticket.candidate_group})",
            due_at=self.deadline,
        )

    def escalated(self, team: str) -> None:
        workflow.upsert_search_attributes([sa.CASE_TEAM.value_set(team)])
        self._case.set_status(CaseStatus.ESCALATED, f"Escalated to {team}; waiting for a decision")

    def reassigned(self, team: str) -> None:
        workflow.upsert_search_attributes([sa.CASE_TEAM.value_set(team)])
        if self._case.attention is None:
            self._case.set_status(self._case.case_status, f"Reassigned to {team}; waiting for a decision")

    def deadline_moved(self) -> None:
        if self._case.due_at is not None:
            self._case.set_due_at(self.deadline)

    async def run_step(self, step: str, call: Callable[[], Awaitable[T]], *, on_skip: T) -> T:
        """The case's `run_step` (parks on failure); a panel serialises its teams' parking."""
        return await self._case.run_step(step, call, on_skip=on_skip)

    async def _start(self) -> ReviewTicket:
        r = self.request
        return await workflow.execute_activity_method(
            OpenTextWorkflowActivities.start_review,
            StartReviewRequest(
                tenant=r.tenant,
                definition_key=r.definition_key,
                business_key=r.business_key,
                name=r.name,
                variables=r.variables,
                outcome_variable=r.outcome_variable,
                used_processes=list(self._case.review_processes),
                case_started_at=workflow.info().start_time,
            ),
            summary=self.named("Start the OpenText review process"),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
        )

    async def _wait_with_sla(self, stop: Callable[[], bool]) -> ReviewEnd:
        assert self.started_at is not None
        sla = self.request.sla

        def settled() -> bool:
            return self.decision is not None or self._reconciled is not None or self._withdrawn_in_opentext or stop()

        # (offset, timer summary, the group escalated to); the chain's further steps only when the
        # policy has them, so cases with one escalation keep their recorded timers.
        milestones: list[tuple[timedelta, str, str | None]] = [
            (sla.reminder_after, "reminder", None),
            (sla.escalate_after, "escalation", self.request.escalation_team),
            *((step.after, f"escalation to {step.to}", step.to) for step in sla.then_escalate),
            (sla.timeout_after, "final timeout", None),
        ]
        for offset, milestone, team in milestones:
            # An operator's `extend_sla` wakes the wait, which then runs on to the moved milestone.
            while (remaining := self.started_at + offset + self.extension - workflow.now()) > timedelta(0):
                extension = self.extension
                try:
                    await workflow.wait_condition(
                        lambda e=extension: settled() or self.extension != e,  # type: ignore[misc]
                        timeout=remaining,
                        timeout_summary=milestone,
                    )
                except TimeoutError:
                    break
                if settled():
                    break
            if settled():
                break
            if milestone == "reminder":
                await self._remind()
            elif team is not None:
                case_metrics.sla_breached(self._case.case_type, self.metric_team, "escalation")
                await self._escalate(team, offset)
            else:
                case_metrics.sla_breached(self._case.case_type, self.metric_team, "timeout")
                self._case.record(self.named("review timed out"), f"no decision within {sla.timeout_after}")
                await self.run_step(self.withdraw_step, lambda: self.withdraw("SLA timeout"), on_skip=None)
                return ReviewEnd.TIMED_OUT

        if self.decision is None and self._reconciled is not None:
            self.accept(self._reconciled)
        if self.decision is not None:
            return ReviewEnd.DECIDED
        if self._withdrawn_in_opentext:
            return ReviewEnd.WITHDRAWN
        await self.run_step(self.withdraw_step, lambda: self.withdraw("case stopped"), on_skip=None)
        return ReviewEnd.STOPPED

    async def _reconcile(self) -> None:
        assert self.ticket is not None
        every = self.request.sla.reconcile_every
        try:
            check = await workflow.execute_activity_method(
                OpenTextWorkflowActivities.await_review_outcome,
                CheckReviewRequest(
                    tenant=self.request.tenant,
                    process_instance_id=self.ticket.process_instance_id,
                    outcome_variable=self.request.outcome_variable,
                ),
                start_to_close_timeout=timedelta(seconds=30),
                # Each retry is one reconciliation check; no schedule-to-close: it runs until cancelled.
                retry_policy=RetryPolicy(
                    initial_interval=every, backoff_coefficient=1.0, maximum_interval=every, maximum_attempts=0
                ),
                summary=self.named(f"Reconcile with OpenText every {every}"),
            )
        except ActivityError as err:
            self._case.record(self.named("reconciliation stopped"), describe_failure(err))
            return
        if check.state is ReviewState.WITHDRAWN:
            self._withdrawn_in_opentext = True
            self._case.record(self.named("review withdrawn in OpenText"), "the process ended without an outcome")
        elif check.outcome is not None and self.decision is None:
            decision = ReviewDecision(
                process_instance_id=self.ticket.process_instance_id,
                task_id=self.ticket.task_id,
                outcome=check.outcome,
                reviewer=check.reviewer,
                comment=check.comment,
                item_sku=check.item_sku,
                delivery_date=check.delivery_date,
                source="reconciliation",
            )
            refusal = self._refusal(decision)
            if refusal is None:
                self._reconciled = decision
            else:
                # Completed in OpenText with what the callback was refused for (an outcome this case
                # does not offer, a substitute not named): as if withdrawn, an operator decides, and
                # `retry` opens a new task.
                self._withdrawn_in_opentext = True
                self.withdrawn_reason = f"the review ended in OpenText with a decision the case cannot apply: {refusal}"
                self._case.record(self.named("review ended unusable"), refusal, check.reviewer or "unknown")

    def _refusal(self, decision: ReviewDecision) -> str | None:
        """Why the case cannot apply a decision that reconciliation found (the `decide` validator
        never saw it); None when it can."""
        if decision.outcome not in self.request.outcomes:
            return f"outcome {decision.outcome!r} is not one of {self.request.outcomes}"
        try:
            self._case.check_decision(decision)
        except ValueError as err:
            return str(err)
        return None

    async def _remind(self) -> None:
        """A reminder is a courtesy: if OpenText refuses it, note that and keep waiting."""
        assert self.ticket is not None and self.started_at is not None
        deadline = self.deadline
        assert deadline is not None
        try:
            await workflow.execute_activity_method(
                OpenTextWorkflowActivities.comment,
                CommentRequest(
                    tenant=self.request.tenant,
                    process_instance_id=self.ticket.process_instance_id,
                    message=f"Reminder: {self.request.name} is waiting for a decision (final timeout "
                    f"{deadline.isoformat()}).",
                ),
                summary=self.named("Remind the reviewers"),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
            )
            self._case.record(self.named("reminder sent"), f"final timeout {deadline.isoformat()}")
        except ActivityError as err:
            self._case.record(self.named("reminder failed"), describe_failure(err))

    async def _escalate(self, team: str, after: timedelta) -> None:
        message = f"Escalated to {team}: no decision within {after}."
        await self.run_step(
            self.named("escalate OpenText review"),
            lambda: self._hand_over(team, message, f"Escalate to {team}", retry_policy=API_RETRY, priority=90),
            on_skip=None,
        )
        self.escalated(team)

    async def withdraw(self, reason: str) -> None:
        if self.ticket is None:
            return
        await workflow.execute_activity_method(
            OpenTextWorkflowActivities.withdraw_review,
            WithdrawReviewRequest(
                tenant=self.request.tenant, process_instance_id=self.ticket.process_instance_id, reason=reason
            ),
            summary=self.named("Withdraw the OpenText review"),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
        )
