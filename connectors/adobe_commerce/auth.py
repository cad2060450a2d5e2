"""The three ways Casebridge authenticates to Adobe Commerce, chosen by configuration.

* `AdminTokenCredentials`: an admin user's token from `POST /V1/integration/admin/token`, reused
  until shortly before its (default) 4-hour lifetime ends and fetched again after a 401.
* `OAuth1Credentials`: an integration's consumer key/secret and access token/secret; every request
  is signed (RFC 5849). Nothing to refresh: a 401 means revoked or wrong credentials.
* `ImsCredentials`: Adobe Commerce as a Cloud Service; an IMS client-credentials token, cached until
  shortly before `expires_in`, sent with `x-api-key` (and `x-gw-ims-org-id` when configured).

Each authenticator signs an `httpx.Request` in place. Token fetches are serialised by one lock, so
concurrent calls that find the token stale trigger a single fetch.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Literal, Protocol

import httpx
from pydantic import BaseModel, Field, SecretStr, ValidationError

from connectors.adobe_commerce import oauth1
from connectors.adobe_commerce.contract import (
    ADMIN_TOKEN_LIFETIME_SECONDS,
    ADMIN_TOKEN_PATH,
    ADMIN_TOKEN_REFRESH_MARGIN_SECONDS,
    IMS_DEFAULT_BASE_URL,
    IMS_DEFAULT_SCOPES,
    IMS_REFRESH_MARGIN_SECONDS,
    IMS_TOKEN_PATH,
    OAUTH_SIGNATURE_METHOD,
    SYSTEM,
)
from connectors.adobe_commerce.error_mapping import error_for_response, error_for_transport
from connectors.errors import ContractError

log = logging.getLogger(__name__)

# -- configuration ------------------------------------------------------------------------------------


class AdminTokenCredentials(BaseModel):
    mode: Literal["admin_token"] = "admin_token"
    username: str
    password: SecretStr


class OAuth1Credentials(BaseModel):
    mode: Literal["oauth1"] = "oauth1"
    consumer_key: str
    consumer_secret: SecretStr
    access_token: str
    access_token_secret: SecretStr
    signature_method: Literal["HMAC-SHA256", "HMAC-SHA1"] = OAUTH_SIGNATURE_METHOD  # type: ignore[assignment]


class ImsCredentials(BaseModel):
    mode: Literal["ims"] = "ims"
    client_id: str
    client_secret: SecretStr
    org_id: str | None = None
    ims_base_url: str = IMS_DEFAULT_BASE_URL
    scopes: tuple[str, ...] = IMS_DEFAULT_SCOPES


AdobeCredentials = Annotated[AdminTokenCredentials | OAuth1Credentials | ImsCredentials, Field(discriminator="mode")]


# -- authenticators -----------------------------------------------------------------------------------


class Authenticator(Protocol):
    fetch_count: int

    async def authorize(self, request: httpx.Request, operation: str) -> None:
        """Add whatever credentials the request needs (headers only)."""

    def invalidate(self) -> bool:
        """Forget cached credentials after a 401; True when a retry with fresh ones can help."""


@dataclass
class _CachedToken:
    value: str = field(repr=False)
    refresh_at: float


class _TokenAuthenticator:
    """Shared caching for the two bearer-token modes."""

    def __init__(self, http: httpx.AsyncClient, clock: Callable[[], float]) -> None:
        self._http = http
        self._clock = clock
        self._lock = asyncio.Lock()
        self._cached: _CachedToken | None = None
        self.fetch_count = 0

    async def _token(self, operation: str) -> str:
        cached = self._cached
        if cached is not None and self._clock() < cached.refresh_at:
            return cached.value
        async with self._lock:
            cached = self._cached  # another caller may have refreshed while this one waited
            if cached is not None and self._clock() < cached.refresh_at:
                return cached.value
            started = self._clock()
            value, lifetime, margin = await self._fetch(operation)
            self.fetch_count += 1
            # Count the lifetime from when the request left: the server's clock started no earlier.
            self._cached = _CachedToken(value, started + max(lifetime - margin, lifetime / 2))
            return value

    def invalidate(self) -> bool:
        self._cached = None
        return True

    async def _fetch(self, operation: str) -> tuple[str, float, float]:
        raise NotImplementedError

    async def _post(
        self, operation: str, url: str, *, json: object = None, data: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            response = await self._http.post(url, json=json, data=data)
        except httpx.HTTPError as exc:
            raise error_for_transport(exc, operation) from exc
        log.debug("POST token -> %s", response.status_code)
        if not response.is_success:
            raise error_for_response(response, operation, token_request=True)
        return response


class AdminTokenAuthenticator(_TokenAuthenticator):
    def __init__(
        self, http: httpx.AsyncClient, base_url: str, credentials: AdminTokenCredentials, clock: Callable[[], float]
    ) -> None:
        super().__init__(http, clock)
        self._url = f"{base_url}{ADMIN_TOKEN_PATH}"
        self._credentials = credentials

    async def authorize(self, request: httpx.Request, operation: str) -> None:
        request.headers["Authorization"] = f"Bearer {await self._token(operation)}"

    async def _fetch(self, operation: str) -> tuple[str, float, float]:
        body = {"username": self._credentials.username, "password": self._credentials.password.get_secret_value()}
        response = await self._post(operation, self._url, json=body)
        try:
            token = response.json()
        except ValueError as exc:
            raise ContractError("admin token is not JSON", system=SYSTEM, operation=operation) from exc
        if not isinstance(token, str) or not token:
            raise ContractError("admin token is not a JSON string", system=SYSTEM, operation=operation)
        return token, ADMIN_TOKEN_LIFETIME_SECONDS, ADMIN_TOKEN_REFRESH_MARGIN_SECONDS


class _ImsToken(BaseModel):
    access_token: str
    expires_in: float


class ImsAuthenticator(_TokenAuthenticator):
    def __init__(self, http: httpx.AsyncClient, credentials: ImsCredentials, clock: Callable[[], float]) -> None:
        super().__init__(http, clock)
        self._url = f"{credentials.ims_base_url.rstrip('/')}{IMS_TOKEN_PATH}"
        self._credentials = credentials

    async def authorize(self, request: httpx.Request, operation: str) -> None:
        request.headers["Authorization"] = f"Bearer {await self._token(operation)}"
        request.headers["x-api-key"] = self._credentials.client_id
        if self._credentials.org_id:
            request.headers["x-gw-ims-org-id"] = self._credentials.org_id

    async def _fetch(self, operation: str) -> tuple[str, float, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret.get_secret_value(),
            "scope": ",".join(self._credentials.scopes),
        }
        response = await self._post(operation, self._url, data=form)
        try:
            parsed = _ImsToken.model_validate_json(response.content)
        except ValidationError as exc:
            raise ContractError("IMS token lacks access_token/expires_in", system=SYSTEM, operation=operation) from exc
        return parsed.access_token, parsed.expires_in, IMS_REFRESH_MARGIN_SECONDS


class OAuth1Authenticator:
    def __init__(self, credentials: OAuth1Credentials) -> None:
        self._credentials = credentials
        self.fetch_count = 0  # nothing is ever fetched: integration tokens are pre-issued

    async def authorize(self, request: httpx.Request, operation: str) -> None:
        c = self._credentials
        request.headers["Authorization"] = oauth1.authorization_header(
            request.method,
            str(request.url),
            consumer_key=c.consumer_key,
            consumer_secret=c.consumer_secret.get_secret_value(),
            token=c.access_token,
            token_secret=c.access_token_secret.get_secret_value(),
            signature_method=c.signature_method,
        )

    def invalidate(self) -> bool:
        return False  # a refused signature will be refused again


def build_authenticator(
    http: httpx.AsyncClient,
    base_url: str,
    credentials: AdminTokenCredentials | OAuth1Credentials | ImsCredentials,
    clock: Callable[[], float] = time.monotonic,
) -> Authenticator:
    if isinstance(credentials, AdminTokenCredentials):
        return AdminTokenAuthenticator(http, base_url, credentials, clock)
    if isinstance(credentials, OAuth1Credentials):
        return OAuth1Authenticator(credentials)
    return ImsAuthenticator(http, credentials, clock)
