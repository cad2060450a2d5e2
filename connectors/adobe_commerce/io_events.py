"""Receiving Adobe I/O Events webhook deliveries (Adobe Commerce events) safely.

A delivery is genuine when at least one of `x-adobe-digital-signature-1/2` is a valid base64
RSA-SHA256 (PKCS#1 v1.5) signature of the raw body under the public key found at
`<public key base URL> + x-adobe-public-key{1,2}-path` (two keys exist so Adobe can rotate them), and
the body's `recipient_client_id` is our Developer Console client id. Keys are fetched once per path
and cached, only from the configured key host and only for paths shaped like Adobe's
(`/prod/keys/pub-key-<name>.pem`), only for a signature of an RSA key's length, each path under its
own lock (a slow or forged path holds up no other), and a path the key host does not have is
remembered as refused. Deliveries are at-least-once: `dedupe_key` gives the event id to remember;
the body's own id is signed, the `x-adobe-event-id` header is not.

On registration Adobe checks the URL with a challenge (`GET ?challenge=...`, or a POST whose JSON
body is `{"challenge": ...}`); `challenge_reply` builds the answer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connectors.adobe_commerce.contract import IO_EVENTS_PUBLIC_KEY_BASE_URL, SYSTEM
from connectors.adobe_commerce.error_mapping import error_for_response, error_for_transport
from connectors.errors import RejectedError
from connectors.lifecycle import Closing

tracer = trace.get_tracer(__name__)

SIGNATURE_HEADERS = ("x-adobe-digital-signature-1", "x-adobe-digital-signature-2")
KEY_PATH_HEADERS = ("x-adobe-public-key1-path", "x-adobe-public-key2-path")
EVENT_ID_HEADER = "x-adobe-event-id"
# Where Adobe keeps its signing keys on static.adobeioevents.com (stage has its own folder).
_KEY_PATH = re.compile(r"^/(prod|stage)/keys/pub-key-[A-Za-z0-9_-]{1,100}\.pem$")
# RSA signatures are as long as the key's modulus (Adobe signs with 2048-bit keys): anything else
# cannot verify, so no key is fetched for it.
_SIGNATURE_LENGTHS = frozenset({256, 384, 512})
_REFUSED_PATHS_REMEMBERED = 1000
_OPERATION = "verify_io_event"
_CHALLENGE_BODY_MAX = 1024


class EventVerificationError(RejectedError):
    """The delivery is not genuine or not for us: answer 4xx and do not process it."""


class IoEventData(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    key: str | None = None
    value: dict[str, Any] = Field(default_factory=dict)
    source: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict, alias="_metadata")


class IoEvent(BaseModel):
    """The CloudEvents-style body Adobe I/O Events delivers for Commerce events."""

    model_config = ConfigDict(extra="allow")

    specversion: str | None = None
    id: str
    source: str | None = None
    type: str
    datacontenttype: str | None = None
    time: str | None = None
    event_id: str | None = None
    recipient_client_id: str | None = None
    data: IoEventData = Field(default_factory=IoEventData)


def dedupe_key(headers: Mapping[str, str], event: IoEvent | None = None) -> str | None:
    """The id that is the same on every redelivery: the body's event id, which the signature covers
    (a genuine event re-posted under a fresh `x-adobe-event-id` header is still the same event);
    the header only when no verified event is at hand."""
    if event is not None:
        return event.event_id or event.id
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get(EVENT_ID_HEADER) or None


@dataclass(frozen=True)
class ChallengeReply:
    content: bytes
    media_type: str


def challenge_reply(method: str, query: Mapping[str, str], body: bytes = b"") -> ChallengeReply | None:
    """The answer to a registration challenge, or None when the request is not one.

    GET `?challenge=x` is echoed as plain text; a POST `{"challenge": x}` as JSON `{"challenge": x}`.
    """
    if method.upper() == "GET" and query.get("challenge"):
        return ChallengeReply(query["challenge"].encode(), "text/plain")
    if method.upper() == "POST" and body:
        if len(body) > _CHALLENGE_BODY_MAX:
            return None  # a challenge is a few bytes; never parse a large unsigned body
        try:
            parsed = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            return None
        if isinstance(parsed, dict) and set(parsed) == {"challenge"} and isinstance(parsed["challenge"], str):
            return ChallengeReply(json.dumps({"challenge": parsed["challenge"]}).encode(), "application/json")
    return None


class IoEventsVerifier(Closing):
    """Verifies deliveries for one Developer Console project (one client id). Keep one per process:
    it holds the key cache and an httpx client."""

    def __init__(
        self,
        client_id: str,
        *,
        public_key_base_url: str = IO_EVENTS_PUBLIC_KEY_BASE_URL,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.client_id = client_id
        self._base = public_key_base_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetching: dict[str, asyncio.Future[rsa.RSAPublicKey]] = {}  # key path -> its fetch
        self._refused: OrderedDict[str, str] = OrderedDict()  # path -> why (bounded)
        self.key_fetches = 0  # keys fetched and cached
        self.key_requests = 0  # requests made to the key host, refused ones included

    async def aclose(self) -> None:
        await self._http.aclose()

    async def verify(self, headers: Mapping[str, str], body: bytes) -> IoEvent:
        """The parsed event when the delivery is genuine and for us; `EventVerificationError` when not,
        `TransientError` when a public key cannot be fetched right now (let Adobe redeliver)."""
        with tracer.start_as_current_span(f"{SYSTEM} {_OPERATION}"):
            await self.verify_signature(headers, body)
            try:
                event = IoEvent.model_validate_json(body)
            except ValidationError as exc:
                raise _refused("body is not an I/O Events event") from exc
            self.check_recipient(event)
            return event

    async def verify_signature(self, headers: Mapping[str, str], body: bytes) -> None:
        """The raw body is signed by Adobe (nothing is parsed): `EventVerificationError` when not,
        `TransientError` when a public key cannot be fetched right now."""
        lowered = {k.lower(): v for k, v in headers.items()}
        if not await self._any_signature_valid(lowered, body):
            raise _refused("no valid x-adobe-digital-signature for this body")

    def check_recipient(self, event: IoEvent) -> None:
        """A genuine event sent to another Developer Console client is not ours to act on."""
        if event.recipient_client_id != self.client_id:
            raise _refused("recipient_client_id is not this client")

    async def _any_signature_valid(self, headers: Mapping[str, str], body: bytes) -> bool:
        pairs = [(headers.get(s), headers.get(k)) for s, k in zip(SIGNATURE_HEADERS, KEY_PATH_HEADERS, strict=True)]
        present = [(sig, path) for sig, path in pairs if sig and path]
        if not present:
            raise _refused("signature or public key path headers missing")
        for signature, path in present:
            assert signature is not None and path is not None
            try:
                raw_signature = base64.b64decode(signature, validate=True)
            except (binascii.Error, ValueError):
                continue
            if len(raw_signature) not in _SIGNATURE_LENGTHS:
                continue  # cannot be an RSA signature: not worth fetching a key for
            try:
                key = await self._public_key(path)
            except EventVerificationError:
                continue  # a forged or unknown key path; the other signature may still be good
            try:
                key.verify(raw_signature, body, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            return True
        return False

    async def _public_key(self, path: str) -> rsa.RSAPublicKey:
        if not _KEY_PATH.match(path):
            raise _refused(f"unexpected public key path {path[:80]!r}")
        cached = self._keys.get(path)
        if cached is not None:
            return cached
        if path in self._refused:
            raise _refused(self._refused[path])
        # Concurrent deliveries naming one new path share one fetch; no lock spans paths, so a
        # slow or forged path holds up no delivery naming another.
        fetch = self._fetching.get(path)
        if fetch is None:
            fetch = asyncio.ensure_future(self._fetch_key(path))
            self._fetching[path] = fetch
            fetch.add_done_callback(lambda _: self._fetching.pop(path, None))
        return await asyncio.shield(fetch)

    async def _fetch_key(self, path: str) -> rsa.RSAPublicKey:
        self.key_requests += 1
        try:
            response = await self._http.get(f"{self._base}{path}")
        except httpx.HTTPError as exc:
            raise error_for_transport(exc, _OPERATION) from exc
        if not response.is_success:
            error = error_for_response(response, _OPERATION)
            # An unknown key path is a forged or stale header, not a fault of ours to retry.
            if response.status_code == 404:
                raise self._remember_refused(path, f"public key {path} not found") from error
            raise error
        try:
            key = serialization.load_pem_public_key(response.content)
        except ValueError as exc:
            raise self._remember_refused(path, f"public key at {path} is not a PEM key") from exc
        if not isinstance(key, rsa.RSAPublicKey):
            raise self._remember_refused(path, f"public key at {path} is not an RSA key")
        self.key_fetches += 1
        self._keys[path] = key
        return key

    def _remember_refused(self, path: str, reason: str) -> EventVerificationError:
        """The key host has no usable key at `path`: not asked again (the newest paths kept)."""
        self._refused[path] = reason
        while len(self._refused) > _REFUSED_PATHS_REMEMBERED:
            self._refused.popitem(last=False)
        return _refused(reason)


def _refused(reason: str) -> EventVerificationError:
    return EventVerificationError(reason, system=SYSTEM, operation=_OPERATION, status_code=401)
