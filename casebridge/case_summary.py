"""`casebridge cases summary`: what operators ask first, from Temporal's visibility store.

Open cases counted by type and status, by the team they wait on, and how many are past their due
time; then the cases that have waited longest for an operator (NEEDS_ATTENTION), with the step and
reason each case reports. Counts are exact (`count_workflows`); the team breakdown and the parked
list read the open cases themselves, up to `limit` of them. Visibility cannot group by a custom
search attribute, so the grouping by team happens here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from temporalio.client import Client
from temporalio.service import RPCError

from workflows import search_attributes as sa
from workflows.messages import CaseStatus, CaseView
from workflows.registry import CASE_KINDS

OPEN = "ExecutionStatus = 'Running'"
MAX_PARKED_ASKED = 500


@dataclass(frozen=True)
class ParkedCase:
    case_id: str
    ref: str
    store: str
    since: datetime | None  # when it parked (from the case), else None if it did not answer
    step: str
    reason: str


@dataclass
class CasesSummary:
    by_type_and_status: dict[tuple[str, str], int] = field(default_factory=dict)
    by_team: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    parked: list[ParkedCase] = field(default_factory=list)
    read: int = 0  # open cases read for the team breakdown
    truncated: bool = False  # more open cases than `limit`: the team breakdown is partial

    def lines(self) -> list[str]:
        out = ["Open cases by type and status:"]
        width = max((len(t) for t, _ in self.by_type_and_status), default=10)
        for (case_type, status), count in sorted(self.by_type_and_status.items()):
            out.append(f"  {case_type:<{width}}  {status:<16} {count:>7}")
        if not self.by_type_and_status:
            out.append("  none")
        out.append(f"Past their due time (CaseDueAt < now): {self.overdue}")
        out.append("Waiting on a team (IN_REVIEW, ESCALATED):")
        for team, count in self.by_team.most_common():
            out.append(f"  {team:<{width}}  {count:>7}")
        if not self.by_team:
            out.append("  none")
        if self.truncated:
            out.append(f"  (the first {self.read} open cases read; raise --limit for all)")
        out.append("Waiting longest for an operator (NEEDS_ATTENTION):")
        for case in self.parked:
            since = case.since.strftime("%Y-%m-%d %H:%M UTC") if case.since else "?"
            out.append(f"  since {since}  {case.ref:<12} {case.store}  step '{case.step}': {case.reason}")
            out.append(f"    {case.case_id}")
        if not self.parked:
            out.append("  none")
        return out


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


async def summarize(client: Client, *, store: str | None = None, limit: int = 10_000, oldest: int = 5) -> CasesSummary:
    scope = f"{OPEN} AND CaseType IS NOT NULL" + (f" AND CaseStore = {_quote(store)}" if store else "")
    summary = CasesSummary()
    for kind in CASE_KINDS:
        case_type = kind.workflow.case_type
        for status in CaseStatus:
            if status.is_final:
                continue
            query = f"{scope} AND CaseType = {_quote(case_type)} AND CaseStatus = {_quote(status.value)}"
            count = (await client.count_workflows(query)).count
            if count:
                summary.by_type_and_status[(case_type, status.value)] = count
    now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    summary.overdue = (await client.count_workflows(f"{scope} AND CaseDueAt < '{now}'")).count

    waiting = f"{scope} AND CaseStatus IN ('{CaseStatus.IN_REVIEW.value}', '{CaseStatus.ESCALATED.value}')"
    async for case in client.list_workflows(waiting, limit=limit):
        summary.read += 1
        summary.by_team[case.typed_search_attributes.get(sa.CASE_TEAM) or "(none)"] += 1
    summary.truncated = summary.read >= limit

    parked: list[ParkedCase] = []
    # Each parked case is asked when it parked (a query each): at most MAX_PARKED_ASKED of them.
    needs_attention = f"{scope} AND CaseStatus = '{CaseStatus.NEEDS_ATTENTION.value}'"
    async for case in client.list_workflows(needs_attention, limit=MAX_PARKED_ASKED):
        attributes = case.typed_search_attributes
        ref, case_store = attributes.get(sa.CASE_REF) or "", attributes.get(sa.CASE_STORE) or ""
        try:
            view: CaseView = await client.get_workflow_handle(case.id).query("status", result_type=CaseView)
        except RPCError:
            # No worker answered (or the case just moved on): still listed, without the case's words.
            parked.append(ParkedCase(case.id, ref, case_store, None, "?", "the case did not answer the query"))
            continue
        if view.attention is not None:
            attention = view.attention
            parked.append(ParkedCase(case.id, ref, case_store, attention.since, attention.step, attention.reason))
    parked.sort(key=lambda p: p.since or datetime.max.replace(tzinfo=UTC))
    summary.parked = parked[:oldest]
    return summary
