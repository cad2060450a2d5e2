"""Admin endpoints of the sandbox (not part of any simulated API): fault rules and delivery logs."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.faults import FaultRule
from sandbox.world import SandboxWorld


def build_admin_router(world: SandboxWorld) -> APIRouter:
    router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])

    @router.get("/faults")
    async def list_faults() -> list[FaultRule]:
        return world.faults.rules

    @router.post("/faults", status_code=201)
    async def add_fault(rule: FaultRule) -> FaultRule:
        world.faults.add(rule)
        return rule

    @router.delete("/faults", status_code=204)
    async def clear_faults() -> None:
        world.faults.clear()

    @router.get("/deliveries")
    async def deliveries(system: str | None = None, label: str | None = None) -> list[dict[str, object]]:
        return [
            d.summary()
            for d in world.deliverer.log
            if (system is None or d.system == system) and (label is None or d.label == label)
        ]

    return router
