"""A customer letter, the one building block every case type (and later the order documents) sends
letters through: rendered by OpenText Exstream in the store's brand and the customer's language,
delivered by the first channel of the store's policy the customer accepts, filed in the case's
business workspace, and sent again by the next channel when the first bounces.

Each letter is its own workflow (id `letter/...`, also Exstream's document id), started by the case
as an abandoned child: the case goes on and may close while the letter still listens for its
delivery outcome, which the delivery outcome feed (`workflows.delivery_outcomes`) signals to it. A
letter that cannot be sent is recorded in its own details and never stops a case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.letter_models import LetterOutcome, LetterSent, SendLetterRequest
    from activities.letters import LetterActivities

from workflows import search_attributes as sa
from workflows.failures import describe_failure
from workflows.retries import API_TIMEOUT

JOB_TYPE = "customer-letter"
# Few attempts: on-demand generation has no idempotency key; a retry finds a send only by its filed
# archive copy (activities/letters.py), so one that died before filing sends another copy.
LETTER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=3)
FAILED_DELIVERY = ("bounced", "returned")  # the channel did not reach the customer: try the next

LetterStatus = Literal["sending", "awaiting outcome", "delivered", "sent", "not sent", "failed"]


class LetterInput(BaseModel):
    request: SendLetterRequest
    ref: str  # what the letter is about, for operators: "order #1042"; no personal data
    case_id: str | None = None
    store_task_queue: str | None = None  # the store's rate-limited queue, when it has one


class LetterResult(BaseModel):
    letter_id: str
    status: LetterStatus
    sends: list[LetterSent] = Field(default_factory=list)
    outcomes: list[LetterOutcome] = Field(default_factory=list)
    reason: str | None = None  # not sent / failed: why


def letter_search_attributes() -> TypedSearchAttributes:
    return TypedSearchAttributes([SearchAttributePair(sa.CASE_TYPE, JOB_TYPE)])


@workflow.defn(name="CustomerLetter")
class CustomerLetter:
    @workflow.init
    def __init__(self, input: LetterInput) -> None:
        self.input = input
        self.result = LetterResult(letter_id=input.request.letter_id, status="sending")

    @workflow.signal(name="delivery_outcome", description="A delivery outcome of this letter (the outcome feed).")
    def delivery_outcome(self, outcome: LetterOutcome) -> None:
        if all(o.delivery_id != outcome.delivery_id or o.type != outcome.type for o in self.result.outcomes):
            self.result.outcomes.append(outcome)

    @workflow.query(description="The letter's sends, their channels and outcomes.")
    def status(self) -> LetterResult:
        return self.result

    @workflow.run
    async def run(self, input: LetterInput) -> LetterResult:
        excluded = list(input.request.excluded)
        while True:
            self._show()
            try:
                sent = await workflow.execute_activity_method(
                    LetterActivities.send_letter,
                    input.request.model_copy(update={"excluded": excluded}),
                    task_queue=input.store_task_queue or workflow.info().task_queue,
                    start_to_close_timeout=API_TIMEOUT,
                    retry_policy=LETTER_RETRY,
                    summary=f"Send '{input.request.communication}'"
                    + (f" avoiding {', '.join(c.value for c in excluded)}" if excluded else ""),
                )
            except ActivityError as err:
                return self._end("failed", describe_failure(err))
            self.result.sends.append(sent)
            if sent.channel is None or sent.delivery_id is None:
                return self._end("not sent", sent.not_sent)
            self.result.status = "awaiting outcome"
            self._show()
            outcome = await self._outcome_of(sent.delivery_id, input.request.policy.bounce_wait)
            if outcome is None:
                return self._end("sent")  # no failure reported within the wait
            if outcome.type not in FAILED_DELIVERY:
                return self._end("delivered")
            excluded.append(sent.channel)

    async def _outcome_of(self, delivery_id: str, wait: timedelta) -> LetterOutcome | None:
        def reported() -> LetterOutcome | None:
            return next((o for o in self.result.outcomes if o.delivery_id == delivery_id), None)

        try:
            await workflow.wait_condition(lambda: reported() is not None, timeout=wait, timeout_summary="bounce wait")
        except TimeoutError:
            return None
        return reported()

    def _end(self, status: LetterStatus, reason: str | None = None) -> LetterResult:
        self.result.status = status
        self.result.reason = reason
        self._show()
        return self.result

    def _show(self) -> None:
        request, r = self.input.request, self.result
        lines = [
            f"### {request.communication} for {self.input.ref}",
            f"- status: {r.status}" + (f" ({r.reason})" if r.reason else ""),
        ]
        if self.input.case_id:
            lines.append(f"- case: {self.input.case_id}")
        for send in r.sends:
            if send.channel is None:
                continue
            outcome = next((o.type for o in r.outcomes if o.delivery_id == send.delivery_id), "no outcome yet")
            filed = f", filed as node {send.filed_node_id}" if send.filed_node_id else ""
            lines.append(f"- {send.channel.value} in {send.brand}/{send.language}: {outcome}{filed}")
        if r.sends and r.sends[-1].refused:
            lines.append(f"- refused by the customer: {', '.join(c.value for c in r.sends[-1].refused)}")
        workflow.set_current_details("\n".join(lines))
