"""Outbound deliveries the simulated services make: Shopify webhooks, OpenText process callbacks.

At least once, as the real services: a non-2xx answer or a network error is retried with
exponential back-off; every attempt is logged so tests can assert what was sent and how often.
Fault rules can drop, duplicate or delay a delivery (system = the sender, operation = `label`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from sandbox.faults import FaultEffect, FaultInjector

log = logging.getLogger(__name__)


@dataclass
class DeliveryAttempt:
    at: datetime
    status_code: int | None
    error: str | None = None


@dataclass
class Delivery:
    system: str
    label: str  # e.g. the webhook topic, or "task-outcome"
    url: str
    body: bytes
    headers: dict[str, str]
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    delivered: bool = False
    dropped: bool = False

    def summary(self) -> dict[str, object]:
        return {
            "system": self.system,
            "label": self.label,
            "url": self.url,
            "headers": self.headers,
            "body": self.body.decode(),
            "delivered": self.delivered,
            "dropped": self.dropped,
            "attempts": [
                {"at": a.at.isoformat(), "status_code": a.status_code, "error": a.error} for a in self.attempts
            ],
        }


class Deliverer:
    def __init__(self, faults: FaultInjector, *, max_attempts: int = 8, retry_seconds: float = 0.5) -> None:
        self._faults = faults
        self._max_attempts = max_attempts
        self._retry_seconds = retry_seconds
        self._tasks: set[asyncio.Task[None]] = set()
        self._client: httpx.AsyncClient | None = None
        self.log: list[Delivery] = []

    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(5.0))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()

    def send(
        self,
        system: str,
        label: str,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        store: str | None = None,
        orders: Iterable[object] = (),
    ) -> Delivery:
        """Queue a delivery; it runs in the background like the real service's sender. `store` and
        `orders` say what it is about, for fault rules scoped to one store or order."""
        delivery = Delivery(system=system, label=label, url=url, body=body, headers=headers)
        self.log.append(delivery)
        fault = self._faults.take(
            system,
            label,
            {FaultEffect.DROP_DELIVERY, FaultEffect.DUPLICATE_DELIVERY, FaultEffect.DELAY_DELIVERY},
            store=store,
            orders=[str(o) for o in orders if o is not None],
            outbound=True,
        )
        if fault is not None and fault.effect is FaultEffect.DROP_DELIVERY:
            delivery.dropped = True
            return delivery
        delay = fault.seconds if fault is not None and fault.effect is FaultEffect.DELAY_DELIVERY else 0.0
        self._spawn(self._deliver(delivery, delay))
        if fault is not None and fault.effect is FaultEffect.DUPLICATE_DELIVERY:
            self._spawn(self._deliver(delivery, fault.seconds))
        return delivery

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, delivery: Delivery, delay: float) -> None:
        assert self._client is not None, "Deliverer.start() was not called"
        if delay:
            await asyncio.sleep(delay)
        backoff = self._retry_seconds
        for _ in range(self._max_attempts):
            attempt = DeliveryAttempt(at=datetime.now(UTC), status_code=None)
            delivery.attempts.append(attempt)
            try:
                response = await self._client.post(delivery.url, content=delivery.body, headers=delivery.headers)
                attempt.status_code = response.status_code
                if response.is_success:
                    delivery.delivered = True
                    return
                # A 4xx other than 408/429 is a final answer: the receiver refused this payload.
                if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    return
            except httpx.HTTPError as exc:
                attempt.error = f"{type(exc).__name__}: {exc}"
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
        log.warning("delivery %s to %s gave up after %d attempts", delivery.label, delivery.url, self._max_attempts)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until no delivery is in flight (tests use it to settle)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
