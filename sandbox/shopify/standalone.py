"""A small FastAPI app serving only the Shopify simulator (mounted at `/shopify`, as in the sandbox
app) plus the `/_sandbox` fault and delivery routes, for tests and tools that need nothing else;
and `WebhookRecorder`, a receiver that keeps what the simulator delivers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

from sandbox.admin import build_admin_router
from sandbox.config import SandboxConfig, ShopConfig
from sandbox.shopify.api import ShopifySimulator
from sandbox.world import SandboxWorld

MOUNT = "/shopify"


def create_app(
    shops: list[ShopConfig], *, delivery_max_attempts: int = 3, delivery_retry_seconds: float = 0.05
) -> tuple[FastAPI, SandboxWorld, ShopifySimulator]:
    world = SandboxWorld(
        config=SandboxConfig(
            shops=shops,
            tenants=[],
            delivery_max_attempts=delivery_max_attempts,
            delivery_retry_seconds=delivery_retry_seconds,
        )
    )
    simulator = ShopifySimulator(world)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await world.deliverer.start()
        yield
        await world.deliverer.stop()
        simulator.close()

    app = FastAPI(title="Shopify simulator", lifespan=lifespan)
    app.include_router(simulator.router, prefix=MOUNT)
    app.include_router(build_admin_router(world))
    return app, world, simulator


@dataclass
class RunningShopify:
    origin: str  # e.g. http://127.0.0.1:PORT
    world: SandboxWorld
    simulator: ShopifySimulator

    def base_url(self, shop: str) -> str:
        """`base_url` for `ShopifyClient` (the shop's admin origin)."""
        return f"{self.origin}{MOUNT}/{shop}"

    def admin(self, shop: str) -> str:
        """Root of the sandbox-only routes of a shop (`/_admin/...`)."""
        return f"{self.origin}{MOUNT}/{shop}/_admin"


@asynccontextmanager
async def _serve(app: FastAPI) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surface a start-up error
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def serve_simulator(
    shops: list[ShopConfig], *, delivery_max_attempts: int = 3, delivery_retry_seconds: float = 0.05
) -> AsyncIterator[RunningShopify]:
    """Serve the standalone app on a free loopback port inside the caller's event loop."""
    app, world, simulator = create_app(
        shops, delivery_max_attempts=delivery_max_attempts, delivery_retry_seconds=delivery_retry_seconds
    )
    async with _serve(app) as origin:
        yield RunningShopify(origin, world, simulator)


@dataclass
class Delivered:
    topic: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class WebhookRecorder:
    """Answers 200 to every delivery and keeps it, by `X-Shopify-Topic`."""

    url: str = ""
    received: list[Delivered] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, delivery: Delivered) -> None:
        self.received.append(delivery)
        self._arrived.set()

    def of(self, topic: str) -> list[Delivered]:
        return [d for d in self.received if d.topic == topic]

    async def wait_for(self, topic: str, count: int = 1, timeout: float = 5.0) -> list[Delivered]:
        """At least `count` deliveries of `topic` (TimeoutError when they do not come)."""
        async with asyncio.timeout(timeout):
            while len(self.of(topic)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.of(topic)


@asynccontextmanager
async def serve_recorder() -> AsyncIterator[WebhookRecorder]:
    recorder = WebhookRecorder()
    app = FastAPI()

    @app.post("/webhooks")
    async def receive(request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        recorder.add(Delivered(headers.get("x-shopify-topic", ""), headers, await request.body()))
        return Response(status_code=200)

    async with _serve(app) as origin:
        recorder.url = f"{origin}/webhooks"
        yield recorder
