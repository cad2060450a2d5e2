"""A test-only case type that puts one decision before a `ReviewPanel` of several teams.

It stands in for the coming case types (fulfillment exceptions, B2B onboarding): every team gets
its own OpenText task on Casebridge's review process model, with its own SLA and default outcome.
All outcomes `approved` approve the case; a veto rejects it; the `stop_case` signal plays the
store's cancellation.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from routing.review_sla import ReviewSla

from workflows.case import CaseAborted
from workflows.human_review import ReviewRequest
from workflows.messages import CaseInput, CaseStatus, team_business_key
from workflows.review_panel import PanelEnd, PanelResult, PanelRule, PanelTeam, ReviewPanel
from workflows.reviewed_case import ReviewedCase

APPROVED, REJECTED = "approved", "rejected"


class TeamSpec(BaseModel):
    team: str
    sla: ReviewSla
    default_outcome: str = REJECTED


class PanelCaseInput(CaseInput):
    teams: list[TeamSpec]
    rule: PanelRule = Field(default_factory=PanelRule)


class PanelCaseResult(BaseModel):
    status: CaseStatus
    detail: str
    panel: PanelResult | None = None


@workflow.defn(name="TestPanelCase")
class PanelCase(ReviewedCase[PanelCaseInput], case_type="panel-test"):
    @workflow.init
    def __init__(self, input: PanelCaseInput) -> None:
        self.init_case(input)
        self.stopped = False

    @workflow.signal
    def stop_case(self) -> None:
        """The case's reason to exist went away (as a store cancellation does for an order)."""
        self.stopped = True
        self.record("case stopped", "by the test")

    def interrupted(self) -> bool:
        return self.stopped

    @workflow.run
    async def run(self, input: PanelCaseInput) -> PanelCaseResult:
        self.panel = ReviewPanel(self, [self._team(spec) for spec in input.teams], input.rule)
        result: PanelResult | None = None
        try:
            result = await self.panel.run(stop=lambda: self.stopped)
        except CaseAborted:
            await self.close_aborted()
        if result is not None:
            outcomes = result.outcomes()
            if result.end is PanelEnd.STOPPED:
                self.set_status(CaseStatus.CANCELLED, "The case was stopped; every open task withdrawn")
            elif result.end is PanelEnd.COMPLETE and all(o == APPROVED for o in outcomes.values()):
                self.set_status(CaseStatus.APPROVED, f"Approved: {outcomes}")
            else:
                self.set_status(CaseStatus.REJECTED, f"Rejected: {outcomes}")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return PanelCaseResult(status=self.case_status, detail=self.case_detail, panel=result)

    def _team(self, spec: TeamSpec) -> PanelTeam:
        i = self.input
        return PanelTeam(
            team=spec.team,
            default_outcome=spec.default_outcome,
            request=ReviewRequest(
                tenant=i.opentext_tenant,
                definition_key="casebridge_order_review",
                business_key=team_business_key(i.case_id, spec.team),
                name=f"{spec.team} review of {i.case_id}",
                variables={
                    "caseId": i.case_id,
                    "callbackUrl": i.callback_url,
                    "team": spec.team,
                    "orderName": f"{spec.team} check",
                },
                sla=spec.sla,
                escalation_team=f"{spec.team}-leads",
                outcomes=[APPROVED, REJECTED],
            ),
        )
