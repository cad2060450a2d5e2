"""Standard Webhooks (standardwebhooks.com): HMAC-SHA256 signed deliveries with replay protection.

* `webhook-id`: the delivery's id, the same on every redelivery (the natural dedupe key);
* `webhook-timestamp`: unix seconds; deliveries outside `tolerance_seconds` of now are refused
  (replay protection, 5 minutes by default as in the reference library);
* `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`
  entries (several during secret rotation; one valid entry suffices).

The key is the secret's raw bytes; a `whsec_` prefixed secret is base64-decoded as the reference
library does. BigCommerce signs its webhooks this way, and Casebridge asks the same of the systems
that post events to the shim directly (a warehouse, a storefront form). The HMAC covers the raw
request bytes: verify before parsing, never over a re-serialised body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

DEFAULT_TOLERANCE_SECONDS = 300

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SCHEME = "v1"


class WebhookVerificationError(Exception):
    """Why a delivery was refused (missing header, stale timestamp, no matching signature)."""


def _key(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        return secret
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error as exc:
            raise ValueError("malformed whsec_ secret") from exc
    return secret.encode()


def sign(secret: str | bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one delivery."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return f"{SCHEME},{base64.b64encode(digest).decode()}"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def verify(
    secret: str | bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> str:
    """Check one delivery; returns its `webhook-id`, raises `WebhookVerificationError` otherwise."""
    webhook_id = _header(headers, ID_HEADER)
    timestamp = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not webhook_id or not timestamp or not signature:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    if not secret:
        raise WebhookVerificationError("no signing secret configured")
    try:
        ts = int(timestamp.strip())
    except ValueError as exc:
        raise WebhookVerificationError("webhook-timestamp is not an integer") from exc
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp outside the tolerance window")
    expected = sign(secret, webhook_id, ts, body).partition(",")[2].encode()
    valid = False
    for entry in signature.split():
        scheme, _, value = entry.partition(",")
        # compare_digest on every entry: the time taken does not reveal which one matched.
        valid |= scheme == SCHEME and hmac.compare_digest(value.encode(), expected)
    if not valid:
        raise WebhookVerificationError("no valid v1 signature")
    return webhook_id


def is_valid(
    secret: str | bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    try:
        verify(secret, body, headers, tolerance_seconds=tolerance_seconds, now=now)
    except WebhookVerificationError:
        return False
    return True
