"""The Temporal UI's access tokens, for the codec server.

With "Pass the user access token" in its codec settings, the Temporal UI sends the signed-in
person's access token, a JWT, as `Authorization: Bearer <token>` with every codec request. Temporal
Cloud's tokens are signed by a key it publishes at https://login.tmprl.cloud/.well-known/jwks.json,
are meant for `https://saas-api.tmprl.cloud` (their audience) and carry the person's e-mail in the
claim `https://saas-api.tmprl.cloud/user/email`; a self-hosted UI's come from its own OIDC provider.

A valid token says who the person is, not that they may read customers' data: the codec server's
own list of readers (CODEC_SERVER_READERS) decides that.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

log = logging.getLogger(__name__)

# Signature algorithms of published (public) keys only: an HMAC token would be "signed" with a
# public key anyone can fetch.
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256")
# Clock skew tolerated between the provider and this server for `exp`, `nbf` and `iat`.
LEEWAY_SECONDS = 30


class TokenRejected(Exception):
    """The token proves nothing (malformed, forged, expired, for another audience): answer 401."""


class SigningKeysUnavailable(Exception):
    """The provider's keys could not be read: the token cannot be checked now (answer 503)."""


@dataclass(frozen=True)
class Person:
    """Who a verified token names: `subject` is the provider's user id (what logs carry)."""

    subject: str
    email: str


class Readers:
    """Who may read decrypted payloads: e-mail addresses, and `@domain` for everyone of a domain.
    Compared without regard to case; a domain entry matches that exact domain, not its subdomains."""

    def __init__(self, entries: str) -> None:
        items = {item.strip().lower() for item in entries.replace("\n", ",").split(",") if item.strip()}
        for item in items:
            if item.count("@") != 1 or item.endswith("@") or any(c.isspace() for c in item):
                raise ValueError(f"reader {item!r} is neither an e-mail address nor @domain")
        self.emails = frozenset(i for i in items if not i.startswith("@"))
        self.domains = frozenset(i[1:] for i in items if i.startswith("@"))

    def __bool__(self) -> bool:
        return bool(self.emails or self.domains)

    def admit(self, email: str) -> bool:
        email = email.strip().lower()
        return email in self.emails or email.rpartition("@")[2] in self.domains


@dataclass(frozen=True)
class TokenPolicy:
    audience: str
    email_claim: str
    issuer: str | None = None


def check_jwks_url(url: str) -> None:
    """The keys decide who reads customers' data: only over HTTPS, but for a provider on this host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise ValueError(f"the JWKS URL {url!r} is not HTTPS")


class SigningKeys:
    """The provider's published keys by key id. They are read again after `max_age`, and when a
    token names a key not seen yet (the provider rotated), but at most once per `min_interval`, so
    tokens with made-up key ids cannot make this server hammer the provider."""

    def __init__(
        self,
        url: str,
        *,
        max_age: float = 3600.0,
        min_interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_jwks_url(url)
        self._url = url
        # A slow provider must not hold the UI's page for long; keys read earlier still serve.
        self._client = httpx.AsyncClient(timeout=10.0)
        self._max_age = max_age
        self._min_interval = min_interval
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def key(self, key_id: str) -> jwt.PyJWK:
        async with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at >= self._max_age
            may_refetch = self._fetched_at is None or now - self._fetched_at >= self._min_interval
            if stale or (key_id not in self._keys and may_refetch):
                await self._fetch()
            found = self._keys.get(key_id)
        if found is None:
            raise TokenRejected(f"signed by an unknown key {key_id!r}")
        return found

    async def _fetch(self) -> None:
        try:
            response = await self._client.get(self._url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as err:
            # Keys read earlier still verify tokens; only without any is the caller told to retry.
            if not self._keys:
                raise SigningKeysUnavailable(f"signing keys not readable from {self._url}: {err}") from None
            log.warning("signing keys not refreshed from %s: %s", self._url, err)
            return
        self._keys = _signing_keys(document)
        self._fetched_at = self._clock()
        log.info("signing keys read from %s: %s", self._url, ", ".join(sorted(self._keys)) or "none")


def _signing_keys(document: Any) -> dict[str, jwt.PyJWK]:
    """A JWKS document's signature keys by id; keys for encryption, without an id, or of a type
    this server cannot use are left out."""
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str) or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK.from_dict(entry)
        except jwt.PyJWTError as err:
            log.warning("signing key %s left out: %s", entry["kid"], err)
    return keys


class AccessTokenVerifier:
    def __init__(self, policy: TokenPolicy, keys: SigningKeys) -> None:
        self._policy = policy
        self._keys = keys

    async def verify(self, token: str) -> Person:
        """The person the token names, or TokenRejected saying why not (SigningKeysUnavailable
        when the keys cannot be read)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenRejected("not a JWT") from None
        algorithm, key_id = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS:
            raise TokenRejected(f"signature algorithm {algorithm!r} is not accepted")
        if not isinstance(key_id, str):
            raise TokenRejected("the token names no signing key (kid)")
        key = await self._keys.key(key_id)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self._policy.audience,
                issuer=self._policy.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "aud"]},
            )
        except jwt.PyJWTError as err:
            raise TokenRejected(str(err)) from None
        email = claims.get(self._policy.email_claim)
        if not isinstance(email, str) or "@" not in email:
            raise TokenRejected(f"the token has no e-mail in {self._policy.email_claim!r}")
        subject = claims.get("sub")
        return Person(subject=subject if isinstance(subject, str) else "unknown", email=email)
