"""OpenText Workflow Service activities: the review process of a case."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.errors import translate_errors
from activities.models import (
    CheckReviewRequest,
    CommentRequest,
    HandOverRequest,
    ReviewCheck,
    ReviewState,
    ReviewTicket,
    StartReviewRequest,
    WithdrawReviewRequest,
)
from casebridge.connections import Connections
from connectors.errors import ConflictError, NotFoundError


class OpenTextWorkflowActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="opentext.start_review")
    @translate_errors
    async def start_review(self, request: StartReviewRequest) -> ReviewTicket:
        """Start the review process once per case: an active process with the case's business key
        is reused, and so is one already decided, so a retry never opens a second review."""
        client = self._connections.opentext_workflow(request.tenant)
        processes = await client.find_processes(request.business_key, request.definition_key)
        if request.case_started_at is not None:
            processes = [p for p in processes if p.start_time is None or p.start_time >= request.case_started_at]
        process = next((p for p in processes if not p.ended), None)
        if process is None and processes and processes[-1].id not in request.used_processes:
            # An earlier attempt started the process and the reviewer decided before its task
            # could be reported: that is the review. The case's watcher reads its outcome.
            newest = await client.get_process(processes[-1].id, include_variables=True)
            if newest.variable_values.get(request.outcome_variable) is not None:
                return ReviewTicket(process_instance_id=newest.id, task_id="", task_name=request.name)
        if process is None:
            process = await client.start_process(
                request.definition_key, request.name, request.business_key, request.variables
            )
        tasks = await client.list_tasks(process_instance_id=process.id)
        if not tasks:
            # The service creates the user task asynchronously; try again shortly.
            raise ApplicationError(
                "review task not created yet", type="StillWaiting", category=ApplicationErrorCategory.BENIGN
            )
        task = tasks[0]
        group = next(iter(task.candidate_groups), None)
        return ReviewTicket(
            process_instance_id=process.id, task_id=task.id, task_name=task.name or "review", candidate_group=group
        )

    @activity.defn(name="opentext.await_review_outcome")
    @translate_errors
    async def await_review_outcome(self, request: CheckReviewRequest) -> ReviewCheck:
        """Reconciliation: succeeds once the review process has an outcome (or was withdrawn in
        OpenText). While the task is open the attempt fails as BENIGN, and the retry policy's
        interval is the reconciliation period, so no polling loop is recorded in the history."""
        client = self._connections.opentext_workflow(request.tenant)
        try:
            process = await client.get_process(request.process_instance_id, include_variables=True)
        except NotFoundError:
            return ReviewCheck(state=ReviewState.WITHDRAWN)
        variables = process.variable_values
        outcome = variables.get(request.outcome_variable)
        if process.ended and outcome is not None:
            return ReviewCheck(
                state=ReviewState.COMPLETED,
                outcome=str(outcome),
                reviewer=str(variables["reviewer"]) if variables.get("reviewer") else None,
                comment=str(variables["comment"]) if variables.get("comment") else None,
                item_sku=str(variables["itemSku"]) if variables.get("itemSku") else None,
                delivery_date=str(variables.get("deliveryDate") or "").strip() or None,
            )
        if process.ended:
            return ReviewCheck(state=ReviewState.WITHDRAWN)
        # What the UI shows as the pending activity's last failure: say it is the expected state.
        raise ApplicationError(
            "not decided in OpenText yet: normal while the review is open; checked again each period",
            type="StillWaiting",
            category=ApplicationErrorCategory.BENIGN,
        )

    @activity.defn(name="opentext.comment")
    @translate_errors
    async def comment(self, request: CommentRequest) -> None:
        client = self._connections.opentext_workflow(request.tenant)
        await client.add_comment(request.process_instance_id, request.message)

    @activity.defn(name="opentext.hand_over_review")
    @translate_errors
    async def hand_over_review(self, request: HandOverRequest) -> None:
        """Move the open task to another group (raising its priority when asked), and say why."""
        client = self._connections.opentext_workflow(request.tenant)
        await client.update_task(request.task_id, candidate_group=request.candidate_group, priority=request.priority)
        await client.add_comment(request.process_instance_id, request.message)

    @activity.defn(name="opentext.withdraw_review")
    @translate_errors
    async def withdraw_review(self, request: WithdrawReviewRequest) -> None:
        """Delete the review process; one that is already gone counts as withdrawn."""
        client = self._connections.opentext_workflow(request.tenant)
        try:
            process = await client.get_process(request.process_instance_id, include_variables=False)
            if process.ended:
                return
            await client.delete_process(request.process_instance_id, request.reason)
        except (NotFoundError, ConflictError):
            # Gone, or it ended between the read and the delete: withdrawn either way.
            return
