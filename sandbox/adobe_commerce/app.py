"""A stand-alone FastAPI app with only the Adobe simulators, mounted where `sandbox.app` mounts them.

Contract tests (and anyone trying the simulator alone) use it; `sandbox.app` includes the same
three routers into the full sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sandbox.admin import build_admin_router
from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.world import SandboxWorld

COMMERCE_PREFIX = "/adobe-commerce"
IMS_PREFIX = "/adobe-ims"
IO_EVENTS_PREFIX = "/adobe-io-events"


def mount(app: FastAPI, simulator: AdobeCommerceSimulator) -> None:
    app.include_router(simulator.router, prefix=COMMERCE_PREFIX)
    app.include_router(simulator.ims_router, prefix=IMS_PREFIX)
    app.include_router(simulator.io_events_router, prefix=IO_EVENTS_PREFIX)


def create_adobe_app(world: SandboxWorld, stores: list[AdobeStoreConfig]) -> tuple[FastAPI, AdobeCommerceSimulator]:
    simulator = AdobeCommerceSimulator(world, stores)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await world.deliverer.start()
        yield
        await world.deliverer.stop()

    app = FastAPI(title="Adobe Commerce sandbox", lifespan=lifespan)
    mount(app, simulator)
    app.include_router(build_admin_router(world))
    return app, simulator
