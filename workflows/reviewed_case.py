"""A case that waits for a human decision: the `decide` update (validated) and the
`submit_decision` signal, both routed to the case's current `HumanReview`."""

from __future__ import annotations

from temporalio import workflow

from workflows.case import CaseWorkflow
from workflows.human_review import HumanReview
from workflows.messages import CaseView, ReviewDecision


class ReviewedCase(CaseWorkflow):
    review: HumanReview | None = None

    @workflow.update
    def decide(self, decision: ReviewDecision) -> CaseView:
        """A reviewer's decision, from the shim (OpenText callback). Answers with the case view."""
        assert self.review is not None  # guaranteed by the validator
        self.review.accept(decision)
        return self.view()

    @decide.validator
    def _validate_decision(self, decision: ReviewDecision) -> None:
        # A rejected update writes nothing to the history; the caller gets the reason.
        if self.case_status.is_final:
            raise ValueError(f"the case is closed ({self.case_status.value})")
        if self.review is None:
            raise ValueError("the case has no review open")
        self.review.validate(decision)

    @workflow.signal
    def submit_decision(self, decision: ReviewDecision) -> None:
        """Fire-and-forget path for channels that cannot wait for a worker; invalid ones are noted."""
        try:
            self._validate_decision(decision)
        except ValueError as err:
            self.record("ignored decision", str(err), decision.reviewer or "unknown")
            return
        assert self.review is not None
        self.review.accept(decision)

    def view(self) -> CaseView:
        view = super().view()
        if self.review is not None:
            view.decision = self.review.decision
            if self.review.ticket is not None:
                view.review_process_id = self.review.ticket.process_instance_id
                view.review_task_id = self.review.ticket.task_id
        return view
