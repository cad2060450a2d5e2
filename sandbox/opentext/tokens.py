"""OAuth2 client-credentials tokens of the simulated OpenText Cloud identity service.

Tokens are opaque random strings bound to one tenant and one client, valid for the tenant's
`token_ttl_seconds`. The Workflow API resolves the tenant from the token alone (its paths carry no
tenant), exactly as the real gateway does.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.config import TenantConfig
from sandbox.opentext.errors import SimulatedHttpError, gateway_fault


@dataclass
class IssuedToken:
    tenant_id: str
    client_id: str
    expires_at: float


def _oauth_error(status_code: int, error: str, description: str) -> SimulatedHttpError:
    return SimulatedHttpError(status_code, {"error": error, "error_description": description})


class TokenIssuer:
    def __init__(self, tenants: list[TenantConfig], clock: Callable[[], float] = time.time) -> None:
        self._tenants = {tenant.tenant_id: tenant for tenant in tenants}
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}
        # How many tokens each tenant was issued (tests assert the client caches them).
        self.issued: dict[str, int] = {tenant_id: 0 for tenant_id in self._tenants}

    @property
    def tenants(self) -> list[TenantConfig]:
        return list(self._tenants.values())

    def tenant(self, tenant_id: str) -> TenantConfig | None:
        return self._tenants.get(tenant_id)

    def issue(
        self, tenant_id: str, grant_type: str | None, client_id: str | None, client_secret: str | None
    ) -> tuple[str, int]:
        """Return `(access_token, expires_in)` or raise the OAuth error the service answers with."""
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise _oauth_error(404, "invalid_tenant", f"Unknown tenant '{tenant_id}'")
        if grant_type is None or client_id is None or client_secret is None:
            raise _oauth_error(400, "invalid_request", "grant_type, client_id and client_secret are required")
        if grant_type != "client_credentials":
            raise _oauth_error(400, "unsupported_grant_type", f"Grant type '{grant_type}' is not supported")
        id_ok = hmac.compare_digest(client_id.encode(), tenant.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), tenant.client_secret.get_secret_value().encode())
        if not (id_ok and secret_ok):
            raise _oauth_error(401, "invalid_client", "Client authentication failed")
        self._purge()
        token = secrets.token_urlsafe(32)
        ttl = tenant.token_ttl_seconds
        self._tokens[token] = IssuedToken(tenant_id, client_id, self._clock() + ttl)
        self.issued[tenant_id] = self.issued.get(tenant_id, 0) + 1
        return token, ttl

    def authenticate(self, authorization: str | None) -> IssuedToken:
        """The token named by an `Authorization: Bearer ...` header, or a 401 gateway fault."""
        scheme, _, token = (authorization or "").partition(" ")
        issued = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is None:
            raise gateway_fault(401, "Invalid access token", "oauth.v2.InvalidAccessToken")
        if issued.expires_at <= self._clock():
            raise gateway_fault(401, "Access Token expired", "keymanagement.service.access_token_expired")
        return issued

    def expire(self, tenant_id: str | None = None) -> None:
        """Expire every token (of one tenant): the next API call with one gets 401."""
        now = self._clock()
        for issued in self._tokens.values():
            if tenant_id is None or issued.tenant_id == tenant_id:
                issued.expires_at = min(issued.expires_at, now)

    def _purge(self) -> None:
        # Keep expired tokens a while so a late caller is told "expired" rather than "invalid".
        horizon = self._clock() - 3600
        for token in [t for t, issued in self._tokens.items() if issued.expires_at < horizon]:
            del self._tokens[token]
