"""Client-credentials tokens for OpenText Cloud, cached and refreshed one at a time.

A token is reused until shortly before `expires_in` runs out (60 s early, or half its lifetime when
it is shorter than two minutes) so that a call never leaves with a token that dies in flight. One
asyncio lock serialises refreshes: when many calls find the token stale together, only the first
asks for a new one and the others reuse it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from pydantic import SecretStr, ValidationError

from connectors.errors import ContractError
from connectors.opentext.contract import SYSTEM, TOKEN_REFRESH_MARGIN_SECONDS
from connectors.opentext.error_mapping import error_for_response, error_for_transport
from connectors.opentext.models import TokenResponse

log = logging.getLogger(__name__)


@dataclass
class _CachedToken:
    value: str = field(repr=False)
    refresh_at: float


def refresh_margin(expires_in: float) -> float:
    """How long before expiry to stop using a token."""
    if expires_in > 2 * TOKEN_REFRESH_MARGIN_SECONDS:
        return TOKEN_REFRESH_MARGIN_SECONDS
    return expires_in / 2


class TokenProvider:
    def __init__(
        self,
        http: httpx.AsyncClient,
        token_url: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._lock = asyncio.Lock()
        self._cached: _CachedToken | None = None
        self.fetch_count = 0  # tokens actually requested (observability and tests)

    async def token(self, operation: str) -> str:
        """A valid access token; `operation` names the caller in errors raised while fetching."""
        cached = self._cached
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.value
        async with self._lock:
            # Another caller may have refreshed while this one waited for the lock.
            cached = self._cached
            if cached is not None and self._clock() < cached.refresh_at:
                return cached.value
            self._cached = await self._fetch(operation)
            return self._cached.value

    def invalidate(self, token: str) -> None:
        """Forget `token` after the API refused it, unless a newer one already replaced it."""
        if self._cached is not None and self._cached.value == token:
            self._cached = None

    async def _fetch(self, operation: str) -> _CachedToken:
        # The body OpenText's own collections send: JSON client credentials.
        payload = {
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        }
        started = self._clock()
        try:
            response = await self._http.post(self._token_url, json=payload)
        except httpx.HTTPError as exc:
            raise error_for_transport(exc, operation) from exc
        log.debug("POST token -> %s", response.status_code)
        if not response.is_success:
            raise error_for_response(response, operation, token_request=True)
        try:
            parsed = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise ContractError(
                "token response lacks access_token/expires_in", system=SYSTEM, operation=operation
            ) from exc
        self.fetch_count += 1
        # Count the lifetime from when the request left: the server started its clock no later.
        refresh_at = started + parsed.expires_in - refresh_margin(parsed.expires_in)
        return _CachedToken(parsed.access_token, refresh_at)
