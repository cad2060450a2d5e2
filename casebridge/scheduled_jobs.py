"""Every periodic job of Casebridge, by its planner: `casebridge schedules apply` turns what they
plan for the configured stores and tenants into Temporal Schedules (`casebridge.schedules`). A new
periodic job is one more planner here."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from casebridge.collateral_schedule import plan_collateral_sync
from casebridge.schedules import ScheduledJob, SchedulePlanner
from casebridge.statement_schedules import plan_statement_schedules
from casebridge.stores import StoreRegistry


def planned_schedules(registry: StoreRegistry, config_dir: Path | None = None) -> list[ScheduledJob]:
    """`config_dir` holds the stores' policies (the statements take their brand and language there)."""
    planners: tuple[SchedulePlanner, ...] = (
        partial(plan_statement_schedules, config_dir=config_dir),
        plan_collateral_sync,
    )
    jobs = [job for planner in planners for job in planner(registry)]
    ids = [job.id for job in jobs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"two planners plan the same schedule: {', '.join(duplicates)}")
    return jobs
