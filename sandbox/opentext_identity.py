"""OAuth2 client-credentials tokens of the simulated OpenText identity service, shared by the
simulators of the services behind it (Workflow Service, Exstream). Each service answers a bad token
in its own error shape, so subclasses supply the errors; the token rules live here once.

Tokens are opaque random strings bound to one tenant and client, valid for the tenant's
`token_ttl_seconds`; the services resolve the tenant from the token alone.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr


class ClientCredentialsTenant(Protocol):
    @property
    def tenant_id(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> SecretStr: ...
    @property
    def token_ttl_seconds(self) -> int: ...


@dataclass
class IssuedToken:
    tenant_id: str
    client_id: str
    expires_at: float


class ClientCredentialsIssuer:
    def __init__(self, tenants: Iterable[ClientCredentialsTenant], clock: Callable[[], float] = time.time) -> None:
        self._tenants = {tenant.tenant_id: tenant for tenant in tenants}
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}
        # How many tokens each tenant was issued (tests assert that clients cache them).
        self.issued: dict[str, int] = dict.fromkeys(self._tenants, 0)

    # The service's own answers.
    def oauth_error(self, status_code: int, error: str, description: str) -> Exception:
        raise NotImplementedError

    def invalid_token(self) -> Exception:
        raise NotImplementedError

    def expired_token(self) -> Exception:
        raise NotImplementedError

    def issue(
        self, tenant_id: str, grant_type: str | None, client_id: str | None, client_secret: str | None
    ) -> tuple[str, int]:
        """Return `(access_token, expires_in)` or raise the OAuth error the identity service answers."""
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise self.oauth_error(404, "invalid_tenant", f"Unknown tenant '{tenant_id}'")
        if grant_type is None or client_id is None or client_secret is None:
            raise self.oauth_error(400, "invalid_request", "grant_type, client_id and client_secret are required")
        if grant_type != "client_credentials":
            raise self.oauth_error(400, "unsupported_grant_type", f"Grant type '{grant_type}' is not supported")
        id_ok = hmac.compare_digest(client_id.encode(), tenant.client_id.encode())
        secret_ok = hmac.compare_digest(client_secret.encode(), tenant.client_secret.get_secret_value().encode())
        if not (id_ok and secret_ok):
            raise self.oauth_error(401, "invalid_client", "Client authentication failed")
        self._purge()
        token = secrets.token_urlsafe(32)
        ttl = tenant.token_ttl_seconds
        self._tokens[token] = IssuedToken(tenant_id, client_id, self._clock() + ttl)
        self.issued[tenant_id] = self.issued.get(tenant_id, 0) + 1
        return token, ttl

    def authenticate(self, authorization: str | None) -> IssuedToken:
        """The token named by an `Authorization: Bearer ...` header, or the service's 401."""
        scheme, _, token = (authorization or "").partition(" ")
        issued = self._tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is None:
            raise self.invalid_token()
        if issued.expires_at <= self._clock():
            raise self.expired_token()
        return issued

    def expire(self, tenant_id: str | None = None) -> int:
        """Expire every token (of one tenant) as if time had passed; returns how many."""
        now = self._clock()
        expired = 0
        for issued in self._tokens.values():
            if (tenant_id is None or issued.tenant_id == tenant_id) and issued.expires_at > now:
                issued.expires_at = now
                expired += 1
        return expired

    def _purge(self) -> None:
        # Keep expired tokens a while so a late caller is told "expired" rather than "invalid".
        horizon = self._clock() - 3600
        for token in [t for t, issued in self._tokens.items() if issued.expires_at < horizon]:
            del self._tokens[token]
