"""The webhook shim: receives store webhooks and OpenText callbacks and turns them into case starts,
signals and updates. It answers fast and never waits on a case's progress."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from temporalio.client import Client

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.adobe_commerce.io_events import IoEventsVerifier
from routing.store_policies import PolicyBook
from shim import adobe_commerce, bigcommerce, evidence, fulfillment, opentext, returns, shopify
from shim.deps import ShimDeps

ClientFactory = Callable[[Settings], Awaitable[Client]]


def create_app(settings: Settings, connect: ClientFactory) -> FastAPI:
    """`connect` gives the Temporal client (tests pass one bound to their test server)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        registry = load_registry(settings.config_dir)
        connections = Connections(registry)
        events = registry.adobe_io_events
        verifier = (
            IoEventsVerifier(events.client_id, public_key_base_url=events.public_key_base_url) if events else None
        )
        app.state.deps = ShimDeps(
            settings=settings,
            registry=registry,
            policies=PolicyBook(settings.config_dir),
            connections=connections,
            temporal=await connect(settings),
            adobe_io_events=verifier,
        )
        yield
        await connections.aclose()
        if verifier is not None:
            await verifier.aclose()

    app = FastAPI(
        title="Casebridge webhook shim",
        description="Store webhooks and OpenText callbacks in; Temporal cases out.",
        lifespan=lifespan,
    )
    app.include_router(shopify.router)
    app.include_router(bigcommerce.router)
    app.include_router(adobe_commerce.router)
    app.include_router(opentext.router)
    app.include_router(fulfillment.router)
    app.include_router(evidence.router)
    app.include_router(returns.router)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is up (liveness)."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz(request: Request) -> dict[str, str]:
        """Ready only when Temporal answers: without it no webhook can be taken safely."""
        deps: ShimDeps = request.app.state.deps
        try:
            await deps.temporal.service_client.check_health()
        except Exception as err:
            raise HTTPException(503, f"Temporal unreachable: {err}") from err
        return {"status": "ready"}

    return app
