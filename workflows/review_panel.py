"""Several teams review one case in parallel: one OpenText task per team, each with its own SLA.

A `ReviewPanel` runs a `HumanReview` per team side by side (business key `{case_id}#{team}`, so
each team's process is found again on a retried start and its callback still reaches the case). It
ends when every required team has an outcome, when a team's outcome is a veto (the other open
tasks are withdrawn), or when the case's stop condition turns true (all open tasks are withdrawn).
A team that does not decide in time gets its default outcome. Each open task registers its own
withdraw undo in the case's saga, so an abort withdraws exactly the tasks still open.

A step that fails parks the case for an operator as in any case; the panel lets one team park at a
time, because an operator's `retry` / `skip` / `abort` answers exactly one parked step.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, Field, model_validator
from temporalio import workflow
from temporalio.exceptions import ActivityError

from workflows.case import UNCHANGED, AnyCase, CaseAborted
from workflows.failures import describe_failure
from workflows.human_review import HumanReview, ReviewEnd, ReviewRequest
from workflows.messages import CaseStatus, OperatorAction, ReviewDecision

T = TypeVar("T")


class PanelTeam(BaseModel):
    team: str
    request: ReviewRequest  # its business key should be `team_business_key(case_id, team)`
    default_outcome: str  # the team's outcome when nobody decides in time

    @model_validator(mode="after")
    def _default_is_an_outcome(self) -> PanelTeam:
        if self.default_outcome not in self.request.outcomes:
            raise ValueError(f"default outcome {self.default_outcome!r} is not one of {self.request.outcomes}")
        return self


class PanelRule(BaseModel):
    """When the panel is done. By default every team must have an outcome."""

    # The teams whose outcome the case needs; None means all. Once these have outcomes, the
    # other teams' open tasks are withdrawn.
    required_teams: list[str] | None = None
    # An outcome that ends the panel at once (e.g. `rejected`), whether decided or a team's default.
    veto_outcomes: list[str] = Field(default_factory=list)


class PanelEnd(StrEnum):
    COMPLETE = "complete"  # every required team has an outcome
    VETOED = "vetoed"  # a team's outcome was a veto; the other tasks were withdrawn
    STOPPED = "stopped"  # the case's stop condition: every open task was withdrawn


class TeamResult(BaseModel):
    team: str
    end: ReviewEnd
    # The decided outcome, or the team's default after a timeout (or a start an operator skipped);
    # None when the task was withdrawn or stopped before anyone decided.
    outcome: str | None = None
    reviewer: str | None = None
    decision: ReviewDecision | None = None

    @property
    def defaulted(self) -> bool:
        return self.end in (ReviewEnd.TIMED_OUT, ReviewEnd.NOT_STARTED)


class PanelResult(BaseModel):
    end: PanelEnd
    teams: list[TeamResult]  # in the panel's team order; only teams that ran
    vetoed_by: str | None = None

    def team(self, name: str) -> TeamResult | None:
        return next((t for t in self.teams if t.team == name), None)

    def outcomes(self) -> dict[str, str]:
        return {t.team: t.outcome for t in self.teams if t.outcome is not None}


class _TeamReview(HumanReview):
    """A panel's member: reports its case-level effects to the panel instead of the case."""

    def __init__(self, panel: ReviewPanel, case: AnyCase, team: PanelTeam) -> None:
        super().__init__(case, team.request, team=team.team)
        self._panel = panel

    def opened(self) -> None:
        self._panel.refresh_case()

    def escalated(self, team: str) -> None:
        self._panel.team_escalated(self, team)

    def reassigned(self, team: str) -> None:
        self._panel.refresh_case()

    def deadline_moved(self) -> None:
        self._panel.refresh_case()

    async def run_step(self, step: str, call: Callable[[], Awaitable[T]], *, on_skip: T) -> T:
        return await self._panel.run_step(step, call, on_skip=on_skip)


class ReviewPanel:
    def __init__(self, case: AnyCase, teams: list[PanelTeam], rule: PanelRule | None = None) -> None:
        names = [t.team for t in teams]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"a panel needs distinct teams, got {names}")
        self.rule = rule or PanelRule()
        unknown = set(self.rule.required_teams or []) - set(names)
        if unknown:
            raise ValueError(f"required teams {sorted(unknown)} are not on the panel")
        self._case = case
        self.teams = teams
        self.reviews: dict[str, _TeamReview] = {}  # the current review round of each team
        self.results: dict[str, TeamResult] = {}
        self.vetoed_by: str | None = None
        self._stopped_by_case = False
        self._failure: BaseException | None = None
        # One parked step at a time: concurrent parks would all take the operator's one answer.
        self._parking = asyncio.Lock()

    # --- decisions ------------------------------------------------------------------------------

    def review_for(self, process_instance_id: str) -> HumanReview | None:
        """The team review whose OpenText process this is (open or over), if any."""
        return next(
            (
                r
                for r in self.reviews.values()
                if r.ticket is not None and r.ticket.process_instance_id == process_instance_id
            ),
            None,
        )

    def open_reviews(self) -> list[HumanReview]:
        return [r for r in self.reviews.values() if r.is_open]

    # --- running ------------------------------------------------------------------------------

    async def run(self, stop: Callable[[], bool]) -> PanelResult:
        """Run every team's review; return when the rule is met, a team vetoes or `stop()` holds."""

        def team_stop(team: str) -> Callable[[], bool]:
            def stopped() -> bool:
                if stop():
                    self._stopped_by_case = True
                return self._stopped_by_case or self.vetoed_by is not None or self._required_done(team)

            return stopped

        self._case.record("review panel opened", ", ".join(t.team for t in self.teams))
        runs = [asyncio.create_task(self._run_team(t, team_stop(t.team))) for t in self.teams]
        await workflow.wait_condition(lambda: all(r.done() for r in runs) or self._failure is not None)
        if self._failure is not None:
            # An operator aborted (or the case was interrupted) in one team: stop the others here;
            # their open tasks stay in the saga, so the case's compensation withdraws them.
            for r in runs:
                r.cancel()
            await asyncio.gather(*runs, return_exceptions=True)
            raise self._failure

        end = PanelEnd.VETOED if self.vetoed_by else PanelEnd.STOPPED if self._stopped_by_case else PanelEnd.COMPLETE
        result = PanelResult(
            end=end,
            teams=[self.results[t.team] for t in self.teams if t.team in self.results],
            vetoed_by=self.vetoed_by,
        )
        summary = ", ".join(f"{t.team}: {t.outcome or t.end.value}" for t in result.teams)
        self._case.record("review panel closed", f"{end.value}; {summary}")
        return result

    async def _run_team(self, team: PanelTeam, stop: Callable[[], bool]) -> None:
        try:
            self.results[team.team] = await self._review_team(team, stop)
        except (Exception, asyncio.CancelledError) as err:  # re-raised by run()
            if self._failure is None and not isinstance(err, asyncio.CancelledError):
                self._failure = err
            return
        self._team_ended(self.results[team.team])

    async def _review_team(self, team: PanelTeam, stop: Callable[[], bool]) -> TeamResult:
        while True:
            review = _TeamReview(self, self._case, team)
            self.reviews[team.team] = review
            end = await review.run(stop)
            if end is not ReviewEnd.WITHDRAWN:
                break
            # The process vanished in OpenText: as for a single review, an operator decides.
            action = await self.run_parked(review.named("OpenText review"), review.withdrawn_reason, stop)
            if action is None:
                end = ReviewEnd.STOPPED  # the panel no longer needs this team
                break
            if action is OperatorAction.ABORT:
                raise CaseAborted(review.named("OpenText review"))
            if action is OperatorAction.SKIP:
                end = ReviewEnd.TIMED_OUT  # as if nobody decided: the team's default applies
                break
            # retry: open a new task for this team

        if end is ReviewEnd.DECIDED:
            assert review.decision is not None
            d = review.decision
            return TeamResult(team=team.team, end=end, outcome=d.outcome, reviewer=d.reviewer, decision=d)
        if end in (ReviewEnd.TIMED_OUT, ReviewEnd.NOT_STARTED):
            self._case.record(review.named("team default applied"), team.default_outcome)
            return TeamResult(team=team.team, end=end, outcome=team.default_outcome)
        return TeamResult(team=team.team, end=end)

    def _team_ended(self, result: TeamResult) -> None:
        if self.vetoed_by is None and result.outcome in self.rule.veto_outcomes and not self._stopped_by_case:
            self.vetoed_by = result.team
            self._case.record("review panel vetoed", f"{result.team}: {result.outcome}")
        self.refresh_case()

    def _required_done(self, team: str) -> bool:
        """True when `team` is not required and every required team already has an outcome."""
        required = self.rule.required_teams
        if required is None or team in required:
            return False
        return all(name in self.results and self.results[name].outcome is not None for name in required)

    # --- parking ------------------------------------------------------------------------------

    async def run_step(self, step: str, call: Callable[[], Awaitable[T]], *, on_skip: T) -> T:
        """The case's `run_step` (same retry / skip / abort), except that a failed step waits for
        the parking lock, so a second team's failure parks once the operator answered the first."""
        while True:
            try:
                result = await call()
            except ActivityError as err:
                async with self._parking:
                    action = await self._case.park(step, describe_failure(err))
                if action is OperatorAction.RETRY:
                    continue
                if action is OperatorAction.SKIP:
                    self._case.record("skipped", step)
                    return on_skip
                raise CaseAborted(step) from err
            self._case.record("done", step)
            return result

    async def run_parked(self, step: str, reason: str, stop: Callable[[], bool]) -> OperatorAction | None:
        """Park for an operator's answer (one team at a time); None if the panel no longer needs it."""
        async with self._parking:
            if stop():
                return None
            return await self._case.park(step, reason)

    # --- what the case shows ------------------------------------------------------------------

    def team_escalated(self, review: HumanReview, to: str) -> None:
        self._case.record(review.named("escalated"), f"to {to}")
        self.refresh_case(escalated=True)

    def refresh_case(self, *, escalated: bool = False) -> None:
        """Case status and due date from the open tasks: due at the earliest open deadline."""
        open_reviews = self.open_reviews()
        deadlines = [r.deadline for r in open_reviews if r.deadline is not None]
        due = min(deadlines) if deadlines else None
        if self._case.attention is not None or not open_reviews:
            if due != self._case.due_at:
                self._case.set_due_at(due)
            return  # a parked step shows until the operator answers; the case sets the final status
        waiting = ", ".join(name for name, review in self.reviews.items() if review.is_open)
        decided = ", ".join(f"{name}: {res.outcome}" for name, res in self.results.items() if res.outcome)
        detail = f"Waiting for decisions from {waiting}" + (f"; decided so far: {decided}" if decided else "")
        status = CaseStatus.ESCALATED if escalated or self._case.case_status is CaseStatus.ESCALATED else None
        changed = due if due != self._case.due_at else UNCHANGED
        self._case.set_status(status or CaseStatus.IN_REVIEW, detail, due_at=changed)
