"""Every periodic job of Casebridge, by its planner: `casebridge schedules apply` turns what they
plan for the configured stores and tenants into Temporal Schedules (`casebridge.schedules`). A new
periodic job is one more planner here."""

from __future__ import annotations

from casebridge.collateral_schedule import plan_collateral_sync
from casebridge.schedules import ScheduledJob, SchedulePlanner
from casebridge.statement_schedules import plan_statement_schedules
from casebridge.stores import StoreRegistry

PLANNERS: tuple[SchedulePlanner, ...] = (plan_statement_schedules, plan_collateral_sync)


def planned_schedules(registry: StoreRegistry) -> list[ScheduledJob]:
    jobs = [job for planner in PLANNERS for job in planner(registry)]
    ids = [job.id for job in jobs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"two planners plan the same schedule: {', '.join(duplicates)}")
    return jobs
