"""The sandbox server: every simulator mounted on one FastAPI app, plus the admin endpoints
(`/_sandbox/...`) that tests and the demo use to inject faults and inspect deliveries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from sandbox.admin import build_admin_router
from sandbox.config import SandboxConfig
from sandbox.opentext.workflow_api import WorkflowServiceSimulator
from sandbox.opentext_exstream.api import ExstreamSimulator
from sandbox.shopify.api import ShopifySimulator
from sandbox.world import SandboxWorld


def create_app(config: SandboxConfig) -> FastAPI:
    world = SandboxWorld(config=config)
    shopify = ShopifySimulator(world)
    workflow_service = WorkflowServiceSimulator(world)
    exstream = ExstreamSimulator(world, config.exstream_tenants)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await world.deliverer.start()
        yield
        await world.deliverer.stop()

    app = FastAPI(title="Casebridge sandbox", lifespan=lifespan)
    app.state.world = world
    app.state.shopify = shopify
    app.state.workflow_service = workflow_service
    app.state.exstream = exstream
    app.include_router(shopify.router, prefix="/shopify")
    app.include_router(workflow_service.router, prefix="/opentext")
    app.include_router(exstream.router, prefix="/opentext/exstream")
    app.include_router(build_admin_router(world))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
