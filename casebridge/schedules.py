"""Casebridge's periodic jobs as Temporal Schedules: what runs when is Temporal's to keep (we never
run our own scheduler), and `casebridge schedules apply` makes the server's schedules match the
deployment's configuration.

Each job module offers a planner (`SchedulePlanner`): given the store registry it names the schedules
it needs (one per OpenText tenant, one per store...). Applying creates a schedule that is missing and
updates one whose action or timing changed; it never deletes one (an operator's paused or removed
schedule stays as the operator left it, and a job no longer configured is listed for removal by hand).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from casebridge.stores import StoreRegistry
from workflows import search_attributes as sa

SCHEDULE_ID_PREFIX = "casebridge/"


@dataclass(frozen=True)
class ScheduledJob:
    """One schedule: which workflow it starts with what input, and when.

    `every` runs at a fixed interval; `calendar` at calendar times (e.g. the first of the month). The
    overlap policy defaults to SKIP: a run still going when the next is due makes the next one wait
    for the following slot, so a slow run never piles up copies of itself."""

    id: str  # the schedule's id, under SCHEDULE_ID_PREFIX
    workflow: str  # the workflow type's name
    input: object  # the workflow's one argument (a pydantic model)
    job_type: str  # CaseType of the started runs, so operators find them like cases
    summary: str
    every: timedelta | None = None
    calendar: Sequence[ScheduleCalendarSpec] = field(default_factory=tuple)
    overlap: ScheduleOverlapPolicy = ScheduleOverlapPolicy.SKIP
    time_zone: str | None = None

    def __post_init__(self) -> None:
        if not self.id.startswith(SCHEDULE_ID_PREFIX):
            raise ValueError(f"schedule id {self.id!r} must start with {SCHEDULE_ID_PREFIX!r}")
        if (self.every is None) == (not self.calendar):
            raise ValueError(f"schedule {self.id}: give either `every` or `calendar`, not both or neither")

    def schedule(self, task_queue: str) -> Schedule:
        spec = ScheduleSpec(
            intervals=[ScheduleIntervalSpec(every=self.every)] if self.every is not None else [],
            calendars=list(self.calendar),
            time_zone_name=self.time_zone,
        )
        action = ScheduleActionStartWorkflow(
            self.workflow,
            self.input,
            # Each run's id is this plus the scheduled time, so one slot never starts twice.
            id=self.id.removeprefix(SCHEDULE_ID_PREFIX),
            task_queue=task_queue,
            typed_search_attributes=TypedSearchAttributes([SearchAttributePair(sa.CASE_TYPE, self.job_type)]),
            static_summary=self.summary,
        )
        return Schedule(action=action, spec=spec, policy=SchedulePolicy(overlap=self.overlap))


SchedulePlanner = Callable[[StoreRegistry], list[ScheduledJob]]


@dataclass(frozen=True)
class Applied:
    schedule_id: str
    change: str  # "created" or "updated"


async def apply_schedules(client: Client, jobs: Sequence[ScheduledJob], task_queue: str) -> list[Applied]:
    """Create each schedule, or update it in place when it exists (its pause state and history are
    kept). Safe to run on every deploy."""
    applied: list[Applied] = []
    for job in jobs:
        wanted = job.schedule(task_queue)
        try:
            await client.create_schedule(job.id, wanted)
        except ScheduleAlreadyRunningError:

            def keep_state(current: ScheduleUpdateInput, wanted: Schedule = wanted) -> ScheduleUpdate:
                wanted.state = current.description.schedule.state  # paused by an operator stays paused
                return ScheduleUpdate(schedule=wanted)

            await client.get_schedule_handle(job.id).update(keep_state)
            applied.append(Applied(job.id, "updated"))
        else:
            applied.append(Applied(job.id, "created"))
    return applied


async def unplanned_schedules(client: Client, jobs: Sequence[ScheduledJob]) -> list[str]:
    """Casebridge's schedules on the server that the configuration no longer plans."""
    planned = {job.id for job in jobs}
    found: list[str] = []
    async for listed in await client.list_schedules():
        if listed.id.startswith(SCHEDULE_ID_PREFIX) and listed.id not in planned:
            found.append(listed.id)
    return sorted(found)
