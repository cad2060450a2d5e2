"""Order review: a risky or large order is held until a person approves or rejects it in OpenText.

Flow: hold every open fulfillment order and tag the order; start the OpenText review; wait for
the decision under the policy's SLA (reminder, escalation, final timeout with a default action);
approve releases the holds, reject cancels the order (refund / restock per policy) and waits for
Shopify's asynchronous cancel job. If the store cancels the order meanwhile, the case withdraws
the review and ends CANCELLED. Failed steps park the case for an operator (see `workflows.case`).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        AwaitCancellationRequest,
        CancelOrderRequest,
        CancelOrderResult,
        HoldOrderRequest,
        HoldOrderResult,
        ReleaseHoldsRequest,
        TagOrderRequest,
    )
    from activities.shopify import ShopifyActivities
    from routing.facts import OrderFacts, RiskLevel
    from routing.policy import OrderReviewPolicy, TimeoutAction

from workflows.case import API_RETRY, API_TIMEOUT, CaseAborted, CaseInterrupted
from workflows.human_review import HumanReview, ReviewEnd, ReviewRequest
from workflows.messages import CaseStatus, OperatorAction, ReviewDecision, StoreCancellation
from workflows.reviewed_case import ReviewedCase

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
        # Unique per app and fulfillment order, <= 64 characters: finds our own holds on a retry.
        self.hold_handle = f"casebridge-review-{input.facts.order_id}"[:64]

    @workflow.signal
    def order_cancelled(self, event: StoreCancellation) -> None:
        """The store cancelled the order outside Casebridge (an `orders/cancelled` webhook)."""
        if self.store_cancellation is not None:
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
            self.saga.discard("release holds")
            self.saga.discard("remove review tag")
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
        await self._hold_order()
        if self.store_cancellation is not None:
            # Cancelling closed the fulfillment orders; the holds went with them.
            self.saga.discard("release holds")
            self.set_status(CaseStatus.CANCELLED, "The order was cancelled in the store; no review needed")
            return

        while True:
            self.review = HumanReview(self, self._review_request())
            end = await self.review.run(stop=lambda: self.store_cancellation is not None)
            if end is not ReviewEnd.WITHDRAWN:
                break
            action = await self.park("OpenText review", "the review process was deleted in OpenText")
            if action is OperatorAction.ABORT:
                raise CaseAborted("OpenText review")
            if action is OperatorAction.SKIP:
                end = ReviewEnd.TIMED_OUT  # as if nobody decided: the policy's default applies
                break
            # retry: open a new review round

        if end is ReviewEnd.STOPPED:
            self.saga.discard("release holds")
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
            await self._approve(how)
        else:
            await self._reject(how)

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

    async def _hold_order(self) -> None:
        i, facts = self.input, self.input.facts
        reason = "HIGH_RISK_OF_FRAUD" if facts.risk_level is RiskLevel.HIGH else "OTHER"
        held = await self.run_step(
            "hold fulfillment orders",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.hold_order,
                HoldOrderRequest(
                    store=i.store,
                    order_gid=self._order_gid(),
                    handle=self.hold_handle,
                    reason=reason,
                    reason_notes=f"Casebridge review: {'; '.join(i.reasons)}"[:255],
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Hold every open fulfillment order",
            ),
            on_skip=HoldOrderResult(holds=[]),
        )
        self.record("holds placed", ", ".join(h.fulfillment_order_id for h in held.holds) or "none")
        self.saga.add("release holds", self._release_holds)
        await self.run_step(
            "tag order for review", lambda: self._tag(add=[i.policy.tags.review], remove=[]), on_skip=None
        )
        self.saga.add("remove review tag", lambda: self._tag(add=[], remove=[i.policy.tags.review]))

    async def _approve(self, how: str) -> None:
        tags = self.input.policy.tags
        await self.run_step("release holds", self._release_holds, on_skip=None)
        self.saga.discard("release holds")
        await self.run_step(
            "tag order approved", lambda: self._tag(add=[tags.approved], remove=[tags.review]), on_skip=None
        )
        self.set_status(CaseStatus.APPROVED, f"Approved ({how}); holds released")

    async def _reject(self, how: str) -> None:
        i, tags, reject = self.input, self.input.policy.tags, self.input.policy.reject
        cancel = await self.run_step(
            "cancel order",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.cancel_order,
                CancelOrderRequest(
                    store=i.store,
                    order_gid=self._order_gid(),
                    reason=reject.cancel_reason,
                    refund=reject.refund,
                    restock=reject.restock,
                    notify_customer=reject.notify_customer,
                    staff_note=reject.staff_note,
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary="Cancel the order",
            ),
            on_skip=CancelOrderResult(job_id=None),
        )
        # The cancel job runs asynchronously in Shopify; wait for it without recording a poll loop.
        await self.run_step(
            "wait for the cancellation",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.await_cancellation,
                AwaitCancellationRequest(store=i.store, order_gid=self._order_gid(), job_id=cancel.job_id),
                start_to_close_timeout=API_TIMEOUT,
                schedule_to_close_timeout=timedelta(minutes=30),
                retry_policy=RetryPolicy(
                    initial_interval=timedelta(seconds=1),
                    backoff_coefficient=1.5,
                    maximum_interval=timedelta(seconds=30),
                ),
                summary="Wait for Shopify's cancel job",
            ),
            on_skip=None,
        )
        # A cancelled order's fulfillment orders are closed: the holds are gone with them.
        self.saga.discard("release holds")
        await self.run_step(
            "tag order rejected", lambda: self._tag(add=[tags.rejected], remove=[tags.review]), on_skip=None
        )
        refund = "refunded" if reject.refund else "not refunded"
        self.set_status(CaseStatus.REJECTED, f"Rejected ({how}); order cancelled ({reject.cancel_reason}, {refund})")

    async def _release_holds(self) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.release_holds,
            ReleaseHoldsRequest(store=self.input.store, order_gid=self._order_gid(), handle=self.hold_handle),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary="Release this case's holds",
        )

    async def _tag(self, *, add: list[str], remove: list[str]) -> None:
        await workflow.execute_activity_method(
            ShopifyActivities.tag_order,
            TagOrderRequest(store=self.input.store, order_gid=self._order_gid(), add=add, remove=remove),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Tag order (+{add} -{remove})",
        )

    def _order_gid(self) -> str:
        facts = self.input.facts
        return facts.order_gid or f"gid://shopify/Order/{facts.order_id}"

    def details_markdown(self) -> str:
        facts, i = self.input.facts, self.input
        header = [
            f"### Order {facts.order_name} — {i.store}",
            f"Total **{facts.total} {facts.currency}**; review because: {'; '.join(i.reasons)}",
            "",
        ]
        return "\n".join(header) + super().details_markdown()
