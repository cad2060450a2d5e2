"""A case that waits for human decisions: the `decide` update (validated) and the
`submit_decision` signal, both routed to the review whose task the decision is for: the case's
one `HumanReview`, or one team's review of its `ReviewPanel` (found by the OpenText process).
It also runs a review round until it ends (parking when OpenText loses the task) and writes the
customer's letters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.document_models import DocumentKind, RecordEntry

from workflows.case import CaseAborted, CaseWorkflow, InputT, check_operator_text
from workflows.human_review import HumanReview, ReviewEnd, ReviewRequest
from workflows.messages import (
    MAX_SLA_EXTENSION_HOURS,
    CaseView,
    ExtendSla,
    OperatorAction,
    ReassignReview,
    ReviewDecision,
    ReviewNotOpenYet,
    ReviewTaskView,
)
from workflows.review_panel import ReviewPanel


class ReviewedCase(CaseWorkflow[InputT]):
    review: HumanReview | None = None  # a case with one review task at a time
    panel: ReviewPanel | None = None  # a case whose teams review in parallel
    decisions_filed: int = 0  # how many of `_reviews()` had their decision filed in the workspace

    @workflow.update(description="Internal (the shim): a reviewer's decision from OpenText's callback.")
    def decide(self, decision: ReviewDecision) -> CaseView:
        """A reviewer's decision, from the shim (OpenText callback). Answers with the case view."""
        self._review_for(decision).accept(decision)  # the validator found it already
        return self.view()

    @decide.validator
    def _validate_decision(self, decision: ReviewDecision) -> None:
        # A rejected update writes nothing to the history; the caller gets the reason.
        if self.case_status.is_final:
            raise ValueError(f"the case is closed ({self.case_status.value})")
        self._review_for(decision).validate(decision)
        self.check_decision(decision)

    @workflow.update(description="Operator: more time for the open review task(s); milestones ahead move.")
    async def extend_sla(self, command: ExtendSla) -> CaseView:
        for review in self._open_reviews(command.team):
            review.extend(timedelta(hours=command.hours), command.operator, command.note)
            review.deadline_moved()
        return self.view()

    @extend_sla.validator
    def _validate_extend_sla(self, command: ExtendSla) -> None:
        check_operator_text(command)
        if not 0 < command.hours <= MAX_SLA_EXTENSION_HOURS:
            raise ValueError(f"hours must be more than 0 and at most {MAX_SLA_EXTENSION_HOURS}, not {command.hours}")
        self._open_reviews(command.team)

    @workflow.update(description="Operator: hand the open review task to another OpenText group.")
    async def reassign_review(self, command: ReassignReview) -> CaseView:
        [review] = self._open_reviews(command.team)
        await review.reassign(command.to, command.operator, command.note)
        return self.view()

    @reassign_review.validator
    def _validate_reassign(self, command: ReassignReview) -> None:
        check_operator_text(command)
        if not command.to.strip() or len(command.to) > 200:
            raise ValueError("`to` must name the OpenText group (1 to 200 characters)")
        reviews = self._open_reviews(command.team)
        if len(reviews) > 1:
            teams = ", ".join(r.team or "" for r in reviews)
            raise ValueError(f"several review tasks are open ({teams}): name the one to reassign with `team`")
        group = reviews[0].ticket.candidate_group if reviews[0].ticket else None
        if group == command.to:
            raise ValueError(f"the review task is already with {command.to}")

    def _open_reviews(self, team: str | None) -> list[HumanReview]:
        """The open review tasks an operator command is for (one team's, when named); raises
        ValueError with the reason when there is none."""
        if self.case_status.is_final:
            raise ValueError(f"the case is closed ({self.case_status.value})")
        reviews = [r for r in self._reviews() if r.is_open and (team is None or r.team == team)]
        if not reviews:
            open_teams = [r.team for r in self._reviews() if r.is_open and r.team]
            if team is not None and open_teams:
                raise ValueError(f"no open review task of team {team} (open: {', '.join(open_teams)})")
            raise ValueError(f"no review task is open: the case is {self.case_status.value} ({self.case_detail})")
        return reviews

    @workflow.signal(description="Internal (the shim): a reviewer's decision, for tools that cannot wait.")
    def submit_decision(self, decision: ReviewDecision) -> None:
        """Fire-and-forget path for channels that cannot wait for a worker; invalid ones are noted."""
        try:
            self._validate_decision(decision)
        except ValueError as err:
            self.record("ignored decision", str(err), decision.reviewer or "unknown")
            return
        self._review_for(decision).accept(decision)

    def task_variables(self, team: str, own: dict[str, Any]) -> dict[str, Any]:
        """A review task's process variables: those every task carries (how OpenText's callback
        finds the case and who reviews), then the case type's `own`."""
        i = self.input
        common = {"caseId": i.case_id, "callbackUrl": i.callback_url, "team": team, "platform": i.platform}
        workspace = self.case_file.workspace if self.case_file is not None else None
        if workspace is not None:
            common["workspaceId"] = str(workspace.node_id)  # the reviewer opens the case's documents
        return {**common, "store": i.store, **own}

    async def open_case_file(self) -> None:
        """Open the case's workspace before its first review task, so the task can point at it."""
        if self.case_file is not None:
            await self.case_file.open()

    async def file_decisions(self) -> None:
        """File a decision record for each review ended since the last call (a reviewer's decision,
        or that nobody decided in time), numbered in the order the reviews opened."""
        if self.case_file is None:
            return
        reviews = self._reviews()
        while self.decisions_filed < len(reviews) and reviews[self.decisions_filed].end is not None:
            review = reviews[self.decisions_filed]
            self.decisions_filed += 1
            decision, end = review.decision, review.end
            assert end is not None  # the loop's condition
            if decision is not None:
                entry = RecordEntry(
                    at=review.decided_at or workflow.now(),
                    event=f"decided {decision.outcome}",
                    detail=decision.comment or "",
                    actor=decision.reviewer or "reviewer",
                )
            else:
                entry = RecordEntry(at=workflow.now(), event=f"review ended {end.value}", detail="no decision")
            team = f" ({review.team})" if review.team else ""
            name = f"Decision {self.decisions_filed}{team} {self.case_id.replace('/', ' ')}.html"
            await self.case_file.file(DocumentKind.DECISION, name, [entry])

    async def review_once(self, request: Callable[[], ReviewRequest], stop: Callable[[], bool]) -> ReviewEnd:
        """One review task until it ends. When OpenText loses the task (WITHDRAWN) the case parks:
        `retry` opens a new task, `skip` counts as nobody deciding (TIMED_OUT: the policy's default
        applies), `abort` ends the case."""
        await self.open_case_file()
        while True:
            self.review = HumanReview(self, request())
            end = await self.review.run(stop=stop)
            await self.file_decisions()
            if end is not ReviewEnd.WITHDRAWN:
                return end
            action = await self.park("OpenText review", self.review.withdrawn_reason)
            if action is OperatorAction.ABORT:
                raise CaseAborted("OpenText review")
            if action is OperatorAction.SKIP:
                return ReviewEnd.TIMED_OUT

    def _review_for(self, decision: ReviewDecision) -> HumanReview:
        """The review the decision is for; raises ValueError with the reason when there is none."""
        if self.panel is not None:
            review = self.panel.review_for(decision.process_instance_id)
            if review is None and any(r.ticket is None for r in self.panel.reviews.values()):
                raise ReviewNotOpenYet("the case is still opening its review tasks")
            if review is None:
                open_tasks = ", ".join(
                    f"{r.team}: process {r.ticket.process_instance_id}" for r in self.panel.open_reviews() if r.ticket
                )
                raise ValueError(
                    f"decision is for process {decision.process_instance_id}, which is no review task of this case "
                    f"(open: {open_tasks or 'none'})"
                )
            return review
        if self.review is None:
            raise ReviewNotOpenYet("the case has not opened its review yet")
        return self.review  # its validate() names a decision for another process or task

    def _reviews(self) -> list[HumanReview]:
        if self.panel is not None:
            return list(self.panel.reviews.values())
        return [self.review] if self.review is not None else []

    def view(self) -> CaseView:
        view = super().view()
        if self.review is not None:
            view.decision = self.review.decision
            if self.review.ticket is not None:
                view.review_process_id = self.review.ticket.process_instance_id
                view.review_task_id = self.review.ticket.task_id
        view.review_tasks = [
            ReviewTaskView(
                team=r.team,
                process_instance_id=r.ticket.process_instance_id,
                task_id=r.ticket.task_id,
                task_name=r.ticket.task_name,
                candidate_group=r.ticket.candidate_group,
                open=r.is_open,
                ended=r.end.value if r.end is not None else None,
                due_at=r.deadline,
                decision=r.decision,
            )
            for r in self._reviews()
            if r.ticket is not None
        ]
        return view
