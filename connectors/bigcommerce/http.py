"""One HTTP call to BigCommerce: auth headers, the request quota, tracing and error mapping.

BigCommerce meters requests per store in fixed windows (150 per 30 s on Standard/Plus). Every answer
says how many requests are left and when the window resets; the client remembers that and, when the
quota is spent, waits for the reset before sending (proactively) instead of collecting a 429. A 429
that does come back is handled reactively the same way. Short waits happen here (at most
`max_local_wait` seconds in total per call); longer ones become `RateLimitedError(retry_after=...)`
so Temporal's retry does the waiting without holding a worker slot. A 429 without the
`X-Rate-Limit-*` headers is platform-wide load: back off with growing waits (1 s, 2 s, 4 s...).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from opentelemetry import trace
from pydantic import SecretStr

from connectors.bigcommerce.contract import (
    AUTH_HEADER,
    DEFAULT_MAX_LOCAL_WAIT_SECONDS,
    JSON,
    LEFT_HEADER,
    PLATFORM_BACKOFF_SECONDS,
    QUOTA_HEADER,
    RESET_MS_HEADER,
)
from connectors.bigcommerce.error_mapping import error_for_response, error_for_transport
from connectors.errors import RateLimitedError
from connectors.telemetry import external_call

log = logging.getLogger(__name__)

Params = Mapping[str, str | int | float | bool]


def _header_number(response: httpx.Response, name: str) -> float | None:
    try:
        return float(response.headers[name])
    except (KeyError, ValueError):
        return None


class QuotaTracker:
    """The store's request quota as last reported; shared by every call of one client."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.left: float | None = None
        self.quota: float | None = None
        self.reset_at = 0.0

    def record(self, response: httpx.Response) -> None:
        left = _header_number(response, LEFT_HEADER)
        reset_ms = _header_number(response, RESET_MS_HEADER)
        if left is None or reset_ms is None:
            return
        self.left = left
        self.quota = _header_number(response, QUOTA_HEADER)
        self.reset_at = self._clock() + reset_ms / 1000.0

    def wait_before_sending(self) -> float:
        """Seconds to wait so the next request does not exceed the quota (0 when it fits)."""
        if self.left is None or self.left > 0:
            return 0.0
        return max(self.reset_at - self._clock(), 0.0)

    def spend(self) -> None:
        # Concurrent calls between two answers must not all believe the last request is theirs.
        if self.left is not None:
            self.left -= 1


class BigCommerceHttp:
    def __init__(
        self,
        *,
        system: str,
        access_token: SecretStr,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float = 15.0,
        max_local_wait: float = DEFAULT_MAX_LOCAL_WAIT_SECONDS,
        max_attempts: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.system = system
        self._token = access_token
        self._extra_headers = dict(extra_headers or {})
        self._max_local_wait = max_local_wait
        self._max_attempts = max_attempts
        self._sleep = sleep
        self.quota = QuotaTracker(clock)
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _headers(self) -> dict[str, str]:
        return {
            AUTH_HEADER: self._token.get_secret_value(),
            "Accept": JSON,
            "Content-Type": JSON,
            **self._extra_headers,
        }

    async def request(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """One API call; returns the 2xx answer or raises a `connectors.errors` type."""
        with external_call(self.system, operation, method=method, path=httpx.URL(url).path) as call:
            response = await self._send(call.span, operation, method, url, params, json)
            call.answered(response.status_code)
            return response

    async def _send(
        self, span: trace.Span, operation: str, method: str, url: str, params: Params | None, json: Any
    ) -> httpx.Response:
        backoff = PLATFORM_BACKOFF_SECONDS
        budget = self._max_local_wait  # all waiting inside one call, proactive and reactive together
        for attempt in range(1, self._max_attempts + 1):
            budget -= await self._respect_quota(span, operation, budget)
            self.quota.spend()
            try:
                response = await self._client.request(
                    method, url, params=dict(params) if params else None, json=json, headers=self._headers()
                )
            except httpx.HTTPError as exc:
                raise error_for_transport(exc, system=self.system, operation=operation) from exc
            log.debug("%s %s -> %s", method, httpx.URL(url).path, response.status_code)
            self.quota.record(response)
            if response.status_code != 429:
                if not response.is_success:
                    raise error_for_response(response, system=self.system, operation=operation)
                return response
            wait, reason = self._throttle_wait(response, backoff)
            backoff *= 2
            span.add_event("throttled", {"wait_seconds": wait, "reason": reason, "attempt": attempt})
            if wait > budget or attempt == self._max_attempts:
                raise RateLimitedError(
                    reason, system=self.system, operation=operation, status_code=429, retry_after=wait
                )
            log.info("%s %s throttled (%s); waiting %.2fs", self.system, operation, reason, wait)
            await self._sleep(wait)
            budget -= wait
        raise AssertionError("unreachable")

    async def _respect_quota(self, span: trace.Span, operation: str, budget: float) -> float:
        """Wait for the window to reset when the quota is known to be spent; returns the wait."""
        wait = self.quota.wait_before_sending()
        if wait <= 0:
            return 0.0
        if wait > budget:
            raise RateLimitedError(
                "request quota spent until the window resets",
                system=self.system,
                operation=operation,
                retry_after=wait,
            )
        span.add_event("quota wait", {"wait_seconds": wait})
        await self._sleep(wait)
        return wait

    @staticmethod
    def _throttle_wait(response: httpx.Response, backoff: float) -> tuple[float, str]:
        reset_ms = _header_number(response, RESET_MS_HEADER)
        if reset_ms is not None:
            return max(reset_ms / 1000.0, 0.0), "request quota exceeded"
        retry_after = _header_number(response, "Retry-After")
        if retry_after is not None:
            return max(retry_after, 0.0), "platform load (Retry-After)"
        return backoff, "platform load"
