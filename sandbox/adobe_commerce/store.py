"""One simulated Commerce instance: its configuration, credentials, domain state and event outlet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.adobe_commerce.auth import StoreAuth
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.adobe_commerce.state import StoreState
from sandbox.effects import EffectRecorder, no_effects

# Default statuses of each order state (Magento's `sales_order_status_state`).
DEFAULT_STATUS = {
    "new": "pending",
    "pending_payment": "pending_payment",
    "processing": "processing",
    "complete": "complete",
    "closed": "closed",
    "canceled": "canceled",
    "holded": "holded",
    "payment_review": "payment_review",
}
BUILTIN_STATUSES = {state: {status} for state, status in DEFAULT_STATUS.items()} | {
    "processing": {"processing", "fraud"},
    "payment_review": {"payment_review", "fraud"},
}


@dataclass
class Store:
    config: AdobeStoreConfig
    state: StoreState
    auth: StoreAuth
    emit: Callable[[str, dict[str, Any]], None]  # (event code, entity JSON) -> I/O Events
    effects: EffectRecorder = no_effects  # the world's side-effect ledger, bound to this store

    @property
    def code(self) -> str:
        return self.config.store_code

    def statuses_of(self, state: str) -> set[str]:
        return BUILTIN_STATUSES.get(state, set()) | set(self.config.custom_statuses.get(state, []))
