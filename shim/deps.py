"""What the shim's endpoints need, built once per process and shared through `app.state`."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import HTTPException
from temporalio.client import Client

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import StoreRegistry
from connectors.adobe_commerce.io_events import IoEventsVerifier
from routing.store_policies import PolicyBook
from shim.cases import DeliveryMemory


@dataclass
class ShimDeps:
    settings: Settings
    registry: StoreRegistry
    policies: PolicyBook
    connections: Connections
    # None until the shim has reached Temporal (it serves, and answers 503, while it keeps trying).
    temporal_client: Client | None
    # BigCommerce deliveries answered recently, by `webhook-id` (a redelivery gets the same answer).
    bigcommerce_deliveries: DeliveryMemory = field(default_factory=DeliveryMemory)
    # Adobe I/O Events: the verifier (its public-key cache) and the deliveries seen, by event id.
    adobe_io_events: IoEventsVerifier | None = None
    adobe_deliveries: DeliveryMemory = field(default_factory=DeliveryMemory)
    # Events posted to `/events/...` by other systems, by `webhook-id`.
    event_deliveries: DeliveryMemory = field(default_factory=DeliveryMemory)
    # Orders whose cancellation arrived before any case existed, by case id (per process: with
    # several replicas the platform's own state, read at routing, is the backstop).
    early_cancellations: DeliveryMemory = field(default_factory=DeliveryMemory)

    @property
    def temporal(self) -> Client:
        """The Temporal client; 503 (the sender redelivers) while the shim has not reached it yet."""
        if self.temporal_client is None:
            raise HTTPException(503, "Temporal is not reachable yet")
        return self.temporal_client

    @property
    def callback_base_url(self) -> str:
        return self.settings.shim_public_url.rstrip("/")
