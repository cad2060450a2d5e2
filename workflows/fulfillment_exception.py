"""Fulfillment exception: an order cannot ship as planned (stock, address, payment, price, carrier).

Flow: hold the order so nothing ships wrong meanwhile; open one OpenText task per team the
exception type needs (warehouse, customer service, finance...) in parallel (`ReviewPanel`); apply
the lead team's resolution, or cancel at once when any team chose `cancel-order`; a team that does
not decide in time gets the policy's default. Resolutions are written back through the order's
store adapter (`workflows.store`), and the teams are offered only what it can apply. Further
reports about the same order while the case is open reach this case (signal-with-start), never a
second one. Failed steps park the case for an operator.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, JsonValue
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.document_models import (
        DocumentKind,
        RecordEntry,
        WorkspaceSubject,
        order_workspace,
        supplier_workspace,
    )
    from activities.models import LineQuantity, Substitution
    from activities.opentext import OpenTextWorkflowActivities
    from routing.communications import LetterPurpose
    from routing.exception_letters import delivery_date_of, proactive_letter
    from routing.fulfillment_policy import ExceptionType, FulfillmentExceptionPolicy, Resolution

from workflows.case import CaseAborted
from workflows.human_review import ReviewRequest
from workflows.kinds import CaseKind, StartMode
from workflows.messages import (
    HANDLED_EVENTS_MEMO,
    CaseInput,
    CaseLabels,
    CaseResult,
    CaseStatus,
    ReviewDecision,
    team_business_key,
)
from workflows.outcomes import (
    describe_cancellation,
    describe_lines,
    describe_lines_cancelled,
    describe_substitution,
)
from workflows.review_panel import PanelEnd, PanelResult, PanelRule, PanelTeam, ReviewPanel
from workflows.reviewed_case import ReviewedCase
from workflows.store.base import CancelRequest, Capability, HoldReason, LineEdit

# What other apps and staff see as the hold's reason (Shopify's FulfillmentHoldReason).
HOLD_REASONS = {
    ExceptionType.INVENTORY_SHORTAGE: HoldReason.INVENTORY_OUT_OF_STOCK,
    ExceptionType.BACKORDER: HoldReason.INVENTORY_OUT_OF_STOCK,
    ExceptionType.ADDRESS_VALIDATION: HoldReason.INCORRECT_ADDRESS,
    ExceptionType.PAYMENT_EXCEPTION: HoldReason.AWAITING_PAYMENT,
    ExceptionType.CARRIER_DELAY: HoldReason.UNKNOWN_DELIVERY_DATE,
    ExceptionType.PRICING_DISCREPANCY: HoldReason.OTHER,
}

# The resolutions that change order lines, and what the store must be able to do for them. The
# others (ship as is, new delivery date, cancel the order) need only a hold and a cancel.
LINE_RESOLUTIONS = {
    Resolution.CANCEL_LINES: Capability.CANCEL_LINES,
    Resolution.SPLIT_SHIPMENT: Capability.SPLIT_SHIPMENT,
    Resolution.SUBSTITUTE_ITEM: Capability.SUBSTITUTE_LINES,
}


class AffectedLine(BaseModel):
    sku: str
    quantity: int = Field(gt=0)
    # What could be sent instead (the warehouse's suggestion); a reviewer may name another.
    substitute_sku: str | None = Field(default=None, min_length=1, max_length=255)


class SupplierRef(BaseModel):
    """The supplier behind an exception (a short delivery, a late shipment), as the warehouse knows it."""

    id: str
    name: str


class ExceptionReport(BaseModel):
    reference: str  # the reporter's own id for the exception: a repeated report is recognised
    exception_type: ExceptionType
    summary: str
    lines: list[AffectedLine] = Field(default_factory=list)
    reported_by: str
    reported_at: datetime | None = None
    supplier: SupplierRef | None = None  # whose shortfall it is: the order is linked to their workspace


class OrderRef(BaseModel):
    order_id: str  # the platform's id (Shopify legacy id as text)
    order_gid: str | None = None
    order_name: str
    total: Decimal | None = None
    currency: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    # Adobe Commerce: every ordered unit is invoiced, so a cancelled line can be a credit memo.
    fully_invoiced: bool | None = None


class FulfillmentExceptionInput(CaseInput):
    order: OrderRef
    report: ExceptionReport
    policy: FulfillmentExceptionPolicy  # a copy: the case keeps these rules if the file changes


class FulfillmentExceptionResult(CaseResult):
    resolution: Resolution | None = None
    team_outcomes: dict[str, str | None] = Field(default_factory=dict)


@workflow.defn(name="FulfillmentException")
class FulfillmentException(
    ReviewedCase[FulfillmentExceptionInput], case_type="fulfillment-exception", title="Fulfillment exception"
):
    @workflow.init
    def __init__(self, input: FulfillmentExceptionInput) -> None:
        self.init_case(input)
        self.reports: list[ExceptionReport] = [input.report]
        self.resolution: Resolution | None = None
        self.panel_result: PanelResult | None = None
        order = input.order
        self.use_store(input, order, fully_invoiced=order.fully_invoiced)

    @workflow.signal(description="Internal (the shim): another exception report about this order.")
    def exception_reported(self, report: ExceptionReport) -> None:
        """Another report about this order (or the same one again); it joins the case's record."""
        if any(r.reference == report.reference for r in self.reports):
            return  # a repeated report: already known
        self.reports.append(report)
        workflow.upsert_memo({HANDLED_EVENTS_MEMO: [r.reference for r in self.reports]})
        self.record(
            "further exception reported", f"{report.exception_type.value}: {report.summary}", report.reported_by
        )

    @workflow.run
    async def run(self, input: FulfillmentExceptionInput) -> FulfillmentExceptionResult:
        report = input.report
        self.record("case opened", f"{report.exception_type.value} reported by {report.reported_by}: {report.summary}")
        await self.run_case(self._resolve)
        result = self.panel_result
        return FulfillmentExceptionResult(
            case_id=input.case_id,
            status=self.case_status,
            detail=f"{input.order.order_name}: {self.case_detail}",
            resolution=self.resolution,
            team_outcomes={t.team: t.outcome for t in result.teams} if result else {},
        )

    async def _resolve(self) -> None:
        i, report = self.input, self.input.report
        summary = f"{report.exception_type.value}: {report.summary}"
        await self.store.hold(HOLD_REASONS[report.exception_type], f"Casebridge: {summary}", purpose="exception")
        await self.store.mark(f"Casebridge: fulfillment exception ({summary})", add_tags=[i.policy.tags.open])
        self.check_still_wanted("the teams were not asked")
        await self.open_case_file()
        if self.case_file is not None:
            await self.case_file.file(
                DocumentKind.EXCEPTION_NOTE,
                f"Exception report {report.reference}.html",
                [
                    RecordEntry(
                        at=workflow.now(), event=summary, detail=self._report_detail(report), actor=report.reported_by
                    )
                ],
            )
        self.panel_result = await self._decide()
        await self.file_decisions()
        if self.panel_result.end is PanelEnd.STOPPED:
            self.check_still_wanted("the teams' tasks were withdrawn")
            raise CaseAborted("operator abort")
        await self._apply(self.panel_result)

    def workspace_subject(self) -> WorkspaceSubject:
        o = self.input.order
        return order_workspace(self.input.store, o.order_id, o.order_name, total=o.total, currency=o.currency)

    def related_workspaces(self) -> list[WorkspaceSubject]:
        """The supplier whose shortfall the report names: the order's workspace is linked under the
        supplier's, beside their agreements and lead-time confirmations."""
        supplier = self.input.report.supplier
        return [supplier_workspace(self.input.store, supplier.id, supplier.name)] if supplier else []

    @staticmethod
    def _report_detail(report: ExceptionReport) -> str:
        lines = ", ".join(f"{line.quantity} x {line.sku}" for line in report.lines)
        return f"{lines} (report {report.reference})" if lines else f"report {report.reference}"

    def check_decision(self, decision: ReviewDecision) -> None:
        if decision.outcome == Resolution.SUBSTITUTE_ITEM.value:
            self.substitutions(decision)  # refuses a substitute-item that names no substitute
        # A malformed or past date is refused (the customer's letter would name it), not dropped.
        delivery_date_of(decision.delivery_date, workflow.now().date())

    def substitutions(self, decision: ReviewDecision | None) -> list[Substitution]:
        """The reported lines and what replaces them: the reviewer's `itemSku` when the report has
        one line, else the substitute the report names for each line (ValueError when one has none)."""
        lines = self.input.report.lines
        named = decision.item_sku if decision is not None and len(lines) == 1 else None
        missing = [line.sku for line in lines if not (named or line.substitute_sku)]
        if not lines or missing:
            raise ValueError(
                "substitute-item needs a substitute SKU (task variable itemSku) for "
                + (", ".join(missing) if missing else "the reported lines")
            )
        return [
            Substitution(sku=line.sku, quantity=line.quantity, substitute_sku=named or line.substitute_sku or "")
            for line in lines
        ]

    def offered_resolutions(self) -> list[Resolution]:
        """The policy's resolutions for the type that this order's platform can apply (the policy's
        order kept): the teams are never offered what could not be carried out."""
        route = self.input.policy.types[self.input.report.exception_type]
        return [r for r in route.resolutions if self._can_apply(r)]

    def _can_apply(self, resolution: Resolution) -> bool:
        needs = LINE_RESOLUTIONS.get(resolution)
        if needs is None:
            return True
        return bool(self.input.report.lines) and self.store.supports(needs)

    async def _decide(self) -> PanelResult:
        i, route = self.input, self.input.policy.types[self.input.report.exception_type]
        teams = i.policy.teams_for(i.report.exception_type, i.order.total)
        offered = self.offered_resolutions()
        self.panel = ReviewPanel(
            self,
            [
                PanelTeam(team=team, request=self._request(team, offered), default_outcome=route.on_timeout)
                for team in teams
            ],
            PanelRule(veto_outcomes=[Resolution.CANCEL_ORDER.value]),
        )
        return await self.panel.run(stop=lambda: self.abort_requested or self.store_cancellation is not None)

    def _request(self, team: str, resolutions: list[Resolution]) -> ReviewRequest:
        i, report = self.input, self.input.report
        return ReviewRequest(
            tenant=i.opentext_tenant,
            definition_key=i.policy.process_definition_key,
            business_key=team_business_key(i.case_id, team),
            name=f"Fulfillment exception on {i.order.order_name} ({i.store}) - {team}",
            variables=self.task_variables(
                team,
                {
                    "leadTeam": i.policy.types[report.exception_type].teams[0],
                    "orderId": i.order.order_id,
                    "orderName": i.order.order_name,
                    "orderTotal": "" if i.order.total is None else f"{i.order.total} {i.order.currency or ''}".strip(),
                    "customerEmail": i.order.customer_email or "",
                    "exceptionType": report.exception_type.value,
                    "summary": report.summary,
                    "lines": ", ".join(f"{line.quantity} x {line.sku}" for line in report.lines),
                    "suggestedSubstitutes": ", ".join(
                        f"{line.sku} -> {line.substitute_sku}" for line in report.lines if line.substitute_sku
                    ),
                    "reportedBy": report.reported_by,
                    "offeredOutcomes": ", ".join(r.value for r in resolutions),
                },
            ),
            sla=i.policy.team_sla.get(team, i.policy.sla),
            escalation_team=f"{team}{i.policy.escalation_suffix}",
            outcomes=[r.value for r in resolutions],
        )

    async def _apply(self, result: PanelResult) -> None:
        lead = self.input.policy.types[self.input.report.exception_type].teams[0]
        if result.end is PanelEnd.VETOED:
            resolution, how = Resolution.CANCEL_ORDER, f"cancel-order chosen by {result.vetoed_by}"
        else:
            lead_result = result.team(lead)
            assert lead_result is not None and lead_result.outcome is not None
            resolution = Resolution(lead_result.outcome)
            who = "by policy after the SLA" if lead_result.defaulted else f"by {lead_result.reviewer or lead}"
            how = f"{resolution.value} {who}"
            others = {t.team: t.outcome for t in result.teams if t.team != lead and t.outcome != lead_result.outcome}
            if others:
                self.record("teams disagreed", f"lead {lead} chose {resolution.value}; also proposed: {others}")
        self.resolution = resolution
        self.set_status(CaseStatus.APPLYING, f"Applying the resolution: {how}")
        lines = [LineQuantity(sku=line.sku, quantity=line.quantity) for line in self.input.report.lines]
        if resolution is Resolution.CANCEL_ORDER:
            await self._cancel_order(how)
            await self._inform_customer("Your order was cancelled and your payment refunded", result, resolution)
            self.set_status(CaseStatus.REJECTED, f"Resolved: order cancelled ({how})")
        elif resolution is Resolution.CANCEL_LINES:
            done = await self._cancel_lines(how, lines)
            await self._inform_customer(
                f"Cancelled and refunded: {describe_lines(lines)}; the rest ships", result, resolution
            )
            self.set_status(CaseStatus.APPROVED, f"Resolved: lines cancelled, {done} ({how})")
        elif resolution is Resolution.SPLIT_SHIPMENT:
            await self._split_shipment(how, lines)
            await self._inform_customer(
                f"Your order ships in two parts: {describe_lines(lines)} follow later", result, resolution
            )
            self.set_status(CaseStatus.APPROVED, f"Resolved: split shipment, {describe_lines(lines)} held ({how})")
        elif resolution is Resolution.SUBSTITUTE_ITEM:
            lead_result = result.team(lead)
            # Every path a decision takes is checked (`check_decision`): it names its substitutes.
            done = await self._substitute(how, self.substitutions(lead_result.decision if lead_result else None))
            await self._inform_customer(f"Substituted: {done}; the order ships", result, resolution)
            self.set_status(CaseStatus.APPROVED, f"Resolved: items substituted, {done} ({how})")
        elif resolution is Resolution.NEW_DELIVERY_DATE:
            await self._release(f"ships with a new delivery date ({how})", self.input.policy.tags.new_delivery_date)
            await self._inform_customer("Your order ships later than planned", result, resolution)
            self.set_status(CaseStatus.APPROVED, f"Resolved: ships with a new delivery date ({how})")
        else:
            await self._release(f"ships as ordered ({how})")
            await self._inform_customer("Your order ships as ordered", result, resolution)
            self.set_status(CaseStatus.APPROVED, f"Resolved: ships as ordered ({how})")

    async def _release(self, what: str, *tags: str) -> None:
        """The case's hold released (the order ships) and the order marked resolved."""
        policy_tags = self.input.policy.tags
        await self.store.release_hold()
        await self.store.mark(
            f"Casebridge: fulfillment exception resolved, {what}",
            add_tags=[policy_tags.resolved, *tags],
            remove_tags=[policy_tags.open],
        )

    def _edit(self, what: str, how: str) -> LineEdit:
        i = self.input
        return LineEdit(
            restock=i.policy.cancel.restock,
            notify_customer=i.policy.platform_emails_customer,
            staff_note=f"Casebridge fulfillment exception: {what} ({how})",
            refund_note=f"{what.capitalize()} in Casebridge fulfillment exception {i.case_id}",
        )

    def _key(self, what: str) -> str:
        """Marks an edit and its refund. The run id makes it this case's own: a later exception case
        for the same order (same case id) must not find this one's."""
        return f"{self.input.case_id}/{what}/{workflow.info().run_id}"

    async def _cancel_order(self, how: str) -> None:
        i, cancel = self.input, self.input.policy.cancel
        note = f"Casebridge: order cancelled on a fulfillment exception ({how})"
        cancellation = await self.store.cancel(
            CancelRequest(
                reason=cancel.cancel_reason,
                refund=cancel.refund,
                restock=cancel.restock,
                notify_customer=i.policy.platform_emails_customer,
                note=note,
                refund_reason=f"Cancelled in Casebridge fulfillment exception {i.case_id}",
            )
        )
        self.record("order cancelled", describe_cancellation(cancellation))
        await self.store.mark(
            note,
            add_tags=[i.policy.tags.resolved],
            remove_tags=[i.policy.tags.open],
            notify_customer=i.policy.platform_emails_customer,
        )

    async def _cancel_lines(self, how: str, lines: list[LineQuantity]) -> str:
        """The lines off the order (or refunded, where it cannot be edited) while it is held, so none
        of their units ships meanwhile; then released: the rest ships."""
        result = await self.store.cancel_lines(lines, self._edit("lines cancelled", how), key=self._key("cancel-lines"))
        done = describe_lines_cancelled(result)
        self.record("lines cancelled", f"{describe_lines(lines)}: {done}")
        await self._release(f"lines cancelled ({describe_lines(lines)}; {done}), the rest ships ({how})")
        return done

    async def _split_shipment(self, how: str, lines: list[LineQuantity]) -> None:
        i = self.input
        note = f"Casebridge: waiting lines of a split shipment: {describe_lines(lines)} ({how})"
        waiting = await self.store.split_shipment(lines, HOLD_REASONS[i.report.exception_type], note)
        if waiting is not None:
            self.record("shipment split", f"{describe_lines(lines)} held on {', '.join(waiting)}")
        await self._release(f"split shipment ({how})", i.policy.tags.split_shipment)

    async def _substitute(self, how: str, substitutions: list[Substitution]) -> str:
        """One edit while the order is held (the reported units never ship); the customer pays no
        more, and a cheaper substitute's difference is refunded once."""
        result = await self.store.substitute_lines(
            substitutions, self._edit("items substituted", how), key=self._key("substitute")
        )
        done = describe_substitution(result)
        self.record("items substituted", done)
        await self._release(f"items substituted: {done} ({how})")
        return done

    def letter_purpose(self, resolution: Resolution) -> LetterPurpose | None:
        """The letter that tells the customer: the cancellation letter, the proactive letter for the
        exception and resolution (`routing.exception_letters`) when the policy lists it, else the
        decision letter; None for an order shipping as ordered with no proactive letter."""
        if resolution is Resolution.CANCEL_ORDER:
            return LetterPurpose.CANCELLATION
        proactive = proactive_letter(self.input.report.exception_type, resolution)
        if proactive is not None and proactive in self.input.policy.letters:
            return proactive
        return None if resolution is Resolution.SHIP_AS_IS else LetterPurpose.CASE_DECISION

    @staticmethod
    def expected_date(result: PanelResult, resolution: Resolution, lead: str) -> str | None:
        """The date the teams that chose the applied resolution gave (the lead's first), as checked
        when they decided; None when none gave one (e.g. the resolution is the timeout's default)."""
        ordered = sorted(result.teams, key=lambda t: t.team != lead)
        return next(
            (
                t.decision.delivery_date
                for t in ordered
                if t.decision is not None and t.decision.outcome == resolution.value and t.decision.delivery_date
            ),
            None,
        )

    async def _inform_customer(self, decision: str, result: PanelResult, resolution: Resolution) -> None:
        """The letter `letter_purpose` names, when the policy tells the customer (`customer_notice`).
        Only ids, SKUs, quantities and dates go into it here: the letter's activity reads the rest
        (names, the held lines' titles) from the platform."""
        i = self.input
        purpose = self.letter_purpose(resolution)
        if i.policy.customer_notice is None or purpose is None:
            return  # the policy leaves telling the customer to the platform, or there is nothing to tell
        # The reviewers' comments carry what the customer should know (e.g. why, or what changes).
        comments = [t.decision.comment for t in result.teams if t.decision is not None and t.decision.comment]
        detail = " ".join([i.report.summary.rstrip(".") + ".", *comments])
        expected = self.expected_date(result, resolution, i.policy.types[i.report.exception_type].teams[0])
        content: dict[str, JsonValue] = {"decision": {"headline": decision, "detail": detail}}
        if purpose is LetterPurpose.CANCELLATION:
            refunded = i.order.total if i.policy.cancel.refund and i.order.total is not None else Decimal(0)
            content["cancellation"] = {"reason": detail, "cancelledAt": workflow.now().date().isoformat()}
            content["refund"] = {"amount": str(refunded)}
        elif purpose is LetterPurpose.ORDER_DELAY:
            # The platforms keep no promised date Casebridge could read: the letter names none.
            content = {"delay": {"previousDate": None, "expectedDate": expected, "reason": detail}}
        elif purpose is LetterPurpose.BACKORDER:
            held: list[JsonValue] = [{"sku": line.sku, "quantity": line.quantity} for line in i.report.lines]
            content = {"backorder": {"expectedDate": expected, "items": held}}
        await self.send_letter(
            purpose,
            order_id=i.order.order_id,
            about=f"order {i.order.order_name}",
            content=content,
            communication=i.policy.customer_notice if purpose is LetterPurpose.CASE_DECISION else None,
        )

    @staticmethod
    def labels_of(i: FulfillmentExceptionInput) -> CaseLabels:
        order, report = i.order, i.report
        return CaseLabels(
            ref=order.order_name,
            team=i.policy.teams_for(report.exception_type, order.total)[0],
            amount=order.total,
            currency=order.currency,
            note=report.exception_type.value,
            details=[f"**{report.exception_type.value}** reported by {report.reported_by}: {report.summary}"],
        )


KIND = CaseKind(
    FulfillmentException,
    FulfillmentExceptionInput,
    # Later reports about the order reach its open case, never a second one.
    start=StartMode.JOIN_OPEN,
    join_signal="exception_reported",
    activities=(OpenTextWorkflowActivities,),
)
