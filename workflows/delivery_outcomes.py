"""Exstream's delivery outcomes and customers' preference changes, carried back to the stores'
customer records (`activities.preferences`): one long-running job per OpenText tenant that reads the
feed after its cursor, writes each event, waits, and reads again.

The cursor travels in the job's own state (and across continue-as-new), so an event is read once;
writing one is idempotent, so a retried write changes nothing. An event the platform refuses (an
unknown customer) is counted and listed, and the feed goes on.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.exceptions import ActivityError, FailureError

with workflow.unsafe.imports_passed_through():
    from activities.letter_models import LETTER_ID_PREFIX, LetterOutcome
    from activities.preferences import (
        DeliveryOutcome,
        DeliveryOutcomesRequest,
        PreferenceActivities,
        RecordOutcomeRequest,
    )

from workflows import search_attributes as sa
from workflows.customer_letter import CustomerLetter
from workflows.failures import describe_failure
from workflows.retries import API_RETRY, API_TIMEOUT

JOB_TYPE = "delivery-outcomes"
READS_PER_RUN = 200  # then continue as new with the cursor
MAX_LISTED_FAILURES = 20


class FeedProgress(BaseModel):
    recorded: int = 0
    skipped: int = 0
    letters_told: int = 0  # outcomes signalled to the letter workflow they belong to
    failed: int = 0
    failures: list[str] = Field(default_factory=list)  # the first MAX_LISTED_FAILURES, with reasons


class FeedInput(BaseModel):
    tenant: str
    cursor: str | None = None
    poll_every: timedelta = timedelta(minutes=1)
    progress: FeedProgress = Field(default_factory=FeedProgress)


def feed_id(tenant: str) -> str:
    return f"{JOB_TYPE}/{tenant}"


def feed_search_attributes() -> TypedSearchAttributes:
    return TypedSearchAttributes([SearchAttributePair(sa.CASE_TYPE, JOB_TYPE)])


@workflow.defn(name="DeliveryOutcomeFeed")
class DeliveryOutcomeFeed:
    @workflow.init
    def __init__(self, input: FeedInput) -> None:
        self.input = input
        self.cursor = input.cursor
        self.progress = input.progress.model_copy(deep=True)

    @workflow.query(description="Events written back, skipped and failed; the feed's cursor.")
    def status(self) -> FeedInput:
        return self.input.model_copy(update={"cursor": self.cursor, "progress": self.progress})

    @workflow.run
    async def run(self, input: FeedInput) -> None:
        for _ in range(READS_PER_RUN):
            page = await workflow.execute_activity_method(
                PreferenceActivities.delivery_outcomes,
                DeliveryOutcomesRequest(tenant=input.tenant, after=self.cursor),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Read Exstream's delivery outcomes",
            )
            for outcome in page.outcomes:
                await self._record(outcome)
                await self._tell_letter(outcome)
            self.cursor = page.cursor
            self._show(input)
            if page.outcomes:
                continue  # read on at once while there is more
            await workflow.sleep(input.poll_every, summary="until the next read")
            if workflow.info().is_continue_as_new_suggested():
                break
        workflow.continue_as_new(input.model_copy(update={"cursor": self.cursor, "progress": self.progress}))

    async def _record(self, outcome: DeliveryOutcome) -> None:
        try:
            recorded = await workflow.execute_activity_method(
                PreferenceActivities.record_outcome,
                RecordOutcomeRequest(outcome=outcome),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary=f"Write {outcome.type} ({outcome.channel}) to the customer record",
            )
        except ActivityError as err:
            self.progress.failed += 1
            if len(self.progress.failures) < MAX_LISTED_FAILURES:
                self.progress.failures.append(f"event {outcome.id}: {describe_failure(err)}")
            return
        if recorded.skipped:
            self.progress.skipped += 1
        else:
            self.progress.recorded += 1

    async def _tell_letter(self, outcome: DeliveryOutcome) -> None:
        """A delivery outcome of a Casebridge letter goes to its workflow (the document id is the
        letter's workflow id), after the customer record has it, so a letter sending again by
        another channel reads the refusal too. A letter that has finished needs it no more."""
        if (
            outcome.type == "preference_changed"
            or outcome.delivery_id is None
            or not (outcome.document_id or "").startswith(LETTER_ID_PREFIX)
        ):
            return
        letter = workflow.get_external_workflow_handle(outcome.document_id or "")
        told = LetterOutcome(delivery_id=outcome.delivery_id, type=outcome.type, channel=outcome.channel)
        try:
            await letter.signal(CustomerLetter.delivery_outcome, told)
        except FailureError:
            return  # the letter has ended (delivered, or its bounce wait is over)
        self.progress.letters_told += 1

    def _show(self, input: FeedInput) -> None:
        p = self.progress
        lines = [
            f"### Delivery outcomes of OpenText tenant {input.tenant}",
            f"- written to customer records: {p.recorded}",
            f"- skipped (stores not served here, guests): {p.skipped}",
            f"- outcomes passed to their letters: {p.letters_told}",
            f"- failed: {p.failed}" + (f" (latest: {p.failures[-1]})" if p.failures else ""),
        ]
        workflow.set_current_details("\n".join(lines))
