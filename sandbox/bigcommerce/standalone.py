"""A small FastAPI app serving only the BigCommerce simulator (plus `/_sandbox` faults and
deliveries), for tests and tools that do not need the whole sandbox. The mounts are the ones the
sandbox app uses: `/bigcommerce` and `/bigcommerce-b2b`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from sandbox.admin import build_admin_router
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.simulator import BigCommerceSimulator
from sandbox.config import SandboxConfig
from sandbox.world import SandboxWorld

MOUNT = "/bigcommerce"
B2B_MOUNT = "/bigcommerce-b2b"


def create_app(
    stores: list[BigCommerceStoreConfig],
    *,
    delivery_max_attempts: int = 3,
    delivery_retry_seconds: float = 0.1,
) -> tuple[FastAPI, SandboxWorld, BigCommerceSimulator]:
    world = SandboxWorld(
        config=SandboxConfig(
            shops=[],
            tenants=[],
            delivery_max_attempts=delivery_max_attempts,
            delivery_retry_seconds=delivery_retry_seconds,
        )
    )
    simulator = BigCommerceSimulator(world, stores)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await world.deliverer.start()
        yield
        await world.deliverer.stop()

    app = FastAPI(title="BigCommerce simulator", lifespan=lifespan)
    app.include_router(simulator.router, prefix=MOUNT)
    app.include_router(simulator.b2b_router, prefix=B2B_MOUNT)
    app.include_router(build_admin_router(world))
    return app, world, simulator


@dataclass
class RunningSimulator:
    origin: str  # e.g. http://127.0.0.1:PORT
    world: SandboxWorld
    simulator: BigCommerceSimulator

    @property
    def rest_url(self) -> str:
        """`base_url` for `BigCommerceClient`."""
        return f"{self.origin}{MOUNT}"

    @property
    def b2b_url(self) -> str:
        """`base_url` for `BigCommerceB2BClient`."""
        return f"{self.origin}{B2B_MOUNT}"

    def admin(self, store_hash: str) -> str:
        return f"{self.origin}{MOUNT}/_admin/stores/{store_hash}"


@asynccontextmanager
async def serve_simulator(
    stores: list[BigCommerceStoreConfig], *, delivery_max_attempts: int = 3, delivery_retry_seconds: float = 0.1
) -> AsyncIterator[RunningSimulator]:
    """Serve the standalone app on a free loopback port inside the caller's event loop."""
    app, world, simulator = create_app(
        stores, delivery_max_attempts=delivery_max_attempts, delivery_retry_seconds=delivery_retry_seconds
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surface a start-up error
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningSimulator(f"http://127.0.0.1:{port}", world, simulator)
    finally:
        server.should_exit = True
        await task
