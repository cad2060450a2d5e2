"""Order review: a risky or large order is held until a person approves or rejects it in OpenText.

Flow: hold the order and mark it for review; start the OpenText review; wait for the decision under
the policy's SLA (reminder, escalation, final timeout with a default action); approve releases the
hold, reject cancels the order (refund and restock per policy). What "hold", "mark" and "cancel"
mean on each platform is its store adapter's (`workflows.store`). If the store cancels the order
meanwhile, the case withdraws the review and ends CANCELLED. Failed steps park the case for an
operator (see `workflows.case`).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.document_models import WorkspaceSubject, order_workspace
    from activities.opentext import OpenTextWorkflowActivities
    from routing.facts import OrderFacts, RiskLevel
    from routing.policy import OrderReviewPolicy, TimeoutAction

from workflows.human_review import ReviewEnd, ReviewRequest
from workflows.kinds import CaseKind, bulleted
from workflows.messages import CaseInput, CaseLabels, CaseStatus, ReviewedCaseResult
from workflows.outcomes import describe_cancellation
from workflows.reviewed_case import ReviewedCase
from workflows.store.base import CancelRequest, HoldReason

APPROVED, REJECTED = "approved", "rejected"


class OrderReviewInput(CaseInput):
    facts: OrderFacts
    reasons: list[str]
    policy: OrderReviewPolicy  # a copy: the case keeps these rules if the file changes


class OrderReviewResult(ReviewedCaseResult):
    """The decision applied: APPROVED (hold released) or REJECTED (order cancelled), or how else it ended."""


@workflow.defn(name="OrderReview")
class OrderReview(ReviewedCase[OrderReviewInput], case_type="order-review", title="Order review"):
    @workflow.init
    def __init__(self, input: OrderReviewInput) -> None:
        self.init_case(input)
        facts = input.facts
        self.use_store(input, facts)

    def workspace_subject(self) -> WorkspaceSubject:
        f = self.input.facts
        return order_workspace(self.input.store, f.order_id, f.order_name, total=f.total, currency=f.currency)

    @workflow.run
    async def run(self, input: OrderReviewInput) -> OrderReviewResult:
        facts = input.facts
        self.record("case opened", "; ".join(input.reasons))
        await self.run_case(self._review_order)
        return OrderReviewResult(
            case_id=input.case_id,
            status=self.case_status,
            detail=f"{facts.order_name}: {self.case_detail}",
            decision=self.review.decision if self.review else None,
        )

    async def _review_order(self) -> None:
        i, store, tags = self.input, self.store, self.input.policy.tags
        self.check_still_wanted("before the review began")
        reason = HoldReason.HIGH_RISK_OF_FRAUD if i.facts.risk_level is RiskLevel.HIGH else HoldReason.OTHER
        why = "; ".join(i.reasons)
        await store.hold(reason, f"Casebridge review: {why}", purpose="review")
        await store.mark(f"Casebridge: held for review ({why})", add_tags=[tags.review], undoable=True)
        self.check_still_wanted("no review needed")

        end = await self.review_once(
            self._review_request, stop=lambda: self.store_cancellation is not None or self.abort_requested
        )
        if end is ReviewEnd.STOPPED:
            self.check_still_wanted("review withdrawn")
        assert self.review is not None
        if end is ReviewEnd.DECIDED:
            assert self.review.decision is not None
            approve = self.review.decision.outcome == APPROVED
            how = f"{self.review.decision.outcome} by {self.review.decision.reviewer or 'a reviewer'}"
        else:
            approve = i.policy.on_timeout is TimeoutAction.APPROVE
            how = f"{i.policy.on_timeout.value} by policy after {end.value.replace('_', ' ')}"
        self.set_status(CaseStatus.APPLYING, f"Applying the decision: {how}")
        if approve:
            await self._approve(how)
        else:
            await self._reject(how)

    async def _approve(self, how: str) -> None:
        store, tags = self.store, self.input.policy.tags
        released = await store.release_hold()
        await store.mark(f"Casebridge: approved ({how})", add_tags=[tags.approved], remove_tags=[tags.review])
        self.set_status(
            CaseStatus.APPROVED, f"Approved ({how}); " + ("hold released" if released else "no hold of ours to release")
        )

    async def _reject(self, how: str) -> None:
        store, tags, reject = self.store, self.input.policy.tags, self.input.policy.reject
        cancellation = await store.cancel(
            CancelRequest(
                reason=reject.cancel_reason,
                refund=reject.refund,
                restock=reject.restock,
                notify_customer=reject.notify_customer,
                note=f"{reject.staff_note} ({how})",
                refund_reason=f"Rejected in Casebridge order review {self.input.case_id}",
            )
        )
        await store.mark(
            f"{reject.staff_note} ({how})",
            add_tags=[tags.rejected],
            remove_tags=[tags.review],
            notify_customer=reject.notify_customer,
        )
        self.set_status(CaseStatus.REJECTED, f"Rejected ({how}); {describe_cancellation(cancellation)}")

    def _review_request(self) -> ReviewRequest:
        i, facts, route = self.input, self.input.facts, self.input.policy.route
        return ReviewRequest(
            tenant=route.opentext_tenant or i.opentext_tenant,
            definition_key=route.process_definition_key,
            business_key=i.case_id,
            name=f"Review order {facts.order_name} ({i.store})",
            variables=self.task_variables(
                route.team,
                {
                    "orderId": facts.order_id,
                    "orderName": facts.order_name,
                    "orderTotal": str(facts.total),
                    "currency": facts.currency,
                    "customerEmail": facts.customer_email or "",
                    "reasons": "; ".join(i.reasons),
                },
            ),
            sla=i.policy.sla,
            escalation_team=route.escalation_team,
            outcomes=[APPROVED, REJECTED],
        )

    @staticmethod
    def labels_of(i: OrderReviewInput) -> CaseLabels:
        facts = i.facts
        details = [
            f"**Order** {facts.order_name} (id {facts.order_id})",
            f"**Total** {facts.total} {facts.currency}",
            *bulleted("Why reviewed", i.reasons),
        ]
        return CaseLabels(
            ref=facts.order_name, team=i.policy.route.team, amount=facts.total, currency=facts.currency, details=details
        )


KIND = CaseKind(
    OrderReview,
    OrderReviewInput,
    activities=(OpenTextWorkflowActivities,),
)
