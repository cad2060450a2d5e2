"""`casebridge policy what-if STORE NEW_POLICY.yaml [--since 30d]`: the review load a policy change
brings, before it is deployed.

The store's past cases are found through Temporal visibility (CaseStore, CasePlatform, StartTime);
each case's input is the first event of its history, decoded by the client's data converter (the
one every Casebridge process uses, codec included). Their facts go through the store's current
policy file and the new one (`routing.what_if`, pure); the report prints, per case type, the cases
each policy opens, decides by itself and sends to each team, and a few cases whose route changes,
named by case id and order or return name only.

Only events that opened a case are in Temporal: an order the policy of the day let pass left no
trace there, and the shim keeps none elsewhere (its delivery memory is a bounded in-process cache
of answers). The report says so.
"""

from __future__ import annotations

import asyncio
import re
import textwrap
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client, WorkflowExecution

from casebridge.stores import RegistryLookupError, Store, StoreRegistry
from routing.policy import StorePolicy, load_policy
from routing.what_if import (
    FULFILLMENT_EXCEPTION,
    NO_CASE_MEANS,
    ORDER_REVIEW,
    RETURN,
    CaseTypeWhatIf,
    ExceptionReported,
    Handling,
    PastCase,
    ReturnRequest,
    Route,
    Tally,
    route_exception,
)
from workflows.fulfillment_exception import FulfillmentExceptionInput
from workflows.kinds import CaseKind
from workflows.order_review import OrderReviewInput
from workflows.registry import CASE_KINDS
from workflows.return_case import ReturnCaseInput

EXAMPLES_PER_CASE_TYPE = 5
# Histories read at once: enough to hide the round trips, few enough to spare a shared server.
CONCURRENT_READS = 8

LIMITS = (
    "Limits: only events that opened a case are in Temporal. Orders the policy of the day let pass "
    "without a review opened no case and are not replayed (the shim keeps no record of them), so "
    "reviews a stricter policy would add among them are not counted here; returns and fulfillment "
    "exceptions open a case whenever the store's policy handles them. A fulfillment exception is "
    "replayed with the report that opened it, not the reports that joined it later."
)


class WhatIfError(Exception):
    """What stops the what-if before it reads a case (the message says what to fix)."""


_SHORT_PERIOD = re.compile(r"^(?P<count>\d+)\s*(?P<unit>[mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> timedelta:
    """`30d`, `12h`, `2w`, `90m`, or an ISO 8601 duration (`P30D`)."""
    if match := _SHORT_PERIOD.match(text.strip().lower()):
        period = timedelta(**{_UNITS[match["unit"]]: int(match["count"])})
    else:
        try:
            period = TypeAdapter(timedelta).validate_python(text.strip())
        except ValidationError as err:
            raise ValueError(f"--since {text!r}: use e.g. 30d, 12h, 2w or P30D") from err
    if period <= timedelta(0):
        raise ValueError(f"--since {text!r} must be positive")
    return period


def find_store(registry: StoreRegistry, store_id: str, registry_path: Path) -> Store:
    chosen = [s for s in registry.stores if s.id == store_id]
    if not chosen:
        known = ", ".join(s.id for s in registry.stores) or "none"
        raise RegistryLookupError(f"no store {store_id!r} in {registry_path} (stores: {known})")
    if len(chosen) > 1:
        raise RegistryLookupError(f"{len(chosen)} stores have the id {store_id!r} in {registry_path}")
    return chosen[0]


def load_policies(config_dir: Path, store: Store, new_file: Path) -> tuple[StorePolicy, StorePolicy]:
    """The store's current policy and the new one, both validated as the registry validates them."""
    if store.policy_file is None:
        raise WhatIfError(f"store {store.id} has no policy_file: no case was routed by a policy to compare with")
    try:
        new = load_policy(new_file)
    except ValueError as err:  # PolicyError: unreadable, not YAML, or invalid, naming each field
        raise WhatIfError(str(err)) from err
    if new.store != store.id:
        raise WhatIfError(f"{new_file} is the policy of store {new.store!r}, not {store.id!r} (its `store:` key)")
    try:
        current = load_policy(config_dir / store.policy_file)
    except ValueError as err:
        raise WhatIfError(f"the current policy cannot be read: {err}") from err
    return current, new


# --- reading the past cases from Temporal ------------------------------------------------------


@dataclass
class PastCases:
    cases: list[PastCase] = field(default_factory=list)
    # Workflows of the store that are no case kind, or whose input could not be read (why, per case).
    skipped: list[str] = field(default_factory=list)


def visibility_query(store: Store, started_after: datetime) -> str:
    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    since = started_after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"CaseStore = {quoted(store.id)} AND CasePlatform = {quoted(store.platform.value)} "
        f"AND StartTime >= {quoted(since)}"
    )


async def read_past_cases(client: Client, store: Store, started_after: datetime) -> PastCases:
    """Every case of the store started since `started_after`, oldest first, as the facts it opened with."""
    kinds = {kind.workflow_name: kind for kind in CASE_KINDS}
    executions = [e async for e in client.list_workflows(visibility_query(store, started_after))]
    executions.sort(key=lambda e: (e.start_time, e.id))
    gate = asyncio.Semaphore(CONCURRENT_READS)

    async def read(execution: WorkflowExecution) -> PastCase | str:
        kind = kinds.get(execution.workflow_type)
        if kind is None:
            return f"{execution.id}: workflow type {execution.workflow_type} is no case kind"
        async with gate:
            try:
                case_input = await first_input(client, execution, kind.input_model)
            except Exception as err:  # one unreadable case (an older input shape) must not hide the rest
                return f"{execution.id}: input not readable ({type(err).__name__}: {str(err)[:200]})"
        return past_case(kind, case_input, execution.start_time)

    found = PastCases()
    for outcome in await asyncio.gather(*(read(e) for e in executions)):
        if isinstance(outcome, str):
            found.skipped.append(outcome)
        else:
            found.cases.append(outcome)
    return found


async def first_input(client: Client, execution: WorkflowExecution, input_model: type[Any]) -> Any:
    """The case's input: the first event of its history (WorkflowExecutionStarted), decoded with the
    client's data converter. Only that one event is fetched, not the whole history."""
    handle = client.get_workflow_handle(execution.id, run_id=execution.run_id)
    async for event in handle.fetch_history_events(page_size=1):
        started = event.workflow_execution_started_event_attributes
        [case_input] = await client.data_converter.decode(started.input.payloads, [input_model])
        return case_input
    raise LookupError("empty history")


def past_case(kind: CaseKind[Any], case_input: Any, started_at: datetime) -> PastCase:
    """The facts a case opened with and the route its own policy copy gave it."""
    ref = kind.labels(case_input).ref
    if isinstance(case_input, OrderReviewInput):
        recorded = Route(Handling.REVIEWED, (case_input.policy.route.team,), tuple(case_input.reasons))
        return PastCase(case_input.case_id, ORDER_REVIEW, ref, case_input.facts, recorded)
    if isinstance(case_input, ReturnCaseInput):
        policy = case_input.policy
        request = ReturnRequest(
            facts=case_input.facts,
            requested_at=started_at,
            categories_read=policy.reads_categories,
            shipment_read=policy.reads_order_date and policy.window_from == "shipment",
        )
        reasons = tuple(case_input.reasons)
        if case_input.declined_by_policy:
            recorded = Route(Handling.DECLINED, reasons=reasons)
        elif not reasons:
            recorded = Route(Handling.AUTO_APPROVED)
        else:
            recorded = Route(Handling.REVIEWED, (policy.route.team,), reasons)
        return PastCase(case_input.case_id, RETURN, ref, request, recorded)
    if isinstance(case_input, FulfillmentExceptionInput):
        report = ExceptionReported(case_input.report.exception_type, case_input.order.total)
        return PastCase(
            case_input.case_id, FULFILLMENT_EXCEPTION, ref, report, route_exception(case_input.policy, report)
        )
    raise TypeError(f"no what-if for case kind {kind.name}")


# --- the report -----------------------------------------------------------------------------------


def render(
    store: Store,
    past: PastCases,
    report: dict[str, CaseTypeWhatIf],
    *,
    since: str,
    started_after: datetime,
    current_file: Path,
    new_file: Path,
) -> list[str]:
    lines = [
        f"Policy what-if for {store.platform.value} {store.id}: {plural(len(past.cases), 'case')} started since "
        f"{started_after.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({since})",
        f"  current: {current_file}",
        f"  new:     {new_file}",
    ]
    if not past.cases:
        lines += ["", "No case of this store started in that period: nothing to replay."]
    for case_type in [t for t in (ORDER_REVIEW, RETURN, FULFILLMENT_EXCEPTION) if t in report]:
        lines += ["", *render_case_type(report[case_type])]
    if past.skipped:
        lines += ["", f"Not replayed ({len(past.skipped)}):", *(f"  {why}" for why in past.skipped)]
    return [*lines, "", *textwrap.wrap(LIMITS, width=100)]


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render_case_type(entry: CaseTypeWhatIf) -> list[str]:
    current, new, case_type = entry.current, entry.new, entry.case_type
    lines = [f"{case_type}: {plural(current.cases, 'case')}", f"  {'':<44}{'current':>9}{'new':>9}{'change':>9}"]

    def row(label: str, before: int, after: int) -> None:
        change = after - before
        lines.append(f"  {label:<44}{before:>9}{after:>9}{f'{change:+d}' if change else '0':>9}")

    row("cases opened", current.opened, new.opened)
    row("  decided by policy (no person)", current.auto_decided, new.auto_decided)
    for handling in (Handling.AUTO_APPROVED, Handling.DECLINED):
        if current.handling[handling] or new.handling[handling]:
            row(f"    {handling.value}", current.handling[handling], new.handling[handling])
    row("  routed to people", current.handling[Handling.REVIEWED], new.handling[Handling.REVIEWED])
    for team in sorted(set(current.teams) | set(new.teams)):
        row(f"    team {team}", current.teams[team], new.teams[team])
    row(NO_CASE_MEANS[case_type], current.handling[Handling.NO_CASE], new.handling[Handling.NO_CASE])
    lines += unknown_notes("current", current) + unknown_notes("new", new)
    if entry.recorded_differs:
        lines.append(
            f"  note: {plural(entry.recorded_differs, 'case')} of these were routed otherwise when they opened "
            "(the policy changed since); 'current' is today's policy file on their facts"
        )
    if not entry.changes:
        lines.append("  route changes: none")
        return lines
    shown = entry.changes[:EXAMPLES_PER_CASE_TYPE]
    more = f" (the first {len(shown)} shown)" if len(shown) < len(entry.changes) else ""
    lines.append(f"  route changes: {len(entry.changes)} of {current.cases}{more}")
    for change in shown:
        lines.append(f"    {change.ref}  {change.case_id}")
        lines.append(f"      {change.current.describe(case_type)} -> {change.new.describe(case_type)}")
        why = change.new.reasons if change.new.reasons else change.current.reasons
        side = "new" if change.new.reasons else "current"
        if why:
            lines.append(f"      {side} policy: {'; '.join(why)}")
    return lines


def unknown_notes(which: str, tally: Tally) -> list[str]:
    return [
        f"  note: {fact} not recorded for {plural(count, 'case')} (not read when they opened): "
        f"the {which} policy's rules on it counted as not matching"
        for fact, count in sorted(tally.unknown.items())
    ]
