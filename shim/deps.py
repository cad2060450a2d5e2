"""What the shim's endpoints need, built once per process and shared through `app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.client import Client

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import StoreRegistry
from routing.store_policies import PolicyBook


@dataclass
class ShimDeps:
    settings: Settings
    registry: StoreRegistry
    policies: PolicyBook
    connections: Connections
    temporal: Client

    @property
    def callback_base_url(self) -> str:
        return self.settings.shim_public_url.rstrip("/")
