"""OAuth2 client-credentials tokens of the simulated OpenText identity service, for Exstream tenants.

Tokens are opaque random strings bound to one tenant and client, valid for the tenant's
`token_ttl_seconds`. The Exstream services resolve the tenant from the token alone (their paths carry
a domain, not a tenant), and refuse a missing, unknown or expired token with 401.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sandbox.opentext_exstream.config import ExstreamTenantConfig
from sandbox.opentext_exstream.errors import UNAUTHORIZED, ExstreamHttpError, OAuthError
from sandbox.opentext_identity import ClientCredentialsIssuer, IssuedToken

__all__ = ["IssuedToken", "TokenIssuer"]

_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class TokenIssuer(ClientCredentialsIssuer):
    """Tokens for Exstream tenants; a bad token is answered as the Exstream services do."""

    def __init__(self, tenants: list[ExstreamTenantConfig], clock: Callable[[], float] = time.time) -> None:
        super().__init__(tenants, clock)

    def oauth_error(self, status_code: int, error: str, description: str) -> Exception:
        return OAuthError(status_code, error, description)

    def invalid_token(self) -> Exception:
        return ExstreamHttpError(
            401, "Full authentication is required to access this resource", UNAUTHORIZED, headers=_BEARER_CHALLENGE
        )

    def expired_token(self) -> Exception:
        return ExstreamHttpError(401, "Access token expired", UNAUTHORIZED, headers=_BEARER_CHALLENGE)
