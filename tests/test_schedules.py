"""`apply_schedules` against the real dev server: a planned schedule is created once, then updated in
place (an operator's pause survives a deploy), and a schedule no longer planned is listed, not deleted."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import ScheduleActionStartWorkflow, ScheduleCalendarSpec, ScheduleRange
from temporalio.testing import WorkflowEnvironment

from casebridge.scheduled_jobs import planned_schedules
from casebridge.schedules import ScheduledJob, apply_schedules, unplanned_schedules
from casebridge.stores import StoreRegistry
from workflows.delivery_outcomes import FeedInput


def _job(run: str, every: timedelta) -> ScheduledJob:
    return ScheduledJob(
        id=f"casebridge/test-job/{run}",
        workflow="DeliveryOutcomeFeed",
        input=FeedInput(tenant="t1"),
        job_type="test-job",
        summary="a test job",
        every=every,
    )


async def test_created_once_then_updated_in_place_keeping_the_pause(temporal_env: WorkflowEnvironment) -> None:
    client = temporal_env.client
    run = uuid.uuid4().hex[:8]
    job = _job(run, timedelta(hours=1))

    first = await apply_schedules(client, [job], "casebridge-test")
    assert [(a.schedule_id, a.change) for a in first] == [(job.id, "created")]
    handle = client.get_schedule_handle(job.id)
    await handle.pause(note="operator: supplier outage")

    second = await apply_schedules(client, [_job(run, timedelta(minutes=30))], "casebridge-test")
    assert [a.change for a in second] == ["updated"]
    described = await handle.describe()
    assert [i.every for i in described.schedule.spec.intervals] == [timedelta(minutes=30)]
    assert described.schedule.state.paused and described.schedule.state.note == "operator: supplier outage"
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == "DeliveryOutcomeFeed" and action.id == f"test-job/{run}"
    # The summary is kept as the encrypted payload the client sent: decoded, it reads as planned.
    summary = action.static_summary
    assert isinstance(summary, Payload) and b"a test job" not in summary.data
    assert await client.data_converter.decode([summary], [str]) == ["a test job"]

    stale = await unplanned_schedules(client, [])
    assert job.id in stale
    assert job.id not in await unplanned_schedules(client, [job])
    await handle.delete()


def test_a_job_names_exactly_one_timing() -> None:
    with pytest.raises(ValueError, match="either `every` or `calendar`"):
        ScheduledJob(id="casebridge/x", workflow="W", input=None, job_type="x", summary="x")
    with pytest.raises(ValueError, match="either `every` or `calendar`"):
        ScheduledJob(
            id="casebridge/x",
            workflow="W",
            input=None,
            job_type="x",
            summary="x",
            every=timedelta(hours=1),
            calendar=[ScheduleCalendarSpec(day_of_month=[ScheduleRange(1)])],
        )
    with pytest.raises(ValueError, match="must start with"):
        _job("x", timedelta(hours=1)).__class__(
            id="other/x", workflow="W", input=None, job_type="x", summary="x", every=timedelta(hours=1)
        )


def test_the_planners_plan_distinct_schedules_for_an_empty_registry() -> None:
    assert planned_schedules(StoreRegistry(stores=[], opentext_tenants=[])) == []
