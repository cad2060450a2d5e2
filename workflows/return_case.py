"""Returns: a customer's return request is approved and refunded, or declined, by policy or a person.

Flow: a small return for a low-risk reason is approved and refunded at once (the policy's
auto-approval). Any other return is reviewed in OpenText under the policy's SLA, with the outcomes
`refund`, `replacement`, `exchange`, `reject` and, when the policy allows it, `request-evidence`:
the case then waits (durably, up to the policy's deadline) for the customer's evidence and opens a
new review round with it; without evidence in time the policy's default applies. What "approve",
"refund" and "decline" mean on each platform is its store adapter's (`workflows.store`). Failed
steps park the case for an operator (see `workflows.case`); the refund is keyed by the case, so a
retried or timed-out refund never pays twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, JsonValue
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.document_models import DocumentKind, RecordEntry, WorkspaceKind, WorkspaceSubject, order_workspace
    from activities.models import OrderLineUnits, ReplacementLine
    from activities.opentext import OpenTextWorkflowActivities
    from routing.communications import LetterPurpose
    from routing.policy import ReturnDefault, ReturnsPolicy

from workflows.case import CaseAborted
from workflows.human_review import ReviewEnd, ReviewRequest
from workflows.kinds import CaseKind, bulleted
from workflows.messages import (
    CaseInput,
    CaseLabels,
    CaseStatus,
    OperatorAction,
    ReviewDecision,
    ReviewedCaseResult,
    team_business_key,
)
from workflows.reviewed_case import ReviewedCase
from workflows.store.base import Capability, ReturnRef


class ReturnOutcome(StrEnum):
    """A reviewer's outcome values (the OpenText process model's), and what the policy defaults to."""

    REFUND = "refund"
    # Approved, no refund; a free order for the returned items (replacement) or for the items the
    # customer asked for or the reviewer named (exchange), made once per case.
    REPLACEMENT = "replacement"
    EXCHANGE = "exchange"
    REJECT = "reject"
    REQUEST_EVIDENCE = "request-evidence"


FINAL_RESOLUTIONS = [ReturnOutcome.REFUND, ReturnOutcome.REPLACEMENT, ReturnOutcome.EXCHANGE, ReturnOutcome.REJECT]


class ExchangeItem(BaseModel):
    """An item the customer asked for instead of a refund."""

    sku: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    title: str = ""


class ReturnLineFacts(BaseModel):
    # The order line, as the platform's refund names it: a Shopify LineItem gid, a BigCommerce
    # order product id, an Adobe Commerce order item id.
    line_item_gid: str
    fulfillment_line_item_gid: str = ""  # Shopify only
    title: str = ""
    quantity: int = Field(ge=1)
    unit_price: Decimal  # after the line's discount, per unit
    reason: str  # ReturnReason, upper case (other platforms' reasons mapped by `return_reason_code`)
    customer_note: str | None = None
    platform_reason: str | None = None  # the platform's own wording, when it is not a ReturnReason
    # The product's categories (Shopify product type, Adobe Commerce category names, BigCommerce
    # category ids); read only when the policy has category rules.
    categories: list[str] = Field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return self.unit_price * self.quantity


class ReturnFacts(BaseModel):
    return_id: str
    return_gid: str
    return_name: str
    order_id: str
    order_gid: str
    currency: str
    lines: list[ReturnLineFacts] = Field(min_length=1)
    ordered_at: datetime | None = None  # read only when the policy has a return window or warranty
    shipped_at: datetime | None = None  # the last shipment; read only when windows count from it
    customer_email: str | None = None  # whom the case's letters go to (see `ReturnsPolicy.customer_notice`)
    customer_name: str | None = None
    # What the customer asked for in exchange, when the request says (by SKU); a reviewer who
    # decides `exchange` may name the item instead (`ReviewDecision.item_sku`).
    exchange_items: list[ExchangeItem] = Field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return sum((line.value for line in self.lines), Decimal(0))

    @property
    def reasons(self) -> list[str]:
        return sorted({line.reason for line in self.lines})


class CustomerEvidence(BaseModel):
    """Photos or proof the customer sent after a reviewer asked (the `customer_evidence` signal)."""

    who: str
    note: str = ""
    links: list[str] = Field(default_factory=list)


class ReturnCaseInput(CaseInput):
    facts: ReturnFacts
    reasons: list[str]  # why it is reviewed (or declined); empty: auto-approved by the policy
    policy: ReturnsPolicy  # a copy: the case keeps these rules if the file changes
    # Declined by the policy itself (e.g. out of warranty); `reasons` say why. Nobody reviews it.
    declined_by_policy: bool = False
    warranty_status: str = ""  # `routing.return_rules.ReturnRouting.warranty_status`; "" = no windows
    warranty_claim: bool = False  # after the return window, inside the warranty


class ReturnCaseResult(ReviewedCaseResult):
    resolution: ReturnOutcome | None = None
    refunded: Decimal | None = None


@workflow.defn(name="ReturnCase")
class ReturnCase(ReviewedCase[ReturnCaseInput], case_type="return", title="Return"):
    @workflow.init
    def __init__(self, input: ReturnCaseInput) -> None:
        self.init_case(input)
        self.evidence: list[CustomerEvidence] = []
        self.evidence_requests = 0
        self.resolution: ReturnOutcome | None = None
        self.refunded: Decimal | None = None
        facts = input.facts
        self.use_store(input, facts, free_order_coupon=input.policy.replacement_coupon)
        self.ret = ReturnRef(return_id=facts.return_id, return_gid=facts.return_gid, name=facts.return_name)

    @workflow.signal(description="Internal (the shim): the customer's photos or proof for the return.")
    def customer_evidence(self, evidence: CustomerEvidence) -> None:
        """The customer's photos or proof (from the storefront or customer service)."""
        if self.case_status.is_final:
            self.record("ignored evidence", "the case is closed", evidence.who)
            return
        self.evidence.append(evidence)
        self.record("evidence received", "; ".join([evidence.note, *evidence.links]).strip("; "), evidence.who)

    def workspace_subject(self) -> WorkspaceSubject:
        i, facts = self.input, self.input.facts
        return WorkspaceSubject(
            kind=WorkspaceKind.CASE,
            bo_type="warranty" if i.warranty_claim else "return",
            bo_id=facts.return_id,
            title=f"Return {facts.return_name} ({i.store})",
            keys={"Case id": i.case_id, "Case type": self.case_type, "Order number": facts.order_id, "Store": i.store},
        )

    def related_workspaces(self) -> list[WorkspaceSubject]:
        facts = self.input.facts
        return [order_workspace(self.input.store, facts.order_id, facts.order_id, currency=facts.currency)]

    def check_decision(self, decision: ReviewDecision) -> None:
        if decision.outcome == ReturnOutcome.EXCHANGE.value:
            self.exchange_lines(decision)  # refuses an exchange that names no item

    def exchange_lines(self, decision: ReviewDecision | None) -> list[ReplacementLine]:
        """The exchange order's lines: the item the reviewer named (as many units as are returned),
        else what the customer asked for; ValueError when neither names one."""
        facts = self.input.facts
        if decision is not None and decision.item_sku:
            units = sum(line.quantity for line in facts.lines)
            return [ReplacementLine(title=f"Exchange item {decision.item_sku}", quantity=units, sku=decision.item_sku)]
        if facts.exchange_items:
            return [
                ReplacementLine(title=item.title or f"Exchange item {item.sku}", quantity=item.quantity, sku=item.sku)
                for item in facts.exchange_items
            ]
        raise ValueError("exchange needs the item to send: the customer's request names none (task variable itemSku)")

    def replacement_lines(self) -> list[ReplacementLine]:
        return [
            ReplacementLine(
                title=line.title or "Replacement", quantity=line.quantity, order_line_ref=line.line_item_gid
            )
            for line in self.input.facts.lines
        ]

    @workflow.run
    async def run(self, input: ReturnCaseInput) -> ReturnCaseResult:
        self.record("case opened", "; ".join(input.reasons) or "auto-approval by policy")
        await self.run_case(self._decide_return)
        return ReturnCaseResult(
            case_id=input.case_id,
            status=self.case_status,
            detail=f"{input.facts.return_name}: {self.case_detail}",
            resolution=self.resolution,
            refunded=self.refunded,
            decision=self.review.decision if self.review else None,
        )

    async def _decide_return(self) -> None:
        i = self.input
        if i.declined_by_policy:
            await self._apply(ReturnOutcome.REJECT, f"declined by policy: {'; '.join(i.reasons)}")
        elif not i.reasons:
            await self._apply(ReturnOutcome.REFUND, "auto-approved by policy (small, low-risk return)")
        else:
            await self._review_return()

    async def _review_return(self) -> None:
        review_round = 0
        while True:
            review_round += 1
            end = await self._review_round(review_round)
            if end is ReviewEnd.STOPPED:
                raise CaseAborted("operator abort")  # the review is withdrawn; nothing was changed in the store
            if end is not ReviewEnd.DECIDED:
                default = self.input.policy.on_timeout
                how = f"{default.value} by policy after {end.value.replace('_', ' ')}"
                await self._apply(_resolution_of(default), how)
                return
            assert self.review is not None and self.review.decision is not None
            decision = self.review.decision
            outcome = ReturnOutcome(decision.outcome)
            if outcome is ReturnOutcome.REQUEST_EVIDENCE:
                if await self._await_evidence(decision):
                    continue  # a new review round, with the evidence
                evidence_policy = self.input.policy.evidence
                assert evidence_policy is not None  # the outcome is only offered when it is set
                default = evidence_policy.on_deadline
                await self._apply(_resolution_of(default), f"{default.value} by policy: no evidence in time")
                return
            await self._apply(outcome, f"{outcome.value} by {decision.reviewer or 'a reviewer'}")
            return

    async def _review_round(self, review_round: int) -> ReviewEnd:
        # An operator's `abort` while the case waits stops the review (see `CaseWorkflow.abort_requested`).
        return await self.review_once(lambda: self._review_request(review_round), stop=lambda: self.abort_requested)

    async def _await_evidence(self, decision: ReviewDecision) -> bool:
        """Wait for the customer's evidence up to the policy's deadline; True when some arrived."""
        evidence_policy = self.input.policy.evidence
        assert evidence_policy is not None
        self.evidence_requests += 1
        known = len(self.evidence)
        due: datetime = workflow.now() + evidence_policy.deadline
        self.set_due_at(due)
        # Asking means telling the customer: what the reviewer needs, and by when.
        await self._letter(
            f"We need photos or proof for your return {self.input.facts.return_name}",
            f"{decision.comment or 'Please send photos of the item and its packaging.'} "
            f"Please send them by {due.date().isoformat()}.",
        )
        self.set_status(
            CaseStatus.IN_REVIEW,
            f"Waiting for the customer's evidence until {due.isoformat()} "
            f"(asked by {decision.reviewer or 'a reviewer'})",
        )
        try:
            await workflow.wait_condition(
                lambda: len(self.evidence) > known or self.abort_requested,
                timeout=evidence_policy.deadline,
                timeout_summary="evidence deadline",
            )
        except TimeoutError:
            self.record("evidence deadline passed", f"no evidence within {evidence_policy.deadline}")
            return False
        finally:
            self.set_due_at(None)
        if len(self.evidence) == known:
            raise CaseAborted("operator abort")
        await self._file_evidence(self.evidence[known:])
        return True

    async def _file_evidence(self, evidence: list[CustomerEvidence]) -> None:
        if self.case_file is None:
            return
        entries = [
            RecordEntry(at=workflow.now(), event="evidence received", detail="\n".join([e.note, *e.links]), actor=e.who)
            for e in evidence
        ]
        name = f"Evidence {self.evidence_requests} {self.input.facts.return_name}.html"
        await self.case_file.file(DocumentKind.EVIDENCE, name, entries)

    async def _apply(self, resolution: ReturnOutcome, how: str) -> None:
        i, store = self.input, self.store
        name, notify = i.facts.return_name, i.policy.notify_customer
        self.resolution = resolution
        self.set_status(CaseStatus.APPLYING, f"Applying the decision: {how}")
        if resolution is ReturnOutcome.REJECT:
            await store.decline_return(
                self.ret,
                f"Casebridge: return {name} declined ({how})",
                reason=i.policy.decline_reason,
                notify_customer=notify,
            )
            self.record("return declined in store", how)
            await self._decision_letter("Your return was declined", how)
            self.set_status(CaseStatus.REJECTED, f"Return declined ({how})")
            return
        await store.approve_return(self.ret, f"Casebridge: return {name} approved ({how})", notify_customer=notify)
        self.record("return approved in store", how)
        if resolution is ReturnOutcome.REFUND:
            lines = [OrderLineUnits(line_ref=line.line_item_gid, quantity=line.quantity) for line in i.facts.lines]
            refund = await store.refund_return(self.ret, lines, f"Return {name}: {how}", notify_customer=notify)
            if refund is None:
                self.set_status(CaseStatus.APPROVED, f"Return approved ({how}); refund skipped by an operator")
                return
            found = "" if refund.created else " (found the earlier refund)"
            self.record("refunded", f"{refund.amount} {refund.currency}, {refund.document} {refund.refund_id}{found}")
            self.refunded = refund.amount
            refunded: dict[str, JsonValue] = {
                "amount": str(refund.amount),
                "method": "original payment method",
                "reference": refund.refund_id or "",
            }
            await self._decision_letter(
                f"Your return was approved: {refund.amount:.2f} {refund.currency} refunded",
                how,
                LetterPurpose.REFUND,
                {"refund": refunded},
            )
            self.set_status(
                CaseStatus.APPROVED, f"Return approved ({how}); refunded {refund.amount:.2f} {refund.currency}"
            )
            return
        if store.supports(Capability.FREE_ORDERS):
            if resolution is ReturnOutcome.REPLACEMENT:
                lines_out, difference = self.replacement_lines(), None
            else:
                # Every path a decision takes is checked (`check_decision`): it names its item.
                lines_out = self.exchange_lines(self.review.decision if self.review else None)
                difference = await self._exchange_difference(lines_out)
            what = resolution.value
            order = await store.free_order(what, lines_out, f"Casebridge: {what} for return {name} ({how})")
            if order is not None:
                self.record(f"{what} order", f"{order.order_name} (free of charge)")
                paid_back = await self._pay_back_difference(difference, how)
                await self._approval_letter(
                    f"Your return was approved: {what} order {order.order_name} is on its way{paid_back}", how
                )
                self.set_status(
                    CaseStatus.APPROVED,
                    f"Return approved for {what} ({how}); {what} order {order.order_name} created{paid_back}",
                )
                return
        # Honest about what happened: the store's return is approved, no money moved, and the
        # free order (the platform cannot create it here, or an operator skipped it) is staff's.
        if LetterPurpose.RETURN_AUTHORISATION in i.policy.letters:  # no decision letter here before
            await self._approval_letter(f"Your return was approved: our staff will send your {resolution.value}", how)
        self.set_status(
            CaseStatus.APPROVED,
            f"Return approved for {resolution.value} ({how}); no refund issued — "
            f"the {resolution.value} order is to be created in the store by staff",
        )

    async def _exchange_difference(self, lines: list[ReplacementLine]) -> Decimal | None:
        """What the customer paid for the returned items minus the exchange's catalog price; None
        when an item has no catalog price. Dearer beyond the policy's `max_extra` parks the case:
        `retry` prices again, `skip` accepts it, `abort` ends the case."""
        facts, rules = self.input.facts, self.input.policy.exchange
        skus = sorted({line.sku for line in lines if line.sku})
        while True:
            # Every line needs a SKU to be priced (two lines may share one).
            priced = await self.store.item_prices(skus) if all(line.sku for line in lines) else None
            if priced is None or any(line.sku not in priced.prices for line in lines):
                self.record("exchange not priced", "an item has no catalog price: no difference is settled")
                return None
            value = sum((priced.prices[line.sku or ""] * line.quantity for line in lines), Decimal(0))
            extra = value - facts.value
            self.record("exchange priced", f"{value:.2f} {priced.currency} for returned {facts.value:.2f}")
            if extra <= rules.max_extra:
                return -extra
            reason = (
                f"the exchange is worth {value:.2f} {priced.currency}, {extra:.2f} more than the returned "
                f"items; the policy allows {rules.max_extra:.2f} (skip to send it anyway)"
            )
            action = await self.park("exchange price", reason)
            if action is OperatorAction.ABORT:
                raise CaseAborted("exchange price")
            if action is OperatorAction.SKIP:
                return -extra

    async def _pay_back_difference(self, difference: Decimal | None, how: str) -> str:
        """A cheaper exchange's difference, paid back once (per the policy); what to tell."""
        if difference is None or difference <= 0 or not self.input.policy.exchange.refund_difference:
            return ""
        i = self.input
        refund = await self.store.refund_amount(
            difference,
            key=f"{i.case_id}/exchange-difference",
            reason=f"Return {i.facts.return_name}: exchange for less ({how})",
            notify_customer=i.policy.notify_customer,
        )
        if refund is None:
            return "; the difference's refund skipped by an operator"
        self.refunded = refund.amount
        return f"; {refund.amount:.2f} {refund.currency} difference refunded"

    async def _approval_letter(self, headline: str, how: str) -> None:
        """A return approved without a refund: the return authorisation (its number, the items to send
        back, how and by when) when the policy lists it, else the decision letter."""
        i, facts = self.input, self.input.facts
        if LetterPurpose.RETURN_AUTHORISATION not in i.policy.letters:
            await self._decision_letter(headline, how)
            return
        within = i.policy.send_back_within
        returned: list[JsonValue] = [{"name": line.title, "quantity": line.quantity} for line in facts.lines]
        authorisation: dict[str, JsonValue] = {
            "number": facts.return_name,
            "expiresAt": (workflow.now() + within).date().isoformat() if within is not None else None,
            "instructions": i.policy.return_instructions,
            "resolution": headline,
        }
        content: dict[str, JsonValue] = {"returnAuthorisation": authorisation, "returnedItems": returned}
        await self._decision_letter(headline, how, LetterPurpose.RETURN_AUTHORISATION, content)

    async def _decision_letter(
        self,
        decision: str,
        how: str,
        purpose: LetterPurpose = LetterPurpose.CASE_DECISION,
        content: dict[str, JsonValue] | None = None,
    ) -> None:
        """Platforms that tell the customer themselves (Shopify's notifyCustomer) need no letter."""
        if not self.store.supports(Capability.RETURN_EMAILS):
            await self._letter(decision, how, purpose, content)

    async def _letter(
        self,
        decision: str,
        reason: str,
        purpose: LetterPurpose = LetterPurpose.CASE_DECISION,
        content: dict[str, JsonValue] | None = None,
    ) -> None:
        """The case's letter: a refund letter when money went back, else the decision letter the
        returns policy names (`customer_notice`), saying what was decided and why."""
        i = self.input
        if i.policy.customer_notice is None:
            return  # the returns policy leaves telling the customer to the platform
        await self.send_letter(
            purpose,
            order_id=i.facts.order_id,
            about=f"return {i.facts.return_name}",
            content={"decision": {"headline": decision, "detail": reason}, **(content or {})},
            tenant=i.policy.route.opentext_tenant or i.opentext_tenant,
            communication=i.policy.customer_notice if purpose is LetterPurpose.CASE_DECISION else None,
        )

    def _outcomes(self) -> list[str]:
        evidence_policy = self.input.policy.evidence
        outcomes = [r.value for r in FINAL_RESOLUTIONS]
        if evidence_policy is not None and self.evidence_requests < evidence_policy.max_requests:
            outcomes.append(ReturnOutcome.REQUEST_EVIDENCE.value)
        return outcomes

    def _review_request(self, review_round: int) -> ReviewRequest:
        i, facts, route = self.input, self.input.facts, self.input.policy.route
        # Round 1 keeps the case id as business key; later rounds get their own, so the start of a
        # new round never adopts the previous round's process (the callback still finds the case).
        business_key = i.case_id if review_round == 1 else team_business_key(i.case_id, f"round-{review_round}")
        evidence = "\n".join(f"{e.who}: {e.note} {' '.join(e.links)}".strip() for e in self.evidence)
        # Only for cases routed with categories or windows: earlier cases keep their variables.
        routing_variables: dict[str, object] = {}
        if i.warranty_status:
            routing_variables = {"warrantyStatus": i.warranty_status, "warrantyClaim": i.warranty_claim}
        categories = sorted({c for line in facts.lines for c in line.categories})
        if categories:
            routing_variables["productCategories"] = ", ".join(categories)
        if facts.exchange_items:  # what the customer asked for instead (an `exchange` sends it, free)
            routing_variables["exchangeItems"] = ", ".join(
                f"{item.quantity} x {item.sku}" for item in facts.exchange_items
            )
        return ReviewRequest(
            tenant=route.opentext_tenant or i.opentext_tenant,
            definition_key=route.process_definition_key,
            business_key=business_key,
            name=f"Review {'warranty claim' if i.warranty_claim else 'return'} {facts.return_name} ({i.store})"
            + (f", round {review_round}" if review_round > 1 else ""),
            variables=self.task_variables(
                route.team,
                {
                    "returnId": facts.return_id,
                    "returnName": facts.return_name,
                    "orderId": facts.order_id,
                    "returnValue": str(facts.value),
                    "currency": facts.currency,
                    "returnReasons": ", ".join(facts.reasons),
                    "customerNotes": "; ".join(line.customer_note for line in facts.lines if line.customer_note),
                    "reasons": "; ".join(i.reasons),
                    "reviewRound": review_round,
                    "customerEvidence": evidence,
                    **routing_variables,
                },
            ),
            sla=i.policy.sla,
            escalation_team=route.escalation_team,
            outcomes=self._outcomes(),
        )

    @staticmethod
    def labels_of(i: ReturnCaseInput) -> CaseLabels:
        facts = i.facts
        categories = sorted({c for line in facts.lines for c in line.categories})
        why = "Declined by policy" if i.declined_by_policy else "Why reviewed"
        details = [
            f"**Return** {facts.return_name} (id {facts.return_id}) of order {facts.order_id}",
            f"**Value** {facts.value} {facts.currency}; reasons {', '.join(facts.reasons)}",
            *([f"**Product categories** {', '.join(categories)}"] if categories else []),
            *([f"**Warranty status** {i.warranty_status}"] if i.warranty_status else []),
            *(["**Warranty claim**"] if i.warranty_claim else []),
            *(bulleted(why, i.reasons) or ["**Auto-approved by policy**"]),
        ]
        return CaseLabels(
            ref=facts.return_name,
            team=i.policy.route.team,
            amount=facts.value,
            currency=facts.currency,
            details=details,
        )


def _resolution_of(default: ReturnDefault) -> ReturnOutcome:
    return ReturnOutcome.REFUND if default is ReturnDefault.REFUND else ReturnOutcome.REJECT


KIND = CaseKind(
    ReturnCase,
    ReturnCaseInput,
    activities=(OpenTextWorkflowActivities,),
)
