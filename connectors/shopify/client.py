"""Transport for the Shopify Admin GraphQL API: auth, cost-based throttling, error mapping.

Throttling is handled both ways Shopify asks for: proactively (the last `throttleStatus` tells how
many points are left; wait before a query would not fit) and reactively (a THROTTLED reply says how
long to back off). Short waits happen here; longer ones become `RateLimitedError` so Temporal's retry
(with `next_retry_delay`) does the waiting without holding an activity slot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from pydantic import SecretStr

from connectors.errors import (
    AuthenticationError,
    ConflictError,
    ContractError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from connectors.lifecycle import Closing
from connectors.retry_after import retry_after_seconds
from connectors.shopify.assumptions import CONFLICT_CODES, NOT_FOUND_CODES
from connectors.shopify.documents import API_VERSION
from connectors.shopify.models import UserError
from connectors.telemetry import ExternalCall, external_call

log = logging.getLogger(__name__)

SYSTEM = "shopify"


class ShopifyClient(Closing):
    def __init__(
        self,
        base_url: str,
        access_token: SecretStr,
        *,
        timeout: float = 15.0,
        max_local_wait: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`base_url` is the shop's admin origin, e.g. `https://example.myshopify.com`."""
        self.endpoint = f"{base_url.rstrip('/')}/admin/api/{API_VERSION}/graphql.json"
        self._token = access_token
        self._max_local_wait = max_local_wait
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        # Last known bucket state, to throttle proactively.
        self._available: float | None = None
        self._restore_rate: float = 50.0
        self._seen_at = 0.0
        self._last_cost: dict[str, float] = {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def execute(self, document: str, variables: dict[str, Any], *, operation: str) -> dict[str, Any]:
        """Run one document and return its `data`; raise a `ConnectorError` for anything else."""
        with external_call(SYSTEM, operation, method="POST", attributes={"shopify.operation": operation}) as call:
            for attempt in range(3):
                await self._wait_for_capacity(operation)
                body = await self._post(document, variables, operation, call)
                self._record_cost(operation, body)
                errors = body.get("errors")
                if not errors:
                    data = body.get("data")
                    if not isinstance(data, dict):
                        raise ContractError("response has no data", system=SYSTEM, operation=operation)
                    return data
                if _is_throttled(errors):
                    wait = self._throttle_wait(body)
                    if wait > self._max_local_wait or attempt == 2:
                        raise RateLimitedError(
                            "throttled by cost limit", system=SYSTEM, operation=operation, retry_after=wait
                        )
                    log.info("shopify %s throttled; waiting %.2fs", operation, wait)
                    await asyncio.sleep(wait)
                    continue
                # Any other GraphQL error means Shopify refused the document itself.
                messages = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))
                raise RejectedError(messages or str(errors), system=SYSTEM, operation=operation, details=errors)
        raise AssertionError("unreachable")

    async def _post(
        self, document: str, variables: dict[str, Any], operation: str, call: ExternalCall
    ) -> dict[str, Any]:
        headers = {"X-Shopify-Access-Token": self._token.get_secret_value(), "Content-Type": "application/json"}
        try:
            response = await self._http.post(
                self.endpoint, json={"query": document, "variables": variables}, headers=headers
            )
        except httpx.TimeoutException as exc:
            raise TransientError(f"timeout: {exc}", system=SYSTEM, operation=operation) from exc
        except httpx.TransportError as exc:
            raise TransientError(f"network error: {exc}", system=SYSTEM, operation=operation) from exc
        log.debug("shopify %s -> HTTP %s", operation, response.status_code)
        status = response.status_code
        call.answered(status)
        if status == 429:
            retry_after = retry_after_seconds(response) or 2.0
            raise RateLimitedError(
                "HTTP 429", system=SYSTEM, operation=operation, status_code=status, retry_after=retry_after
            )
        if status >= 500:
            raise TransientError("server error", system=SYSTEM, operation=operation, status_code=status)
        if status in (401, 403):
            raise AuthenticationError("access token refused", system=SYSTEM, operation=operation, status_code=status)
        if status == 404:
            raise NotFoundError("shop or API version not found", system=SYSTEM, operation=operation, status_code=status)
        if status >= 400:
            raise RejectedError(response.text[:500], system=SYSTEM, operation=operation, status_code=status)
        try:
            body = response.json()
        except ValueError as exc:
            raise ContractError("response is not JSON", system=SYSTEM, operation=operation) from exc
        if not isinstance(body, dict):
            raise ContractError("response is not a JSON object", system=SYSTEM, operation=operation)
        return body

    def _record_cost(self, operation: str, body: dict[str, Any]) -> None:
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        if "currentlyAvailable" in status:
            self._available = float(status["currentlyAvailable"])
            self._restore_rate = float(status.get("restoreRate") or self._restore_rate)
            # Shopify measured the bucket before answering: counting the refill from when the answer
            # arrived can only under-estimate it, so a proactive wait is never too short.
            self._seen_at = time.monotonic()
        if "requestedQueryCost" in cost:
            self._last_cost[operation] = float(cost["requestedQueryCost"])

    async def _wait_for_capacity(self, operation: str) -> None:
        if self._available is None:
            return
        needed = self._last_cost.get(operation, 10.0)
        elapsed = time.monotonic() - self._seen_at
        available = self._available + elapsed * self._restore_rate
        if available >= needed:
            return
        wait = (needed - available) / self._restore_rate
        if wait > self._max_local_wait:
            raise RateLimitedError("cost bucket nearly empty", system=SYSTEM, operation=operation, retry_after=wait)
        await asyncio.sleep(wait)

    def _throttle_wait(self, body: dict[str, Any]) -> float:
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        requested = float(cost.get("requestedQueryCost") or 10.0)
        available = float(status.get("currentlyAvailable") or 0.0)
        rate = float(status.get("restoreRate") or self._restore_rate)
        return max((requested - available) / rate, 0.1)


def _is_throttled(errors: Any) -> bool:
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
    )


def raise_for_user_errors(payload: dict[str, Any], key: str, operation: str, *, classify: bool = False) -> None:
    """Mutations report refusals as `userErrors` with HTTP 200; they are final, not transient.

    With `classify`, codes that mean "not there" or "wrong state" raise `NotFoundError` or
    `ConflictError` (both `RejectedError`s), so a caller can tell them apart.
    """
    raw = payload.get(key) or []
    if not raw:
        return
    errors = [UserError.model_validate(e) for e in raw]
    message = "; ".join(f"{e.message}" + (f" [{e.code}]" if e.code else "") for e in errors)
    kind: type[RejectedError] = RejectedError
    codes = {e.code for e in errors if e.code}
    if classify and codes & NOT_FOUND_CODES:
        kind = NotFoundError
    elif classify and codes & CONFLICT_CODES:
        kind = ConflictError
    raise kind(message, system=SYSTEM, operation=operation, details=[e.model_dump() for e in errors])
