"""Who may call a simulated store: admin tokens, OAuth 1.0a integrations and IMS access tokens.

Written independently of the connector's signer (same RFC, different code), so a contract test
that passes proves the two agree rather than that one function agrees with itself.

* Admin tokens come from `POST /V1/integration/admin/token` and live `admin_token_ttl_seconds`.
* OAuth 1.0a: `Authorization: OAuth ...` with the integration's consumer key and access token,
  HMAC-SHA1 or HMAC-SHA256 over RFC 5849's base string, a timestamp within 10 minutes and a nonce
  never seen before for that consumer.
* IMS: a token issued by the simulated IMS to the store's client id, plus `x-api-key` (and the
  org id header when the store has one configured).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from starlette.requests import Request

from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.adobe_commerce.errors import MagentoError, unauthorized

TIMESTAMP_WINDOW_SECONDS = 600
_HASHES = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
SIGN_IN_REFUSED = (
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."
)


@dataclass(frozen=True)
class Caller:
    kind: str  # "admin", "integration" or "ims"
    name: str


class ImsIssuer:
    """The simulated IMS: client-credentials tokens for every store's Developer Console project."""

    def __init__(self, stores: Iterable[AdobeStoreConfig], clock: Callable[[], float]) -> None:
        self._clients = {s.ims_client_id: s for s in stores}
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (client id, expiry)
        self.issued: dict[str, int] = {}

    def issue(self, client_id: str | None, client_secret: str | None, grant_type: str | None) -> tuple[str, int]:
        if grant_type != "client_credentials":
            raise ImsRefusal(400, "unsupported_grant_type", "grant_type must be client_credentials")
        store = self._clients.get(client_id or "")
        if store is None or not hmac.compare_digest(
            store.ims_client_secret.get_secret_value().encode(), (client_secret or "").encode()
        ):
            raise ImsRefusal(401, "invalid_client", "invalid client_id or client_secret")
        token = "eyJ" + secrets.token_urlsafe(48)
        self._tokens[token] = (store.ims_client_id, self._clock() + store.ims_token_ttl_seconds)
        self.issued[store.ims_client_id] = self.issued.get(store.ims_client_id, 0) + 1
        return token, store.ims_token_ttl_seconds

    def client_of(self, token: str) -> str | None:
        entry = self._tokens.get(token)
        if entry is None or self._clock() >= entry[1]:
            return None
        return entry[0]

    def expire(self, client_id: str | None = None) -> None:
        for token, (owner, _) in list(self._tokens.items()):
            if client_id is None or owner == client_id:
                self._tokens[token] = (owner, 0.0)


class ImsRefusal(Exception):
    def __init__(self, status_code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.body = {"error": error, "error_description": description}


class StoreAuth:
    """Credentials of one store and the tokens it has issued."""

    def __init__(self, store: AdobeStoreConfig, ims: ImsIssuer, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._ims = ims
        self._clock = clock
        self._admin_tokens: dict[str, float] = {}
        self._nonces: set[tuple[str, str]] = set()
        self.admin_tokens_issued = 0

    def issue_admin_token(self, username: object, password: object) -> str:
        store = self.store
        if not (
            isinstance(username, str)
            and isinstance(password, str)
            and hmac.compare_digest(username.encode(), store.admin_username.encode())
            and hmac.compare_digest(password.encode(), store.admin_password.get_secret_value().encode())
        ):
            raise MagentoError(401, SIGN_IN_REFUSED)
        token = secrets.token_hex(16)
        self._admin_tokens[token] = self._clock() + store.admin_token_ttl_seconds
        self.admin_tokens_issued += 1
        return token

    def expire_admin_tokens(self) -> None:
        self._admin_tokens = dict.fromkeys(self._admin_tokens, 0.0)

    def authenticate(self, request: Request, resource: str) -> Caller:
        """The caller, or `MagentoError(401)` in Magento's words."""
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "oauth":
            return self._oauth(request, credentials, resource)
        if scheme.lower() == "bearer" and credentials:
            token = credentials.strip()
            expiry = self._admin_tokens.get(token)
            if expiry is not None and self._clock() < expiry:
                return Caller("admin", self.store.admin_username)
            if self._ims.client_of(token) == self.store.ims_client_id and self._ims_headers_ok(request):
                return Caller("ims", self.store.ims_client_id)
        raise unauthorized(resource)

    def _ims_headers_ok(self, request: Request) -> bool:
        if request.headers.get("x-api-key") != self.store.ims_client_id:
            return False
        org = self.store.ims_org_id
        return org is None or request.headers.get("x-gw-ims-org-id") == org

    def _oauth(self, request: Request, credentials: str, resource: str) -> Caller:
        store = self.store
        fields = _parse_oauth_header(credentials)
        if fields.get("oauth_consumer_key") != store.consumer_key or fields.get("oauth_token") != store.access_token:
            raise unauthorized(resource)
        method = fields.get("oauth_signature_method", "")
        if method not in _HASHES:
            raise MagentoError(401, "Signature method %1 is not supported", [method])
        try:
            timestamp = int(fields.get("oauth_timestamp", ""))
        except ValueError:
            raise MagentoError(401, "Invalid timestamp. Verify and try again.") from None
        if abs(self._clock() - timestamp) > TIMESTAMP_WINDOW_SECONDS:
            raise MagentoError(401, "The timestamp is outside the allowed window. Verify and try again.")
        params = [(k, v) for k, v in fields.items() if k != "oauth_signature" and k != "realm"]
        params += parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True)
        base = "&".join((_pct(request.method.upper()), _pct(_base_uri(str(request.url))), _pct(_params(params))))
        key = f"{_pct(store.consumer_secret.get_secret_value())}&{_pct(store.access_token_secret.get_secret_value())}"
        expected = base64.b64encode(hmac.new(key.encode(), base.encode(), _HASHES[method]).digest()).decode()
        if not hmac.compare_digest(expected, fields.get("oauth_signature", "")):
            raise MagentoError(401, "The signature is invalid. Verify and try again.")
        nonce = (store.consumer_key, fields.get("oauth_nonce", ""))
        if nonce in self._nonces:
            raise MagentoError(401, "The nonce is already being used by the consumer with ID %1.", [store.consumer_key])
        self._nonces.add(nonce)
        return Caller("integration", store.consumer_key)


def _pct(value: str) -> str:
    return quote(value, safe="~")


def _params(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted((_pct(k), _pct(v)) for k, v in params))


def _base_uri(url: str) -> str:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    host = (parts.hostname or "").lower()
    netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path}"


def _parse_oauth_header(credentials: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in credentials.split(","):
        name, _, value = part.strip().partition("=")
        if name:
            fields[unquote(name)] = unquote(value.strip().strip('"'))
    return fields
