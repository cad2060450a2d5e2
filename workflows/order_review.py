"""Order review: a risky or large order is held until a person approves or rejects it in OpenText.

Flow: hold every open fulfillment order and tag the order; start the OpenText review; wait for
the decision under the policy's SLA (reminder, escalation, final timeout with a default action);
approve releases the holds, reject cancels the order (refund / restock per policy) and waits for
Shopify's asynchronous cancel job. What "hold", "tag" and "cancel" mean on each platform lives in
`workflows.store_side` (BigCommerce: status 12, staff notes, status 5 plus a refund). If the
store cancels the order meanwhile, the case withdraws the review and ends CANCELLED. Failed
steps park the case for an operator (see `workflows.case`).
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from routing.facts import OrderFacts
    from routing.policy import OrderReviewPolicy, TimeoutAction

from workflows.case import CaseAborted, CaseInterrupted
from workflows.human_review import HumanReview, ReviewEnd, ReviewRequest
from workflows.messages import CaseStatus, OperatorAction, ReviewDecision, StoreCancellation
from workflows.reviewed_case import ReviewedCase
from workflows.store_side import RELEASE_HOLDS, REMOVE_REVIEW_TAG, OrderSide, order_side_for

CASE_TYPE = "order-review"
APPROVED, REJECTED = "approved", "rejected"


def case_id_for(platform: str, store: str, order_id: str) -> str:
    """The workflow id: one case per order, whatever number of webhook deliveries."""
    return f"{CASE_TYPE}/{platform}/{store}/{order_id}"


class OrderReviewInput(BaseModel):
    case_id: str
    platform: str
    store: str
    opentext_tenant: str
    callback_url: str  # where OpenText's process model reports the task outcome
    facts: OrderFacts
    reasons: list[str]
    policy: OrderReviewPolicy  # a copy: the case keeps these rules if the file changes
    # Where the store's API activities run: the store's own rate-limited queue (BigCommerce), or
    # None for the workflow's queue. Workflows cannot read settings, so the starter passes it.
    store_task_queue: str | None = None


class OrderReviewResult(BaseModel):
    case_id: str
    status: CaseStatus
    detail: str
    decision: ReviewDecision | None = None


@workflow.defn(name="OrderReview")
class OrderReview(ReviewedCase):
    case_type = CASE_TYPE

    @workflow.init
    def __init__(self, input: OrderReviewInput) -> None:
        self.input = input
        self.init_case(input.case_id)
        self.store_cancellation: StoreCancellation | None = None
        # Hold, release, tag or note, reject: the platform's own calls (see workflows.store_side).
        self.side: OrderSide = order_side_for(self)

    @workflow.signal
    def order_cancelled(self, event: StoreCancellation) -> None:
        """The store cancelled the order outside Casebridge (an `orders/cancelled` webhook)."""
        if self.store_cancellation is not None:
            return
        if self.side.caused_cancellation():
            self.record("order cancelled in store", "by this case's own rejection", "store")
            return
        if self.case_status.is_final or self.case_status is CaseStatus.APPLYING:
            self.record("order cancelled in store", "after the decision; nothing to withdraw", "store")
            return
        self.store_cancellation = event
        self.record("order cancelled in store", event.reason or "", "store")

    def interrupted(self) -> bool:
        return self.store_cancellation is not None

    @workflow.run
    async def run(self, input: OrderReviewInput) -> OrderReviewResult:
        facts = input.facts
        self.record("case opened", "; ".join(input.reasons))
        workflow.set_current_details(self.details_markdown())
        try:
            await self._review_order()
        except CaseAborted:
            await self.close_aborted()
        except CaseInterrupted:
            # Cancelling the order closed its fulfillment orders: holds and tags need no undo.
            self.saga.discard(RELEASE_HOLDS)
            self.saga.discard(REMOVE_REVIEW_TAG)
            await self.saga.compensate()  # withdraws the OpenText review if one is open
            self.set_status(CaseStatus.CANCELLED, "The order was cancelled in the store while the case was parked")
        # Let a decision update that is still answering its caller finish before the run ends.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return OrderReviewResult(
            case_id=input.case_id,
            status=self.case_status,
            detail=f"{facts.order_name}: {self.case_detail}",
            decision=self.review.decision if self.review else None,
        )

    async def _review_order(self) -> None:
        if self.store_cancellation is not None:
            self.set_status(CaseStatus.CANCELLED, "The order was cancelled in the store before the review began")
            return
        await self.side.hold()
        if self.abort_requested:
            raise CaseAborted("operator abort")
        if self.store_cancellation is not None:
            # Cancelling closed the fulfillment orders; the holds went with them.
            self.saga.discard(RELEASE_HOLDS)
            self.set_status(CaseStatus.CANCELLED, "The order was cancelled in the store; no review needed")
            return

        while True:
            self.review = HumanReview(self, self._review_request())
            end = await self.review.run(stop=lambda: self.store_cancellation is not None or self.abort_requested)
            if end is not ReviewEnd.WITHDRAWN:
                break
            action = await self.park("OpenText review", self.review.withdrawn_reason)
            if action is OperatorAction.ABORT:
                raise CaseAborted("OpenText review")
            if action is OperatorAction.SKIP:
                end = ReviewEnd.TIMED_OUT  # as if nobody decided: the policy's default applies
                break
            # retry: open a new review round

        if end is ReviewEnd.STOPPED:
            if self.store_cancellation is None:
                raise CaseAborted("operator abort")  # the review is withdrawn; undo the holds
            self.saga.discard(RELEASE_HOLDS)
            self.set_status(CaseStatus.CANCELLED, "The order was cancelled in the store; review withdrawn")
            return

        if end is ReviewEnd.DECIDED:
            assert self.review.decision is not None
            approve = self.review.decision.outcome == APPROVED
            how = f"{self.review.decision.outcome} by {self.review.decision.reviewer or 'a reviewer'}"
        else:
            approve = self.input.policy.on_timeout is TimeoutAction.APPROVE
            how = f"{self.input.policy.on_timeout.value} by policy after {end.value.replace('_', ' ')}"
        self.set_status(CaseStatus.APPLYING, f"Applying the decision: {how}")
        if approve:
            await self.side.approve(how)
        else:
            await self.side.reject(how)

    def _review_request(self) -> ReviewRequest:
        i, facts, route = self.input, self.input.facts, self.input.policy.route
        return ReviewRequest(
            tenant=route.opentext_tenant or i.opentext_tenant,
            definition_key=route.process_definition_key,
            business_key=i.case_id,
            name=f"Review order {facts.order_name} ({i.store})",
            variables={
                "caseId": i.case_id,
                "callbackUrl": i.callback_url,
                "team": route.team,
                "platform": i.platform,
                "store": i.store,
                "orderId": facts.order_id,
                "orderName": facts.order_name,
                "orderTotal": str(facts.total),
                "currency": facts.currency,
                "customerEmail": facts.customer_email or "",
                "reasons": "; ".join(i.reasons),
            },
            sla=i.policy.sla,
            escalation_team=route.escalation_team,
            outcomes=[APPROVED, REJECTED],
        )

    def details_markdown(self) -> str:
        facts, i = self.input.facts, self.input
        header = [
            f"### Order {facts.order_name} — {i.store}",
            f"Total **{facts.total} {facts.currency}**; review because: {'; '.join(i.reasons)}",
            "",
        ]
        return "\n".join(header) + super().details_markdown()
