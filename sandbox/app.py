"""The sandbox server: every simulator mounted on one FastAPI app, plus the admin endpoints
(`/_sandbox/...`) that tests and the demo use to inject faults and inspect deliveries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from sandbox.admin import build_admin_router
from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.app import mount as mount_adobe_commerce
from sandbox.bigcommerce.simulator import BigCommerceSimulator
from sandbox.config import SandboxConfig
from sandbox.connection_faults import DropConnectionMiddleware
from sandbox.driver import DriverPrefixMiddleware
from sandbox.meter import MeterMiddleware, RequestMeter, build_meter_router
from sandbox.opentext.workflow_api import WorkflowServiceSimulator
from sandbox.opentext_ecm.api import ContentServerSimulator
from sandbox.opentext_exstream.api import ExstreamSimulator
from sandbox.persistence import persisted
from sandbox.shopify.api import ShopifySimulator
from sandbox.world import SandboxWorld


def create_app(config: SandboxConfig, state_file: Path | None = None) -> FastAPI:
    """`state_file`: where the world is kept across restarts (`sandbox.persistence`); None keeps it in memory."""
    world = SandboxWorld(config=config)
    shopify = ShopifySimulator(world)
    workflow_service = WorkflowServiceSimulator(world)
    exstream = ExstreamSimulator(world, config.exstream_tenants)
    content_server = ContentServerSimulator(world, config.content_servers)
    bigcommerce = BigCommerceSimulator(world, config.bigcommerce_stores)
    adobe_commerce = AdobeCommerceSimulator(world, config.adobe_stores)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with persisted(app, state_file):
            await world.deliverer.start()
            yield
            await world.deliverer.stop()

    app = FastAPI(title="Casebridge sandbox", lifespan=lifespan)
    app.state.world = world
    app.state.shopify = shopify
    app.state.workflow_service = workflow_service
    app.state.exstream = exstream
    app.state.content_server = content_server
    app.state.bigcommerce = bigcommerce
    app.state.adobe_commerce = adobe_commerce
    app.include_router(shopify.router, prefix="/shopify")
    app.include_router(workflow_service.router, prefix="/opentext")
    app.include_router(exstream.router, prefix="/opentext/exstream")
    app.include_router(content_server.router, prefix="/opentext/otcs/cs.exe")
    app.include_router(content_server.admin_router, prefix="/opentext/otcs/_admin")
    app.include_router(bigcommerce.router, prefix="/bigcommerce")
    app.include_router(bigcommerce.b2b_router, prefix="/bigcommerce-b2b")
    mount_adobe_commerce(app, adobe_commerce)  # /adobe-commerce, /adobe-ims, /adobe-io-events
    app.include_router(build_admin_router(world))
    meter = RequestMeter()
    app.state.meter = meter
    app.include_router(build_meter_router(meter))
    app.add_middleware(DropConnectionMiddleware, faults=world.faults)
    app.add_middleware(DriverPrefixMiddleware)  # outside the faults: a driver's call is exempt
    app.add_middleware(MeterMiddleware, meter=meter)  # outermost: it sees every answer, dropped ones too

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
