"""Outbound webhooks of the simulated stores: thin payloads, signed as Standard Webhooks.

The signer is the sandbox's own (not `connectors.bigcommerce.webhooks`), so a disagreement between
sender and receiver shows up in the tests instead of being hidden by shared code. The payload bytes
are serialised once, signed, and sent as they are; a duplicate delivery (fault rule) repeats the
same bytes, `webhook-id` and body `hash`, as BigCommerce's do.

Hooks match a scope exactly or by a trailing wildcard (`store/order/*`). Deliveries go through
`world.deliverer` (system `bigcommerce`, label = the scope), at least once with retries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable

from sandbox.bigcommerce.orders import Event
from sandbox.bigcommerce.state import HookState, StoreState
from sandbox.delivery import Deliverer, Delivery

SYSTEM = "bigcommerce"


def standard_webhooks_signature(secret: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret, webhook_id.encode() + b"." + str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def scope_matches(hook_scope: str, scope: str) -> bool:
    if hook_scope.endswith("/*"):
        return scope.startswith(hook_scope[:-1])
    return hook_scope == scope


class WebhookDispatcher:
    def __init__(self, deliverer: Deliverer, clock: Callable[[], float] = time.time) -> None:
        self._deliverer = deliverer
        self._clock = clock
        self._sequence = 0
        self.sent: list[Delivery] = []

    def payload(self, store: StoreState, event: Event) -> bytes:
        """The thin payload, key order as in BigCommerce's examples, compact separators."""
        self._sequence += 1
        # Same event delivered twice → same hash; two different events → different hashes.
        digest = hashlib.sha1(
            f"{store.config.store_hash}:{self._sequence}:{event.scope}:{json.dumps(event.data)}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        document = {
            "created_at": int(self._clock()),
            "store_id": store.config.store_id,
            "producer": f"stores/{store.config.store_hash}",
            "scope": event.scope,
            "hash": digest,
            "data": event.data,
        }
        return json.dumps(document, separators=(",", ":")).encode()

    def emit(self, store: StoreState, events: list[Event]) -> list[Delivery]:
        deliveries: list[Delivery] = []
        for event in events:
            hooks = [h for h in store.hooks.values() if h.is_active and scope_matches(h.scope, event.scope)]
            if not hooks:
                continue
            body = self.payload(store, event)
            for hook in hooks:
                deliveries.append(self._send(store, hook, event.scope, body, event.data.get("id")))
        self.sent.extend(deliveries)
        return deliveries

    def _send(self, store: StoreState, hook: HookState, scope: str, body: bytes, about: object = None) -> Delivery:
        webhook_id = f"msg_{uuid.uuid4().hex}"
        timestamp = int(self._clock())
        secret = store.config.client_secret.get_secret_value().encode()
        headers = {
            **hook.headers,  # custom headers set on the hook (a shared-secret check for receivers)
            "Content-Type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_webhooks_signature(secret, webhook_id, timestamp, body),
        }
        return self._deliverer.send(
            SYSTEM, scope, hook.destination, body, headers, store=store.config.store_hash, orders=[about]
        )
