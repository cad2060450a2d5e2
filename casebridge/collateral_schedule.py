"""The collateral job's schedules (`workflows.collateral_sync`): one per OpenText tenant whose
Content Server publishes collateral (`content_server.collateral`), at the tenant's `sync_every`."""

from __future__ import annotations

from casebridge.schedules import SCHEDULE_ID_PREFIX, ScheduledJob
from casebridge.stores import StoreRegistry
from workflows.collateral_sync import JOB_TYPE, CollateralSyncInput


def collateral_schedule_id(tenant: str) -> str:
    return f"{SCHEDULE_ID_PREFIX}{JOB_TYPE}/{tenant}"


def plan_collateral_sync(registry: StoreRegistry) -> list[ScheduledJob]:
    jobs: list[ScheduledJob] = []
    for tenant in registry.opentext_tenants:
        content_server = tenant.content_server
        if content_server is None or content_server.layout is None or content_server.collateral is None:
            continue
        jobs.append(
            ScheduledJob(
                id=collateral_schedule_id(tenant.name),
                workflow="CollateralSync",
                input=CollateralSyncInput(tenant=tenant.name),
                job_type=JOB_TYPE,
                summary=f"Approved collateral of OpenText tenant {tenant.name} to the storefronts",
                every=content_server.collateral.sync_every,
            )
        )
    return jobs
