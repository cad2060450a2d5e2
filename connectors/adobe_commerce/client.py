"""Transport for the Adobe Commerce REST API: authentication, throttling, tracing, error mapping.

One `AdobeCommerceClient` per store (one httpx client, one credential set). Every call raises only
`connectors.errors` types with `system="adobe-commerce"` and `operation` = the caller's name:

* 401: the cached token is dropped and the call repeated once with a fresh one (admin token and
  IMS modes); a second 401, or any 401 with OAuth 1.0a, is an `AuthenticationError`.
* 429: a short `Retry-After` (up to `max_local_wait`) is waited out here, a few times at most;
  longer ones become `RateLimitedError(retry_after=...)` so Temporal does the waiting.
* timeouts, connection errors and 5xx are `TransientError`; other 4xx are rejections.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from connectors.adobe_commerce.auth import (
    AdminTokenCredentials,
    ImsCredentials,
    OAuth1Credentials,
    build_authenticator,
)
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.error_mapping import error_for_response, error_for_transport
from connectors.errors import ContractError, RateLimitedError, contract_error
from connectors.lifecycle import Closing
from connectors.retry_after import retry_after_seconds
from connectors.telemetry import external_call

log = logging.getLogger(__name__)

Params = Mapping[str, str | int | float | bool]
_T = TypeVar("_T")


class AdobeCommerceClient(Closing):
    def __init__(
        self,
        base_url: str,
        credentials: AdminTokenCredentials | OAuth1Credentials | ImsCredentials,
        *,
        timeout: float = 15.0,
        max_local_wait: float = 5.0,
        max_throttle_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`base_url` is everything before `/V1`: `https://shop.example/rest/default` (PaaS),
        `https://na1.api.commerce.adobe.com/<tenant>` (Cloud Service), or the sandbox's
        `http://127.0.0.1:8100/adobe-commerce/rest/default`."""
        self.base_url = base_url.rstrip("/")
        self._max_local_wait = max_local_wait
        self._max_throttle_retries = max_throttle_retries
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._auth = build_authenticator(self._http, self.base_url, credentials, clock)

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def token_fetches(self) -> int:
        """How many tokens (admin or IMS) this client has requested so far."""
        return self._auth.fetch_count

    async def call(
        self, operation: str, method: str, path: str, *, params: Params | None = None, json: object = None
    ) -> Any:
        """One API call; returns the parsed JSON answer (Magento answers scalars too: `true`, `42`)."""
        with external_call(SYSTEM, operation, method=method, path=path) as call:
            response = await self._send(operation, method, path, params, json)
            call.answered(response.status_code)
            if not response.content.strip():
                return None  # void service methods may answer with an empty body
            try:
                return response.json()
            except ValueError as exc:
                raise ContractError(
                    "response is not JSON", system=SYSTEM, operation=operation, status_code=response.status_code
                ) from exc

    async def call_as(
        self,
        model: type[_T],
        operation: str,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: object = None,
    ) -> _T:
        """`call`, then validate the answer as `model` (a pydantic model or any type pydantic knows)."""
        raw = await self.call(operation, method, path, params=params, json=json)
        return parse(model, raw, operation)

    async def _send(
        self, operation: str, method: str, path: str, params: Params | None, json: object
    ) -> httpx.Response:
        url = f"{self.base_url}{path}"
        reauthenticated = False
        throttled = 0
        while True:
            request = self._http.build_request(
                method, url, params=dict(params) if params else None, json=json, headers={"Accept": "application/json"}
            )
            await self._auth.authorize(request, operation)
            try:
                response = await self._http.send(request)
            except httpx.HTTPError as exc:
                raise error_for_transport(exc, operation) from exc
            log.debug("%s %s -> %s", method, request.url.path, response.status_code)
            if response.status_code == 401 and not reauthenticated and self._auth.invalidate():
                reauthenticated = True  # expired or revoked early: once more with fresh credentials
                continue
            if response.status_code == 429:
                wait = retry_after_seconds(response)
                if wait is not None and wait <= self._max_local_wait and throttled < self._max_throttle_retries:
                    throttled += 1
                    log.info("%s %s throttled; waiting %.2fs", SYSTEM, operation, wait)
                    await asyncio.sleep(wait)
                    continue
                error = error_for_response(response, operation)
                assert isinstance(error, RateLimitedError)
                raise error
            if not response.is_success:
                raise error_for_response(response, operation)
            return response


def parse(model: type[_T], raw: object, operation: str) -> _T:
    """Validate `raw` as `model`; a mismatch is a `ContractError` naming the first problems."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(raw)
        return TypeAdapter(model).validate_python(raw)
    except ValidationError as exc:
        name = getattr(model, "__name__", str(model))
        raise contract_error(exc, f"{name} JSON", system=SYSTEM, operation=operation) from exc
