"""OAuth2 client-credentials tokens of the simulated OpenText Cloud identity service.

Tokens are opaque random strings bound to one tenant and one client, valid for the tenant's
`token_ttl_seconds`. The Workflow API resolves the tenant from the token alone (its paths carry no
tenant), exactly as the real gateway does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sandbox.config import TenantConfig
from sandbox.opentext.errors import SimulatedHttpError, gateway_fault
from sandbox.opentext_identity import ClientCredentialsIssuer, IssuedToken

__all__ = ["IssuedToken", "TokenIssuer"]


class TokenIssuer(ClientCredentialsIssuer):
    """Tokens for Workflow Service tenants; a bad token is answered as the API gateway does."""

    def __init__(self, tenants: list[TenantConfig], clock: Callable[[], float] = time.time) -> None:
        super().__init__(tenants, clock)
        self._configs = {tenant.tenant_id: tenant for tenant in tenants}

    @property
    def tenants(self) -> list[TenantConfig]:
        return list(self._configs.values())

    def tenant(self, tenant_id: str) -> TenantConfig | None:
        return self._configs.get(tenant_id)

    def oauth_error(self, status_code: int, error: str, description: str) -> Exception:
        return SimulatedHttpError(status_code, {"error": error, "error_description": description})

    def invalid_token(self) -> Exception:
        return gateway_fault(401, "Invalid access token", "oauth.v2.InvalidAccessToken")

    def expired_token(self) -> Exception:
        return gateway_fault(401, "Access Token expired", "keymanagement.service.access_token_expired")
