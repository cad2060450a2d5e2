"""Admin endpoints of the sandbox (not part of any simulated API): fault rules, delivery logs and
the side-effect ledger."""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.effects import Effect, EffectKind
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
    async def clear_faults(store: str | None = None) -> None:
        world.faults.clear(store=store)

    @router.get("/deliveries")
    async def deliveries(system: str | None = None, label: str | None = None) -> list[dict[str, object]]:
        return [
            d.summary()
            for d in world.deliverer.log
            if (system is None or d.system == system) and (label is None or d.label == label)
        ]

    @router.get("/effects")
    async def effects(
        system: str | None = None,
        store: str | None = None,
        order: str | None = None,
        kind: EffectKind | None = None,
        ref: str | None = None,
    ) -> list[Effect]:
        return world.effects.find(system=system, store=store, order=order, kind=kind, ref=ref)

    return router
