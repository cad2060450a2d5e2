"""The webhook shim: receives store webhooks and OpenText callbacks and turns them into case starts,
signals and updates. It answers fast and never waits on a case's progress."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, HTTPException, Request, Response
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client

from casebridge.connections import Connections
from casebridge.metrics import exposition
from casebridge.settings import Settings
from casebridge.stores import load_registry
from casebridge.telemetry import instrument_shim
from casebridge.temporal import TemporalUnreachable
from connectors.adobe_commerce.io_events import IoEventsVerifier
from routing.store_policies import PolicyBook
from shim import adobe_commerce, api_docs, bigcommerce, evidence, fulfillment, offline_docs, opentext, returns, shopify
from shim.delivery_metrics import DeliveryMetrics
from shim.deps import ShimDeps

ClientFactory = Callable[[Settings], Awaitable[Client]]

log = logging.getLogger(__name__)

# How long start-up waits for Temporal before serving without it (503s, not ready, still trying).
STARTUP_CONNECT_WAIT_SECONDS = 5.0
# Below the readiness probe's timeout, so a slow Temporal reads as not ready, not as a hung shim.
READY_CHECK_TIMEOUT = timedelta(seconds=3)

DESCRIPTION = """Store webhooks, events of other systems and OpenText callbacks in; Temporal cases out.

Every `POST` here is signed by its sender over the raw body (the headers of each are listed with it)
and checked before anything is parsed. Answers: `200` taken (see `result`); `413` body too large;
`401 invalid signature` for anything not genuinely signed, one answer for every reason; `400`/`422`
signed but not JSON or not valid; `403` an event source reporting about a store it may not; `404`
nothing to act on (redelivering cannot help); `409` a decision the case refuses; `503` transient:
deliver again, nothing was lost or half-done."""


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
        deps = ShimDeps(
            settings=settings,
            registry=registry,
            policies=PolicyBook(settings.config_dir),
            connections=connections,
            temporal_client=None,
            adobe_io_events=verifier,
        )
        app.state.deps = deps

        async def reach_temporal() -> None:
            # The shim never gives up on Temporal: it stays up (live, not ready) and keeps trying, so
            # a Temporal outage at start-up is no crash loop; each attempt is logged by `connect`.
            while deps.temporal_client is None:
                try:
                    deps.temporal_client = await connect(settings)
                except TemporalUnreachable as err:
                    log.error("%s; still trying", err)
                except Exception:  # not a network matter (a refused API key, say): an operator's
                    log.exception("cannot connect to Temporal; the shim stays unready")
                    return

        connecting = asyncio.create_task(reach_temporal())
        # Usually Temporal answers at once: serve with a client from the first request.
        await asyncio.wait({connecting}, timeout=STARTUP_CONNECT_WAIT_SECONDS)
        yield
        connecting.cancel()
        await connections.aclose()
        if verifier is not None:
            await verifier.aclose()

    app = FastAPI(
        title="Casebridge webhook shim",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Served by `offline_docs` from the shim's own files: /docs must work without internet.
        docs_url=None,
        redoc_url=None,
    )
    api_docs.install(app)
    offline_docs.mount(app)
    app.add_middleware(DeliveryMetrics)
    instrument_shim(app)  # outermost: the server span covers the whole request
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

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """The shim's own metrics for Prometheus (not exposed by the Ingress)."""
        body, content_type = exposition()
        return Response(body, media_type=content_type)

    @app.get(
        "/readyz",
        tags=["health"],
        responses={503: {"model": api_docs.Refusal, "description": "Temporal does not answer (yet)."}},
    )
    async def readyz(request: Request) -> dict[str, str]:
        """Ready only when Temporal answers: without it no webhook can be taken safely."""
        deps: ShimDeps = request.app.state.deps
        client = deps.temporal
        try:
            # A namespace-scoped call, not the gRPC health check: Temporal Cloud refuses that to
            # API-key clients, and this one also proves the namespace exists and the key may use it.
            await client.workflow_service.describe_namespace(
                DescribeNamespaceRequest(namespace=client.namespace), timeout=READY_CHECK_TIMEOUT
            )
        except HTTPException:
            raise
        except Exception as err:
            raise HTTPException(503, f"Temporal unreachable: {err}") from err
        return {"status": "ready"}

    return app
